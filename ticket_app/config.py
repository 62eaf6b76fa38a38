"""Every setting the app reads, from environment variables, in one place.

Each setting has a safe default so the embedded run (SQLite, offline classifier) needs no
configuration at all. Other modules call `get_settings()`; nothing else reads `os.environ`.
"""

import ipaddress
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
SQLITE_SYNCHRONOUS = ("full", "extra", "normal")

logger = logging.getLogger(__name__)


class ConfigError(ValueError):
    """An environment variable holds a value the app cannot use."""


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


def _flag(name: str) -> bool:
    value = _str(name, "false").lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(f"{name} must be true or false, got {value!r}")
    return value in ("true", "1", "yes")


def _is_local(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _redis_url(allow_no_password: bool) -> str:
    """REFLEX_REDIS_URL, refused without a password unless Redis is on this machine.

    Redis holds the UI state as pickles: whoever can write to it runs code in the app.
    REDIS_ALLOW_NO_PASSWORD=true accepts a password-less remote Redis, with a warning.
    """
    url = _str("REFLEX_REDIS_URL")
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


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _str(name, default).lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """The app's configuration; see the README's configuration table."""

    database_url: str
    app_url: str
    cors_origins: tuple[str, ...]
    extra_hosts: tuple[str, ...]
    max_body_bytes: int
    secret_key: str
    db_pool_size: int
    db_pool_timeout_seconds: float
    db_statement_timeout_seconds: float
    sqlite_synchronous: str
    redis_url: str
    gemini_api_key: str
    gemini_model: str
    gemini_base_url: str
    gemini_timeout_seconds: float
    gemini_max_concurrent: int
    gemini_circuit_failures: int
    gemini_circuit_cooldown_seconds: float
    classifier_max_input_chars: int
    classifier_cache_seconds: int
    classifier_cache_size: int
    live_poll_seconds: float
    session_idle_minutes: int
    session_max_days: int
    auth_cache_seconds: float
    setup_link_minutes: int
    sign_in_max_failures: int
    sign_in_window_minutes: int
    sign_in_address_max_failures: int
    sign_in_slowdown_seconds: float
    form_max_body_bytes: int
    trusted_proxy_hops: int
    api_rate_per_token: int
    api_rate_per_address: int
    api_rate_expensive_per_user: int
    admin_email: str
    admin_name: str
    admin_password: str

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS when the app is served over HTTPS."""
        return self.app_url.startswith("https://")

    live_watchers_max: int
    live_watchers_per_user: int
    log_level: str
    # Mail (issue 23): see the README's "Mail" rows.
    mail_address: str
    mail_name: str
    smtp_url: str
    smtp_timeout_seconds: float
    mail_max_attempts: int
    mail_retry_seconds: float
    mail_lease_seconds: float
    mail_poll_seconds: float
    mail_stuck_minutes: int
    signin_link_minutes: int
    signin_link_requests_per_hour: int

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


_TAKEN_FROM_REFLEX: dict[str, str] = {}


def _database_url(data_dir: Path) -> str:
    """DATABASE_URL, or Reflex's documented REFLEX_DB_URL in its place.

    The app owns the database (its engine, its migrations), so REFLEX_DB_URL is taken out of
    the environment before Reflex reads it: Reflex would open the URL with a driver the app
    does not install and compare the schema against migrations it does not know.
    """
    if "REFLEX_DB_URL" in os.environ:
        _TAKEN_FROM_REFLEX["REFLEX_DB_URL"] = os.environ.pop("REFLEX_DB_URL").strip()
    reflex_url = _TAKEN_FROM_REFLEX.get("REFLEX_DB_URL", "")
    database_url = _str("DATABASE_URL")
    if reflex_url and database_url and reflex_url != database_url:
        raise ConfigError(
            "REFLEX_DB_URL and DATABASE_URL name different databases; set DATABASE_URL only"
        )
    return database_url or reflex_url or f"sqlite:///{data_dir / 'tickets.db'}"


SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")


def _smtp_url() -> str:
    """SMTP_URL: `smtp://host:25`, `smtp+starttls://user:pass@host:587` or
    `smtps://user:pass@host:465`; empty keeps mail in the outbox."""
    url = _str("SMTP_URL")
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


def _mail_address(app_url: str) -> str:
    """MAIL_ADDRESS, by default support@ the host of APP_URL."""
    address = _str("MAIL_ADDRESS", f"support@{urlsplit(app_url).hostname or 'localhost'}")
    if address.count("@") != 1 or " " in address or address.startswith("@"):
        raise ConfigError(f"MAIL_ADDRESS must be one mail address, got {address!r}")
    return address


def _load() -> Settings:
    data_dir = Path(_str("DATA_DIR", str(DEFAULT_DATA_DIR)))
    database_url = _database_url(data_dir)
    for plain in ("postgres://", "postgresql://"):
        if database_url.startswith(plain):
            # SQLAlchemy 2.1 maps the plain scheme to psycopg 3; the stack uses psycopg2.
            database_url = "postgresql+psycopg2://" + database_url.removeprefix(plain)
    app_url = _str("APP_URL", "http://localhost:8000").rstrip("/")
    return Settings(
        database_url=database_url,
        app_url=app_url,
        cors_origins=_list("CORS_ORIGINS"),
        extra_hosts=tuple(host.lower() for host in _list("ALLOWED_HOSTS")),
        max_body_bytes=_int("MAX_BODY_BYTES", 256 * 1024, minimum=1024),
        secret_key=_str("SECRET_KEY"),
        db_pool_size=_int("DB_POOL_SIZE", 5, minimum=1),
        db_pool_timeout_seconds=_float("DB_POOL_TIMEOUT_SECONDS", 2.0, minimum=0.1),
        db_statement_timeout_seconds=_float("DB_STATEMENT_TIMEOUT_SECONDS", 5.0, minimum=0.1),
        sqlite_synchronous=_choice("SQLITE_SYNCHRONOUS", "full", SQLITE_SYNCHRONOUS),
        redis_url=_redis_url(allow_no_password=_flag("REDIS_ALLOW_NO_PASSWORD")),
        gemini_api_key=_str("GEMINI_API_KEY"),
        gemini_model=_str("GEMINI_MODEL", "gemini-2.5-flash"),
        gemini_base_url=_str("GEMINI_BASE_URL"),
        gemini_timeout_seconds=_float("GEMINI_TIMEOUT_SECONDS", 4.0, minimum=0.1),
        gemini_max_concurrent=_int("GEMINI_MAX_CONCURRENT", 4, minimum=1),
        gemini_circuit_failures=_int("GEMINI_CIRCUIT_FAILURES", 5, minimum=1),
        gemini_circuit_cooldown_seconds=_float("GEMINI_CIRCUIT_COOLDOWN_SECONDS", 30.0),
        classifier_max_input_chars=_int("CLASSIFIER_MAX_INPUT_CHARS", 4000, minimum=100),
        classifier_cache_seconds=_int("CLASSIFIER_CACHE_SECONDS", 600),
        classifier_cache_size=_int("CLASSIFIER_CACHE_SIZE", 2048, minimum=1),
        live_poll_seconds=_float("LIVE_POLL_SECONDS", 2.0, minimum=0.2),
        session_idle_minutes=_int("SESSION_IDLE_MINUTES", 8 * 60, minimum=1),
        session_max_days=_int("SESSION_MAX_DAYS", 7, minimum=1),
        auth_cache_seconds=_float("AUTH_CACHE_SECONDS", 2.0),
        setup_link_minutes=_int("SETUP_LINK_MINUTES", 60, minimum=1),
        sign_in_max_failures=_int("SIGN_IN_MAX_FAILURES", 5, minimum=1),
        sign_in_window_minutes=_int("SIGN_IN_WINDOW_MINUTES", 15, minimum=1),
        sign_in_address_max_failures=_int("SIGN_IN_ADDRESS_MAX_FAILURES", 20, minimum=1),
        sign_in_slowdown_seconds=_float("SIGN_IN_SLOWDOWN_SECONDS", 3.0),
        form_max_body_bytes=_int("FORM_MAX_BODY_BYTES", 16 * 1024, minimum=1024),
        trusted_proxy_hops=_int("TRUSTED_PROXY_HOPS", 0),
        api_rate_per_token=_int("API_RATE_PER_TOKEN", 1200),
        api_rate_per_address=_int("API_RATE_PER_ADDRESS", 2400),
        api_rate_expensive_per_user=_int("API_RATE_EXPENSIVE_PER_USER", 30),
        admin_email=_str("ADMIN_EMAIL"),
        admin_name=_str("ADMIN_NAME", "Admin"),
        admin_password=os.environ.get("ADMIN_PASSWORD", ""),
        live_watchers_max=_int("LIVE_WATCHERS_MAX", 1000, minimum=1),
        live_watchers_per_user=_int("LIVE_WATCHERS_PER_USER", 20, minimum=1),
        log_level=_choice("LOG_LEVEL", "info", LOG_LEVELS).upper(),
        mail_address=_mail_address(app_url),
        mail_name=_str("MAIL_NAME", "Support Desk"),
        smtp_url=_smtp_url(),
        smtp_timeout_seconds=_float("SMTP_TIMEOUT_SECONDS", 30.0, minimum=0.1),
        mail_max_attempts=_int("MAIL_MAX_ATTEMPTS", 8, minimum=1),
        mail_retry_seconds=_float("MAIL_RETRY_SECONDS", 60.0, minimum=0.01),
        mail_lease_seconds=_float("MAIL_LEASE_SECONDS", 300.0, minimum=1.0),
        mail_poll_seconds=_float("MAIL_POLL_SECONDS", 2.0, minimum=0.05),
        mail_stuck_minutes=_int("MAIL_STUCK_MINUTES", 15, minimum=1),
        signin_link_minutes=_int("SIGNIN_LINK_MINUTES", 30, minimum=1),
        signin_link_requests_per_hour=_int("SIGNIN_LINK_REQUESTS_PER_HOUR", 5, minimum=1),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once; tests call `get_settings.cache_clear()`."""
    return _load()
