"""Every setting the app reads, from environment variables, in one place.

Each setting is declared once, as a field of `Settings`: its variable, default, bounds and
meaning sit together, `_load` reads every field from its declaration, and the README's
configuration table is generated from the same declarations (`python -m ticket_app.config
--write-readme`; a test fails when the README is behind). Each setting has a safe default so
the embedded run (SQLite, offline classifier) needs no configuration at all. Other modules
call `get_settings()`; nothing else reads `os.environ`.
"""

import argparse
import ipaddress
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
README = PROJECT_ROOT / "README.md"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
SQLITE_SYNCHRONOUS = ("full", "extra", "normal")
SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")
IMAP_SCHEMES = ("imap", "imap+starttls", "imaps")
TABLE_START = (
    "<!-- settings table: generated from ticket_app/config.py by"
    " `python -m ticket_app.config --write-readme`; edit the declarations there -->"
)
TABLE_END = "<!-- end of settings table -->"

logger = logging.getLogger(__name__)


class ConfigError(ValueError):
    """An environment variable holds a value the app cannot use."""


@dataclass(frozen=True)
class Setting:
    """How one environment variable becomes one field of `Settings`, and its README row."""

    env: str
    default: Any
    doc: str
    minimum: float | None = None  # numbers: the least value accepted (0 when None)
    choices: tuple[str, ...] = ()
    shown: str = ""  # the default as the README shows it, where the value itself would mislead
    clean: Callable[[Any], Any] | None = None  # applied to the value read
    strip: bool = True  # text: surrounding spaces dropped (not for a password)


def setting(env: str, default: Any, doc: str, **how: Any) -> Any:
    """A field of `Settings` read from `env`; see `Setting` for `how`."""
    return field(metadata={"setting": Setting(env, default, doc, **how)})


def _at_most(name: str, value: int, maximum: int) -> int:
    if value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


def _lower_all(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(item.lower() for item in items)


def _attachment_store(url: str) -> str:
    """`database`, or an `s3://bucket/...` URL naming its bucket."""
    if url == "database" or (url.startswith("s3://") and urlsplit(url).hostname):
        return url
    raise ConfigError(f"ATTACHMENT_STORE must be database or s3://bucket/prefix, got {url!r}")


def _clamd_url(url: str) -> str:
    """Empty, `tcp://host:port` or `unix:///path`."""
    parts = urlsplit(url)
    if not url or (parts.scheme == "tcp" and parts.hostname and parts.port):
        return url
    if parts.scheme == "unix" and parts.path:
        return url
    raise ConfigError(f"CLAMD_URL must be tcp://host:port or unix:///path, got {url!r}")


def _smtp_url(url: str) -> str:
    """SMTP_URL: `smtp://host:25`, `smtp+starttls://user:pass@host:587` or
    `smtps://user:pass@host:465`; empty keeps mail in the outbox."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise ConfigError(
            "SMTP_URL must look like smtp://host:25, smtp+starttls://user:pass@host:587 or"
            f" smtps://user:pass@host:465 (scheme {parts.scheme!r})"
        )
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ConfigError("SMTP_URL has a port that is not a number") from None
    return url


ROLE_NAMES = ("admin", "agent", "requester")


def role_map(raw: str) -> tuple[tuple[str, str], ...]:
    """OIDC_ROLE_MAP's pairs (group, role): `a=admin,b=agent`; ConfigError naming a bad one."""
    pairs: list[tuple[str, str]] = []
    for item in raw.split(","):
        if not item.strip():
            continue
        group, equals, role = item.partition("=")
        if not equals or not group.strip() or role.strip().lower() not in ROLE_NAMES:
            raise ConfigError(
                f"OIDC_ROLE_MAP must be group=role pairs separated by commas, each role one of"
                f" {', '.join(ROLE_NAMES)}; got {item.strip()!r}"
            )
        pairs.append((group.strip(), role.strip().lower()))
    return tuple(pairs)


def _role_map_text(raw: str) -> str:
    role_map(raw)
    return raw


def _imap_url(url: str) -> str:
    """IMAP_URL: `imaps://user:pass@host:993/FOLDER` or `imap://...`; empty turns polling off."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in IMAP_SCHEMES or not parts.hostname or not parts.username:
        raise ConfigError(
            "IMAP_URL must look like imaps://user:pass@host:993/INBOX (or imap://...), with a"
            f" user (scheme {parts.scheme!r})"
        )
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ConfigError("IMAP_URL has a port that is not a number") from None
    return url


@dataclass(frozen=True)
class Settings:
    """The app's configuration, one declaration per environment variable."""

    database_url: str = setting(
        "DATABASE_URL",
        "",
        "SQLAlchemy URL; `postgresql://user:pass@host:5432/db` for PostgreSQL (psycopg2)",
        shown="`sqlite:///./data/tickets.db`",
    )
    data_dir: Path = setting(
        "DATA_DIR",
        DEFAULT_DATA_DIR,
        "where the default SQLite file lives (created on start)",
        shown="`./data`",
    )
    app_url: str = setting(
        "APP_URL",
        "http://localhost:8000",
        "the origin browsers use; allowed for CORS and the websocket (its"
        " `localhost`/`127.0.0.1` twin too)",
        clean=lambda url: url.rstrip("/"),
    )
    cors_origins: tuple[str, ...] = setting(
        "CORS_ORIGINS", (), "further allowed origins, comma-separated (never `*`)"
    )
    extra_hosts: tuple[str, ...] = setting(
        "ALLOWED_HOSTS",
        (),
        "further host names requests may be addressed to, comma-separated; the `Host` of every"
        " page, API and websocket request must be `APP_URL`'s host (plus `localhost`,"
        " `127.0.0.1` and `::1` when `APP_URL` is on localhost) or one of these, else 400"
        " (against DNS rebinding)",
        clean=_lower_all,
    )
    secret_key: str = setting(
        "SECRET_KEY",
        "",
        "signs cursors and the setup address; when empty, a random key is generated at the"
        " first start and kept in the database, so every worker and instance shares it (never"
        " derived from anything that is not secret)",
        shown="*(generated)*",
    )
    max_body_bytes: int = setting(
        "MAX_BODY_BYTES",
        256 * 1024,
        "API request bodies (under `/api/`) over this get 413",
        minimum=1024,
    )
    form_max_body_bytes: int = setting(
        "FORM_MAX_BODY_BYTES",
        16 * 1024,
        "request bodies anywhere else (the sign-in, setup and sign-out forms, the pages) over"
        " this get 413, before they are read whole",
        minimum=1024,
    )
    db_pool_size: int = setting(
        "DB_POOL_SIZE",
        5,
        "database connections per worker process (plus as many overflow); on PostgreSQL keep"
        " workers × (2 × this + 2) + 1 under the server's `max_connections` (the health check"
        " has a connection of its own, the worker that runs the background jobs one for its"
        " lock)",
        minimum=1,
    )
    sqlite_synchronous: str = setting(
        "SQLITE_SYNCHRONOUS",
        "full",
        "SQLite only: `full` syncs every commit to disk before the request is answered, so an"
        " acknowledged ticket survives a power cut; `normal` is faster (about 20% more creates"
        " per second, measured) but may lose the last commits on a power cut; `extra` syncs"
        " even more",
        choices=SQLITE_SYNCHRONOUS,
    )
    db_pool_timeout_seconds: float = setting(
        "DB_POOL_TIMEOUT_SECONDS",
        2.0,
        "how long a request waits for a free connection before it gets a 503 (with `Retry-After`)",
        minimum=0.1,
    )
    db_statement_timeout_seconds: float = setting(
        "DB_STATEMENT_TIMEOUT_SECONDS",
        5.0,
        "longest a statement may run (PostgreSQL's `statement_timeout`; on SQLite the statement"
        " is interrupted, and a write waits at most this long for the file lock); past it the"
        " request gets a 503. Migrations have no limit",
        minimum=0.1,
    )
    redis_url: str = setting(
        "REFLEX_REDIS_URL",
        "",
        "Reflex's state manager (`redis://:PASSWORD@host:6379/0`), so the backend can run"
        " several workers; refused without a password unless the Redis is on this machine",
    )
    redis_allow_no_password: bool = setting(
        "REDIS_ALLOW_NO_PASSWORD",
        False,
        "`true` accepts a password-less `REFLEX_REDIS_URL` on another machine (only if nothing"
        " else can reach that Redis), with a warning at every start",
    )
    session_idle_minutes: int = setting(
        "SESSION_IDLE_MINUTES",
        8 * 60,
        "a browser session ends after this long without use",
        minimum=1,
    )
    session_max_days: int = setting(
        "SESSION_MAX_DAYS", 7, "... and after this long in any case (sign in again)", minimum=1
    )
    auth_cache_seconds: float = setting(
        "AUTH_CACHE_SECONDS",
        2.0,
        "how long a process may reuse who a session or token belongs to; a sign-out, a revoked"
        " token or a deactivation bites within this",
    )
    setup_link_minutes: int = setting(
        "SETUP_LINK_MINUTES",
        60,
        "how long the first-admin setup address printed at start works",
        minimum=1,
    )
    sign_in_max_failures: int = setting(
        "SIGN_IN_MAX_FAILURES",
        5,
        "failed sign-ins for one account from one client address before further attempts from"
        " there are refused (each attempt is counted before its password is checked, so"
        " simultaneous guesses cannot pass together); also the wrong current passwords a user"
        " may give when changing theirs. Failures from other addresses never refuse the right"
        " password: once an account has this many from anywhere, every attempt on it waits"
        " `SIGN_IN_SLOWDOWN_SECONDS` instead",
        minimum=1,
    )
    sign_in_address_max_failures: int = setting(
        "SIGN_IN_ADDRESS_MAX_FAILURES",
        20,
        "failed sign-ins from one client address, on any accounts, before further attempts from"
        " it are refused",
        minimum=1,
    )
    sign_in_slowdown_seconds: float = setting(
        "SIGN_IN_SLOWDOWN_SECONDS",
        3.0,
        "the wait before the password is checked on an account with `SIGN_IN_MAX_FAILURES`"
        " recent failures (a slowdown, never a lockout)",
    )
    sign_in_window_minutes: int = setting(
        "SIGN_IN_WINDOW_MINUTES",
        15,
        "... all within this window (the form says when to try again; a script asking for JSON"
        " gets 429 with `Retry-After`). Counted in Redis when `REFLEX_REDIS_URL` is set, in the"
        " process otherwise",
        minimum=1,
    )
    oidc_issuer: str = setting(
        "OIDC_ISSUER",
        "",
        "single sign-on: the OpenID provider's issuer URL (its"
        " `/.well-known/openid-configuration` is read from there); with `OIDC_CLIENT_ID` and"
        " `OIDC_CLIENT_SECRET` the login page offers the provider's button",
        clean=lambda url: url.rstrip("/"),
    )
    oidc_client_id: str = setting("OIDC_CLIENT_ID", "", "the desk's client id at the provider")
    oidc_client_secret: str = setting(
        "OIDC_CLIENT_SECRET",
        "",
        "the desk's client secret at the provider (the redirect address to register there is"
        " `APP_URL` + `/auth/oidc/callback`)",
    )
    oidc_name: str = setting(
        "OIDC_NAME", "single sign-on", "the provider's name on the login page's button"
    )
    oidc_allowed_domains: tuple[str, ...] = setting(
        "OIDC_ALLOWED_DOMAINS",
        (),
        "mail domains whose people get an account at their first single sign-on,"
        " comma-separated; anyone else needs an account made by an admin first (the provider"
        " must say the address is verified either way)",
        clean=_lower_all,
    )
    oidc_role_claim: str = setting(
        "OIDC_ROLE_CLAIM",
        "",
        "the ID token's claim holding the person's groups (e.g. `groups`), read with"
        " `OIDC_ROLE_MAP`; when empty, accounts made at sign-on are requesters",
    )
    oidc_role_map: str = setting(
        "OIDC_ROLE_MAP",
        "",
        "which group value of `OIDC_ROLE_CLAIM` gives which role,"
        " e.g. `support-admins=admin,support=agent` (the highest that matches wins; no match:"
        " requester). Applied when the account is made at the first sign-on; later an admin"
        " changes roles in the app",
        clean=_role_map_text,
    )
    trusted_proxy_hops: int = setting(
        "TRUSTED_PROXY_HOPS",
        0,
        "reverse proxies in front of the app: the client address is read from"
        " `X-Forwarded-For` only through this many hops (for sign-in throttling and rate"
        " limits); 0 ignores the header",
    )
    admin_email: str = setting(
        "ADMIN_EMAIL",
        "",
        "with `ADMIN_PASSWORD`, create this admin at start when the desk has none (containers);"
        " without them the setup address is printed instead",
    )
    admin_password: str = setting(
        "ADMIN_PASSWORD",
        "",
        "the password of the admin `ADMIN_EMAIL` creates (taken as it is, spaces included)",
        strip=False,
    )
    admin_name: str = setting("ADMIN_NAME", "Admin", "the name of that admin")
    gemini_api_key: str = setting(
        "GEMINI_API_KEY", "", "enables Gemini; without it the offline model answers"
    )
    gemini_model: str = setting("GEMINI_MODEL", "gemini-2.5-flash", "the Gemini model")
    gemini_base_url: str = setting(
        "GEMINI_BASE_URL",
        "",
        "another endpoint for the Gemini API (a proxy, or a test fake)",
        shown="*(Google's)*",
    )
    gemini_timeout_seconds: float = setting(
        "GEMINI_TIMEOUT_SECONDS", 4.0, "hard timeout of one Gemini call", minimum=0.1
    )
    gemini_max_concurrent: int = setting(
        "GEMINI_MAX_CONCURRENT",
        4,
        "Gemini calls in flight per process; a call beyond that gets the offline model's answer"
        " at once (marked `used_fallback`) instead of waiting",
        minimum=1,
    )
    gemini_circuit_failures: int = setting(
        "GEMINI_CIRCUIT_FAILURES",
        5,
        "Gemini failures in a row that open the circuit: offline model only for the cool-down",
        minimum=1,
    )
    gemini_circuit_cooldown_seconds: float = setting(
        "GEMINI_CIRCUIT_COOLDOWN_SECONDS",
        30.0,
        "how long an open circuit stays offline-only before one trial call decides whether it"
        " closes",
    )
    classifier_max_input_chars: int = setting(
        "CLASSIFIER_MAX_INPUT_CHARS",
        4000,
        "longer text is cut before classification",
        minimum=100,
    )
    classifier_cache_seconds: int = setting(
        "CLASSIFIER_CACHE_SECONDS", 600, "how long a suggestion for the same text is reused"
    )
    classifier_cache_size: int = setting(
        "CLASSIFIER_CACHE_SIZE", 2048, "how many suggestions are kept", minimum=1
    )
    live_poll_seconds: float = setting(
        "LIVE_POLL_SECONDS",
        2.0,
        "how often each server process checks for ticket changes to push to browsers",
        minimum=0.2,
    )
    live_watchers_max: int = setting(
        "LIVE_WATCHERS_MAX",
        1000,
        "live pages (lists, dashboards, ticket pages) one server process keeps updating; pages"
        " opened beyond it load but do not update live",
        minimum=1,
    )
    live_watchers_per_user: int = setting(
        "LIVE_WATCHERS_PER_USER",
        20,
        "live pages one person's tabs keep in one server process; their next tab takes the"
        " place of their oldest live page, so nobody's tabs use up everyone else's",
        minimum=1,
    )
    api_rate_per_token: int = setting(
        "API_RATE_PER_TOKEN",
        1200,
        "API requests one token may make per minute (a moving window); past it 429 with"
        " `Retry-After`; 0 turns it off. Counted in Redis when `REFLEX_REDIS_URL` is set, so"
        " every worker and instance shares one count; in the process otherwise",
    )
    api_rate_per_address: int = setting(
        "API_RATE_PER_ADDRESS",
        2400,
        "the same per client address (behind a proxy, the address `TRUSTED_PROXY_HOPS` names),"
        " checked before the token, so guessing tokens is limited too",
    )
    api_rate_expensive_per_user: int = setting(
        "API_RATE_EXPENSIVE_PER_USER",
        30,
        "requests per minute one user (whichever token) may make to the expensive routes:"
        " classify, similar (both), the CSV export and bulk changes; 0 turns it off",
    )
    attachment_max_bytes: int = setting(
        "ATTACHMENT_MAX_BYTES",
        20 * 1024 * 1024,
        "largest attached file; a bigger one gets 413 naming this limit as soon as its bytes"
        " pass it (the browser's forms say it before upload)",
        minimum=1,
        shown="`20971520` (20 MiB)",
    )
    attachment_max_message_bytes: int = setting(
        "ATTACHMENT_MAX_MESSAGE_BYTES",
        50 * 1024 * 1024,
        "all files of one message together (a new ticket, a reply, a note: at most 10 files);"
        " a body declaring more gets 413 before a byte is read",
        minimum=1,
        shown="`52428800` (50 MiB)",
    )
    attachment_store: str = setting(
        "ATTACHMENT_STORE",
        "database",
        "where attached files live: `database` (in the desk's database, committed with their"
        " message) or `s3://bucket/prefix?endpoint=https://host:port&region=…` for an"
        " S3-compatible store (credentials from the usual `AWS_ACCESS_KEY_ID`/"
        "`AWS_SECRET_ACCESS_KEY`); each content is stored once (by SHA-256) either way",
        clean=_attachment_store,
    )
    clamd_url: str = setting(
        "CLAMD_URL",
        "",
        "ClamAV's daemon (`tcp://host:3310` or `unix:///run/clamav/clamd.ctl`) scans every"
        " upload; an infected file is refused; while it cannot be reached, uploads are kept"
        " as pending and served only once a later scan passes",
        clean=_clamd_url,
    )
    mail_address: str = setting(
        "MAIL_ADDRESS",
        "",
        "the desk's address: From and Reply-To of every mail (and the domain of its Message-IDs)",
        shown="`support@` + `APP_URL`'s host",
    )
    mail_name: str = setting("MAIL_NAME", "Support Desk", "the display name in From")
    smtp_url: str = setting(
        "SMTP_URL",
        "",
        "the outgoing mail server: `smtp://host:25`, `smtp+starttls://user:pass@host:587`"
        " (STARTTLS) or `smtps://user:pass@host:465` (TLS); login when a user is given. Unset:"
        " mail stays queued in the outbox, never lost and never sent, and admins can open each"
        " mail as it would go out",
        clean=_smtp_url,
    )
    smtp_timeout_seconds: float = setting(
        "SMTP_TIMEOUT_SECONDS",
        30.0,
        "longest wait for the mail server on one connection or command",
        minimum=0.1,
    )
    mail_max_attempts: int = setting(
        "MAIL_MAX_ATTEMPTS",
        8,
        "tries per mail before it is marked failed (a 5xx refusal fails it at once); an admin"
        " can retry it",
        minimum=1,
    )
    mail_retry_seconds: float = setting(
        "MAIL_RETRY_SECONDS",
        60.0,
        "wait before the second try; doubled after each further failure (at most 6 hours)",
        minimum=0.01,
    )
    mail_lease_seconds: float = setting(
        "MAIL_LEASE_SECONDS",
        300.0,
        "a mail claimed by a sender that died is claimed again after this long (keep it well"
        " above the time one mail takes)",
        minimum=1.0,
    )
    mail_poll_seconds: float = setting(
        "MAIL_POLL_SECONDS",
        2.0,
        "how often each server process looks for mail to send when the outbox was empty",
        minimum=0.05,
    )
    mail_stuck_minutes: int = setting(
        "MAIL_STUCK_MINUTES",
        15,
        'the health check reports `mail_queue: "stuck"` (still 200) when `SMTP_URL` is set'
        " and the oldest queued mail is older than this",
        minimum=1,
    )
    signin_link_minutes: int = setting(
        "SIGNIN_LINK_MINUTES",
        30,
        "how long a requester's sign-in link from a mail works (once)",
        minimum=1,
    )
    signin_link_requests_per_hour: int = setting(
        "SIGNIN_LINK_REQUESTS_PER_HOUR",
        5,
        '"email me a sign-in link" requests per address and per client address in an hour;'
        " more get the same answer and no mail",
        minimum=1,
    )
    sla_warn_percent: int = setting(
        "SLA_WARN_PERCENT",
        80,
        "share of a service-level target (business time) at which the assignee is warned, once;"
        " a second notice comes at the breach",
        minimum=1,
        clean=lambda value: _at_most("SLA_WARN_PERCENT", value, 99),
    )
    sla_sweep_seconds: float = setting(
        "SLA_SWEEP_SECONDS",
        30.0,
        "how often each server process looks for service-level warnings and breaches to send"
        " (it reads only tickets coming due); 0 turns the sweep off (then run"
        " `python -m ticket_app.manage sla-sweep` from a timer)",
    )
    similar_index_seconds: float = setting(
        "SIMILAR_INDEX_SECONDS",
        1.0,
        "how often each server process writes the similar-tickets terms of new tickets (a"
        " create only marks its ticket; the step indexes them in batches, and its first run at"
        " start catches up on any a stopped process left): a new ticket is offered as similar"
        " to others after about this long",
        minimum=0.1,
    )
    mail_reply_addresses: bool = setting(
        "MAIL_REPLY_ADDRESSES",
        False,
        "mail about a ticket says Reply-To `support+t123.SIGNATURE@…` (signed, one per ticket),"
        " which threads a reply even when its client dropped the headers; needs a mail server"
        " that delivers plus-addresses to the desk's mailbox",
    )
    imap_url: str = setting(
        "IMAP_URL",
        "",
        "incoming mailbox to poll: `imaps://user:pass@host:993/INBOX` (folder optional;"
        " `imap+starttls://` on port 143; plain `imap://` only on a trusted network); unset: no"
        " polling",
        clean=_imap_url,
        strip=False,
    )
    imap_oauth2_token_file: str = setting(
        "IMAP_OAUTH2_TOKEN_FILE",
        "",
        "a file holding a current OAuth2 access token for `IMAP_URL`'s user (XOAUTH2, for"
        " providers that no longer take passwords); read at each connection, so whatever"
        " refreshes the token only rewrites the file",
    )
    imap_move_to: str = setting(
        "IMAP_MOVE_TO",
        "",
        "folder a message moves to once its ticket is committed; unset: it is flagged `\\Seen`"
        " and only unseen messages are fetched",
    )
    imap_poll_seconds: float = setting(
        "IMAP_POLL_SECONDS",
        60.0,
        "pause between two looks at the mailbox when the server has no IDLE (with IDLE, the"
        " longest wait before looking anyway)",
        minimum=1.0,
    )
    mail_receive_port: int = setting(
        "MAIL_RECEIVE_PORT",
        0,
        "port of the app's own SMTP (or LMTP) listener for the desk's addresses; 0 (the"
        " default, also embedded) turns it off. It accepts mail for `MAIL_ADDRESS` and its"
        " plus-addresses only (not a relay) and answers 451 when it cannot store a message",
    )
    mail_receive_host: str = setting(
        "MAIL_RECEIVE_HOST",
        "127.0.0.1",
        "address the listener binds (`0.0.0.0` in a container behind a mail server)",
    )
    mail_receive_protocol: str = setting(
        "MAIL_RECEIVE_PROTOCOL",
        "smtp",
        "what the listener speaks: `lmtp` for a mail server's LMTP delivery (Postfix"
        " `lmtp:` transport), `smtp` otherwise",
        choices=("smtp", "lmtp"),
    )
    mail_max_bytes: int = setting(
        "MAIL_MAX_BYTES",
        25 * 1024 * 1024,
        "received mail over this is quarantined, kept whole (the listener refuses mail over"
        " twice this)",
        minimum=1024,
    )
    mail_new_tickets_per_hour: int = setting(
        "MAIL_NEW_TICKETS_PER_HOUR",
        20,
        "new tickets one sender may open by mail in an hour; more are quarantined (kept, no"
        " ticket, nothing sent) for an admin; 0 turns the cap off",
    )
    mail_ticket_messages_per_10_minutes: int = setting(
        "MAIL_TICKET_MESSAGES_PER_10_MINUTES",
        20,
        "mails one ticket may take in 10 minutes; more are quarantined like the above; 0 turns"
        " the cap off",
    )
    log_level: str = setting(
        "LOG_LEVEL",
        "info",
        "level of the app's own log lines on stderr; Reflex's own follow `REFLEX_LOGLEVEL`",
        choices=LOG_LEVELS,
        clean=str.upper,
    )

    @property
    def oidc_enabled(self) -> bool:
        """Single sign-on is offered when the provider and the desk's client are named."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS when the app is served over HTTPS."""
        return self.app_url.startswith("https://")

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """The app's own origin (under both loopback names) plus the configured list."""
        own = [self.app_url]
        for local, alias in (("localhost", "127.0.0.1"), ("127.0.0.1", "localhost")):
            if f"//{local}:" in self.app_url:
                own.append(self.app_url.replace(f"//{local}:", f"//{alias}:"))
        return tuple(dict.fromkeys([*own, *self.cors_origins]))

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """The names requests may be addressed to (Host, without the port): APP_URL's, the
        loopback names when APP_URL is a loopback one, and ALLOWED_HOSTS."""
        own = (urlsplit(self.app_url).hostname or "").rstrip(".")
        loopback = LOOPBACK_HOSTS if own in LOOPBACK_HOSTS else ()
        return frozenset({own, *loopback, *self.extra_hosts})


def declarations() -> list[tuple[str, Any, Setting]]:
    """Each field of `Settings` with its type and declaration, in the order declared."""
    return [(item.name, item.type, item.metadata["setting"]) for item in fields(Settings)]


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(item.strip().rstrip("/") for item in raw.split(",") if item.strip())


def _str(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _flag(name: str, default: bool) -> bool:
    value = _str(name, str(default).lower()).lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(f"{name} must be true or false, got {value!r}")
    return value in ("true", "1", "yes")


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _str(name, default).lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _read(kind: Any, spec: Setting) -> Any:
    """The value of one declared setting, from its variable, checked against its bounds."""
    if spec.choices:
        value: Any = _choice(spec.env, spec.default, spec.choices)
    elif kind is bool:
        value = _flag(spec.env, spec.default)
    elif kind is int:
        value = _int(spec.env, spec.default, int(spec.minimum or 0))
    elif kind is float:
        value = _float(spec.env, spec.default, float(spec.minimum or 0))
    elif kind == tuple[str, ...]:
        value = _list(spec.env) or spec.default
    elif kind is Path:
        value = Path(_str(spec.env, str(spec.default)))
    elif spec.strip:
        value = _str(spec.env, spec.default)
    else:
        value = os.environ.get(spec.env, spec.default)
    return spec.clean(value) if spec.clean else value


def _is_local(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _redis_url(url: str, allow_no_password: bool) -> str:
    """REFLEX_REDIS_URL, refused without a password unless Redis is on this machine.

    Redis holds the UI state as pickles: whoever can write to it runs code in the app.
    REDIS_ALLOW_NO_PASSWORD=true accepts a password-less remote Redis, with a warning.
    """
    parts = urlsplit(url)
    if not url or parts.password or parts.scheme == "unix" or _is_local(parts.hostname or ""):
        return url
    where = f"{parts.hostname}:{parts.port or 6379}"
    if not allow_no_password:
        raise ConfigError(
            f"REFLEX_REDIS_URL names a Redis at {where} without a password. Redis holds the UI"
            " state as pickles, so anyone who can write to it runs code in this app: give it"
            " a password (redis://:PASSWORD@host:6379/0), or set REDIS_ALLOW_NO_PASSWORD=true"
            " if only this app can reach it."
        )
    logger.warning(
        "REDIS_ALLOW_NO_PASSWORD=true: using the Redis at %s without a password. Anyone who"
        " can reach it can run code in this app through the UI state stored there.",
        where,
    )
    return url


_TAKEN_FROM_REFLEX: dict[str, str] = {}


def _database_url(database_url: str, data_dir: Path) -> str:
    """DATABASE_URL, or Reflex's documented REFLEX_DB_URL in its place, for psycopg2.

    The app owns the database (its engine, its migrations), so REFLEX_DB_URL is taken out of
    the environment before Reflex reads it: Reflex would open the URL with a driver the app
    does not install and compare the schema against migrations it does not know.
    """
    if "REFLEX_DB_URL" in os.environ:
        _TAKEN_FROM_REFLEX["REFLEX_DB_URL"] = os.environ.pop("REFLEX_DB_URL").strip()
    reflex_url = _TAKEN_FROM_REFLEX.get("REFLEX_DB_URL", "")
    if reflex_url and database_url and reflex_url != database_url:
        raise ConfigError(
            "REFLEX_DB_URL and DATABASE_URL name different databases; set DATABASE_URL only"
        )
    url = database_url or reflex_url or f"sqlite:///{data_dir / 'tickets.db'}"
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            # SQLAlchemy 2.1 maps the plain scheme to psycopg 3; the stack uses psycopg2.
            return "postgresql+psycopg2://" + url.removeprefix(plain)
    return url


def _mail_address(address: str, app_url: str) -> str:
    """MAIL_ADDRESS, by default support@ the host of APP_URL."""
    address = address or f"support@{urlsplit(app_url).hostname or 'localhost'}"
    if address.count("@") != 1 or " " in address or address.startswith("@"):
        raise ConfigError(f"MAIL_ADDRESS must be one mail address, got {address!r}")
    return address


def _load() -> Settings:
    values = {name: _read(kind, spec) for name, kind, spec in declarations()}
    values["database_url"] = _database_url(values["database_url"], values["data_dir"])
    values["redis_url"] = _redis_url(values["redis_url"], values["redis_allow_no_password"])
    values["mail_address"] = _mail_address(values["mail_address"], values["app_url"])
    return Settings(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once; tests call `get_settings.cache_clear()`."""
    return _load()


def _accepts(kind: Any, spec: Setting) -> str:
    if spec.choices:
        return ", ".join(f"`{choice}`" for choice in spec.choices)
    if kind is bool:
        return "`true` or `false`"
    if kind in (int, float):
        noun = "whole number" if kind is int else "number"
        return f"{noun} ≥ {spec.minimum or 0:g}"
    if kind == tuple[str, ...]:
        return "comma-separated list"
    return "path" if kind is Path else "text"


def _shown(spec: Setting) -> str:
    if spec.shown:
        return spec.shown
    if spec.default in ("", ()):
        return "*(none)*"
    if isinstance(spec.default, bool):
        return f"`{str(spec.default).lower()}`"
    if isinstance(spec.default, float):
        return f"`{spec.default:g}`"
    return f"`{spec.default}`"


def markdown_table() -> str:
    """The README's configuration table, one row per declared setting."""
    rows = [
        "| variable | default | accepts | meaning |",
        "|---|---|---|---|",
        *(
            f"| `{spec.env}` | {_shown(spec)} | {_accepts(kind, spec)} | {spec.doc} |"
            for _, kind, spec in declarations()
        ),
    ]
    return "\n".join(rows)


def readme_with_table(readme: str) -> str:
    """`readme` with the text between the table's markers replaced by `markdown_table()`."""
    before, start, rest = readme.partition(TABLE_START)
    _, end, after = rest.partition(TABLE_END)
    if not start or not end:
        raise ConfigError("README.md has lost the markers around its settings table")
    return f"{before}{TABLE_START}\n\n{markdown_table()}\n\n{TABLE_END}{after}"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m ticket_app.config", description="The settings declared here"
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--markdown", action="store_true", help="print the README's table")
    what.add_argument("--write-readme", action="store_true", help="rewrite README.md's table")
    arguments = parser.parse_args()
    if arguments.markdown:
        print(markdown_table())
    else:
        README.write_text(readme_with_table(README.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
