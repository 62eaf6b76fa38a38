"""Settings come from environment variables only: these tests pin each variable's name, its
default, how its value is read and the message a bad value stops the start with."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import reset_caches
from ticket_app import config
from ticket_app.config import ConfigError, Settings, get_settings

DEFAULTS = {
    "APP_URL": ("app_url", "http://localhost:8000"),
    "CORS_ORIGINS": ("cors_origins", ()),
    "ALLOWED_HOSTS": ("extra_hosts", ()),
    "SECRET_KEY": ("secret_key", ""),
    "MAX_BODY_BYTES": ("max_body_bytes", 262144),
    "FORM_MAX_BODY_BYTES": ("form_max_body_bytes", 16384),
    "DB_POOL_SIZE": ("db_pool_size", 5),
    "SQLITE_SYNCHRONOUS": ("sqlite_synchronous", "full"),
    "DB_POOL_TIMEOUT_SECONDS": ("db_pool_timeout_seconds", 2.0),
    "DB_STATEMENT_TIMEOUT_SECONDS": ("db_statement_timeout_seconds", 5.0),
    "REFLEX_REDIS_URL": ("redis_url", ""),
    "SESSION_IDLE_MINUTES": ("session_idle_minutes", 480),
    "SESSION_MAX_DAYS": ("session_max_days", 7),
    "AUTH_CACHE_SECONDS": ("auth_cache_seconds", 2.0),
    "SETUP_LINK_MINUTES": ("setup_link_minutes", 60),
    "SIGN_IN_MAX_FAILURES": ("sign_in_max_failures", 5),
    "SIGN_IN_ADDRESS_MAX_FAILURES": ("sign_in_address_max_failures", 20),
    "SIGN_IN_SLOWDOWN_SECONDS": ("sign_in_slowdown_seconds", 3.0),
    "SIGN_IN_WINDOW_MINUTES": ("sign_in_window_minutes", 15),
    "OIDC_ISSUER": ("oidc_issuer", ""),
    "OIDC_CLIENT_ID": ("oidc_client_id", ""),
    "OIDC_CLIENT_SECRET": ("oidc_client_secret", ""),
    "OIDC_NAME": ("oidc_name", "single sign-on"),
    "OIDC_ALLOWED_DOMAINS": ("oidc_allowed_domains", ()),
    "OIDC_ROLE_CLAIM": ("oidc_role_claim", ""),
    "OIDC_ROLE_MAP": ("oidc_role_map", ""),
    "TRUSTED_PROXY_HOPS": ("trusted_proxy_hops", 0),
    "ADMIN_EMAIL": ("admin_email", ""),
    "ADMIN_PASSWORD": ("admin_password", ""),
    "ADMIN_NAME": ("admin_name", "Admin"),
    "GEMINI_API_KEY": ("gemini_api_key", ""),
    "GEMINI_MODEL": ("gemini_model", "gemini-2.5-flash"),
    "GEMINI_BASE_URL": ("gemini_base_url", ""),
    "GEMINI_TIMEOUT_SECONDS": ("gemini_timeout_seconds", 4.0),
    "GEMINI_MAX_CONCURRENT": ("gemini_max_concurrent", 4),
    "GEMINI_CIRCUIT_FAILURES": ("gemini_circuit_failures", 5),
    "GEMINI_CIRCUIT_COOLDOWN_SECONDS": ("gemini_circuit_cooldown_seconds", 30.0),
    "CLASSIFIER_MAX_INPUT_CHARS": ("classifier_max_input_chars", 4000),
    "CLASSIFIER_CACHE_SECONDS": ("classifier_cache_seconds", 600),
    "CLASSIFIER_CACHE_SIZE": ("classifier_cache_size", 2048),
    "LIVE_POLL_SECONDS": ("live_poll_seconds", 2.0),
    "LIVE_WATCHERS_MAX": ("live_watchers_max", 1000),
    "LIVE_WATCHERS_PER_USER": ("live_watchers_per_user", 20),
    "API_RATE_PER_TOKEN": ("api_rate_per_token", 1200),
    "API_RATE_PER_ADDRESS": ("api_rate_per_address", 2400),
    "API_RATE_EXPENSIVE_PER_USER": ("api_rate_expensive_per_user", 30),
    "MAIL_ADDRESS": ("mail_address", "support@localhost"),
    "MAIL_NAME": ("mail_name", "Support Desk"),
    "SMTP_URL": ("smtp_url", ""),
    "SMTP_TIMEOUT_SECONDS": ("smtp_timeout_seconds", 30.0),
    "MAIL_MAX_ATTEMPTS": ("mail_max_attempts", 8),
    "MAIL_RETRY_SECONDS": ("mail_retry_seconds", 60.0),
    "MAIL_LEASE_SECONDS": ("mail_lease_seconds", 300.0),
    "MAIL_POLL_SECONDS": ("mail_poll_seconds", 2.0),
    "MAIL_STUCK_MINUTES": ("mail_stuck_minutes", 15),
    "SIGNIN_LINK_MINUTES": ("signin_link_minutes", 30),
    "SIGNIN_LINK_REQUESTS_PER_HOUR": ("signin_link_requests_per_hour", 5),
    "SLA_WARN_PERCENT": ("sla_warn_percent", 80),
    "SLA_SWEEP_SECONDS": ("sla_sweep_seconds", 30.0),
    "SIMILAR_INDEX_SECONDS": ("similar_index_seconds", 1.0),
    "MAIL_REPLY_ADDRESSES": ("mail_reply_addresses", False),
    "IMAP_URL": ("imap_url", ""),
    "IMAP_OAUTH2_TOKEN_FILE": ("imap_oauth2_token_file", ""),
    "IMAP_MOVE_TO": ("imap_move_to", ""),
    "IMAP_POLL_SECONDS": ("imap_poll_seconds", 60.0),
    "MAIL_RECEIVE_PORT": ("mail_receive_port", 0),
    "MAIL_RECEIVE_HOST": ("mail_receive_host", "127.0.0.1"),
    "MAIL_RECEIVE_PROTOCOL": ("mail_receive_protocol", "smtp"),
    "MAIL_MAX_BYTES": ("mail_max_bytes", 25 * 1024 * 1024),
    "MAIL_NEW_TICKETS_PER_HOUR": ("mail_new_tickets_per_hour", 20),
    "MAIL_TICKET_MESSAGES_PER_10_MINUTES": ("mail_ticket_messages_per_10_minutes", 20),
    "LOG_LEVEL": ("log_level", "INFO"),
    "ATTACHMENT_MAX_BYTES": ("attachment_max_bytes", 20 * 1024 * 1024),
    "ATTACHMENT_MAX_MESSAGE_BYTES": ("attachment_max_message_bytes", 50 * 1024 * 1024),
    "ATTACHMENT_STORE": ("attachment_store", "database"),
    "CLAMD_URL": ("clamd_url", ""),
}
OTHER_VARIABLES = ("DATABASE_URL", "DATA_DIR", "REDIS_ALLOW_NO_PASSWORD", "REFLEX_DB_URL")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Settings]]:
    """`environment(NAME=value, ...)`: the settings read from only these variables."""
    monkeypatch.setattr(config, "_TAKEN_FROM_REFLEX", {})

    def read(**variables: str) -> Settings:
        for name in (*DEFAULTS, *OTHER_VARIABLES):
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        reset_caches()
        return get_settings()

    yield read
    monkeypatch.undo()
    reset_caches()


def test_with_no_variables_every_setting_has_its_default(environment):
    settings = environment()
    assert {name: getattr(settings, attribute) for name, (attribute, _) in DEFAULTS.items()} == {
        name: default for name, (_, default) in DEFAULTS.items()
    }
    assert settings.database_url == f"sqlite:///{config.DEFAULT_DATA_DIR / 'tickets.db'}"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("APP_URL", " https://desk.example/ ", "https://desk.example"),
        (
            "CORS_ORIGINS",
            " https://a.example/ , ,https://b.example",
            ("https://a.example", "https://b.example"),
        ),
        ("ALLOWED_HOSTS", "Desk.Example,other.example", ("desk.example", "other.example")),
        ("SECRET_KEY", " s3cret ", "s3cret"),
        ("MAX_BODY_BYTES", " 2048 ", 2048),
        ("DB_POOL_TIMEOUT_SECONDS", "0.1", 0.1),
        ("SQLITE_SYNCHRONOUS", "NORMAL", "normal"),
        ("ADMIN_PASSWORD", "  spaces kept  ", "  spaces kept  "),
        ("ADMIN_NAME", "  ", "Admin"),
        ("TRUSTED_PROXY_HOPS", "2", 2),
        ("OIDC_ISSUER", "https://id.example/ ", "https://id.example"),
        ("OIDC_ALLOWED_DOMAINS", "Example.com, corp.example", ("example.com", "corp.example")),
        (
            "OIDC_ROLE_MAP",
            "support-admins=admin, support=Agent",
            "support-admins=admin, support=Agent",
        ),
        ("API_RATE_PER_TOKEN", "0", 0),
        ("LOG_LEVEL", "Debug", "DEBUG"),
        ("SMTP_URL", " smtps://u:p@mail.example:465 ", "smtps://u:p@mail.example:465"),
        ("MAIL_ADDRESS", " desk@example.org ", "desk@example.org"),
    ],
)
def test_a_variable_reaches_its_setting(environment, name, value, expected):
    attribute, _ = DEFAULTS[name]
    assert getattr(environment(**{name: value}), attribute) == expected


def test_the_database_url_names_psycopg2_and_follows_data_dir(environment, tmp_path: Path):
    plain = environment(DATABASE_URL="postgres://u:p@db:5432/desk")
    assert plain.database_url == "postgresql+psycopg2://u:p@db:5432/desk"
    assert environment(DATA_DIR=str(tmp_path)).database_url == f"sqlite:///{tmp_path}/tickets.db"


def test_the_mail_address_defaults_to_support_at_the_app_host(environment):
    assert environment(APP_URL="https://desk.example").mail_address == "support@desk.example"


def test_reflex_db_url_stands_in_for_database_url_and_is_taken_from_reflex(environment):
    settings = environment(REFLEX_DB_URL="postgresql://u:p@db/desk")
    assert settings.database_url == "postgresql+psycopg2://u:p@db/desk"
    assert "REFLEX_DB_URL" not in os.environ


def test_reflex_db_url_and_database_url_may_not_disagree(environment):
    with pytest.raises(ConfigError, match=r"^REFLEX_DB_URL and DATABASE_URL name different"):
        environment(REFLEX_DB_URL="sqlite:///a.db", DATABASE_URL="sqlite:///b.db")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAX_BODY_BYTES", "lots", "MAX_BODY_BYTES must be a whole number, got 'lots'"),
        ("FORM_MAX_BODY_BYTES", "512", "FORM_MAX_BODY_BYTES must be at least 1024, got 512"),
        ("DB_POOL_SIZE", "0", "DB_POOL_SIZE must be at least 1, got 0"),
        ("TRUSTED_PROXY_HOPS", "-1", "TRUSTED_PROXY_HOPS must be at least 0, got -1"),
        ("DB_POOL_TIMEOUT_SECONDS", "soon", "DB_POOL_TIMEOUT_SECONDS must be a number, got 'soon'"),
        ("LIVE_POLL_SECONDS", "0.1", "LIVE_POLL_SECONDS must be at least 0.2, got 0.1"),
        ("AUTH_CACHE_SECONDS", "-1", "AUTH_CACHE_SECONDS must be at least 0.0, got -1.0"),
        (
            "SQLITE_SYNCHRONOUS",
            "off",
            "SQLITE_SYNCHRONOUS must be one of full, extra, normal, got 'off'",
        ),
        (
            "LOG_LEVEL",
            "LOUD",
            "LOG_LEVEL must be one of debug, info, warning, error, critical, got 'loud'",
        ),
        (
            "OIDC_ROLE_MAP",
            "support=boss",
            "OIDC_ROLE_MAP must be group=role pairs separated by commas, each role one of admin,"
            " agent, requester; got 'support=boss'",
        ),
        (
            "REDIS_ALLOW_NO_PASSWORD",
            "maybe",
            "REDIS_ALLOW_NO_PASSWORD must be true or false, got 'maybe'",
        ),
        (
            "ATTACHMENT_STORE",
            "ftp://files",
            "ATTACHMENT_STORE must be database or s3://bucket/prefix, got 'ftp://files'",
        ),
        (
            "CLAMD_URL",
            "clamd:3310",
            "CLAMD_URL must be tcp://host:port or unix:///path, got 'clamd:3310'",
        ),
        (
            "SMTP_URL",
            "http://mail.example",
            "SMTP_URL must look like smtp://host:25, smtp+starttls://user:pass@host:587 or"
            " smtps://user:pass@host:465 (scheme 'http')",
        ),
        ("SMTP_URL", "smtp://mail.example:port", "SMTP_URL has a port that is not a number"),
        ("MAIL_ADDRESS", "a@b@c", "MAIL_ADDRESS must be one mail address, got 'a@b@c'"),
        ("SLA_WARN_PERCENT", "100", "SLA_WARN_PERCENT must be at most 99, got 100"),
        ("MAIL_POLL_SECONDS", "0.01", "MAIL_POLL_SECONDS must be at least 0.05, got 0.01"),
        ("SIMILAR_INDEX_SECONDS", "0", "SIMILAR_INDEX_SECONDS must be at least 0.1, got 0.0"),
        (
            "IMAP_URL",
            "pop3://desk:pw@mail.example",
            "IMAP_URL must look like imaps://user:pass@host:993/INBOX (or imap://...), with a"
            " user (scheme 'pop3')",
        ),
        (
            "IMAP_URL",
            "imaps://mail.example/INBOX",
            "IMAP_URL must look like imaps://user:pass@host:993/INBOX (or imap://...), with a"
            " user (scheme 'imaps')",
        ),
        ("IMAP_URL", "imaps://u:p@mail.example:port", "IMAP_URL has a port that is not a number"),
        (
            "MAIL_RECEIVE_PROTOCOL",
            "pop3",
            "MAIL_RECEIVE_PROTOCOL must be one of smtp, lmtp, got 'pop3'",
        ),
        ("MAIL_MAX_BYTES", "10", "MAIL_MAX_BYTES must be at least 1024, got 10"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(environment, name, value, message):
    with pytest.raises(ConfigError) as refused:
        environment(**{name: value})
    assert str(refused.value) == message


def test_the_readme_table_is_generated_from_the_declarations():
    readme = config.README.read_text(encoding="utf-8")
    assert config.readme_with_table(readme) == readme, (
        "README.md's settings table is stale: run `python -m ticket_app.config --write-readme`"
    )
    table = readme.partition(config.TABLE_START)[2].partition(config.TABLE_END)[0]
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| `")]
    assert {row[0].strip("| `") for row in rows} == {*DEFAULTS, *OTHER_VARIABLES} - {
        "REFLEX_DB_URL"
    }
    assert ["`262144`", "whole number ≥ 1024"] in [row[1:3] for row in rows]
