"""Every setting the app reads, from environment variables, in one place.

Each setting has a safe default so the embedded run (SQLite, offline classifier) needs no
configuration at all. Other modules call `get_settings()`; nothing else reads `os.environ`.
"""

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


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


@dataclass(frozen=True)
class Settings:
    """The app's configuration; see the README's configuration table."""

    database_url: str
    app_url: str
    cors_origins: tuple[str, ...]
    max_body_bytes: int
    secret_key: str
    db_pool_size: int
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

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """The app's own origin (under both loopback names) plus the configured list."""
        own = [self.app_url]
        for local, alias in (("localhost", "127.0.0.1"), ("127.0.0.1", "localhost")):
            if f"//{local}:" in self.app_url:
                own.append(self.app_url.replace(f"//{local}:", f"//{alias}:"))
        return tuple(dict.fromkeys([*own, *self.cors_origins]))


def _load() -> Settings:
    data_dir = Path(_str("DATA_DIR", str(DEFAULT_DATA_DIR)))
    database_url = _str("DATABASE_URL", f"sqlite:///{data_dir / 'tickets.db'}")
    for plain in ("postgres://", "postgresql://"):
        if database_url.startswith(plain):
            # SQLAlchemy 2.1 maps the plain scheme to psycopg 3; the stack uses psycopg2.
            database_url = "postgresql+psycopg2://" + database_url.removeprefix(plain)
    return Settings(
        database_url=database_url,
        app_url=_str("APP_URL", "http://localhost:8000").rstrip("/"),
        cors_origins=_list("CORS_ORIGINS"),
        max_body_bytes=_int("MAX_BODY_BYTES", 256 * 1024, minimum=1024),
        secret_key=_str("SECRET_KEY", "support-desk:" + database_url),
        db_pool_size=_int("DB_POOL_SIZE", 5, minimum=1),
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
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once; tests call `get_settings.cache_clear()`."""
    return _load()
