"""Password hashing (Argon2id through pwdlib) and the rules a new password must meet.

Never hand-rolled: pwdlib's Argon2 hasher with argon2-cffi's defaults, which it keeps
current. `verify_or_waste_time` makes an unknown email cost what a wrong password costs, so
a sign-in answer does not reveal which accounts exist.
"""

import base64
import secrets
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_LENGTH = 10
MAX_LENGTH = 256
# The most common passwords of public breach lists that are long enough to pass MIN_LENGTH.
COMMON = frozenset(
    {
        "1234567890",
        "12345678910",
        "123456789a",
        "0123456789",
        "1q2w3e4r5t",
        "qwertyuiop",
        "password12",
        "password123",
        "password1234",
        "iloveyou12",
        "qwerty1234",
        "1qaz2wsx3edc",
        "abcdefghij",
        "passw0rd123",
        "administrator",
        "letmein123",
        "welcome123",
        "changeme123",
        "supportdesk",
    }
)


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """An Argon2id hash (`$argon2id$...`) of `password`."""
    return _hasher().hash(password)


def verify(password: str, password_hash: str) -> bool:
    return _hasher().verify(password, password_hash)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password("not a password anyone has: decoy for unknown emails")


def verify_or_waste_time(password: str, password_hash: str | None) -> bool:
    """Verify against the hash, or against a decoy when there is no user: same cost."""
    if password_hash is None:
        _hasher().verify(password, _decoy_hash())
        return False
    return verify(password, password_hash)


def unusable_hash() -> str:
    """An Argon2id-shaped hash no password matches (random salt and digest, never derived from
    a password), for requesters the desk made from a mail: they sign in by one-use links.
    Made without hashing, so a flood of new senders costs no Argon2 time."""
    salt, digest = (
        base64.b64encode(secrets.token_bytes(size)).decode().rstrip("=") for size in (16, 32)
    )
    return f"$argon2id$v=19$m=65536,t=3,p=4${salt}${digest}"


WEAKNESSES = {  # why a password may not be used, by a code pages can carry in their address
    "short": f"must be at least {MIN_LENGTH} characters",
    "long": f"must be at most {MAX_LENGTH} characters",
    "nul": "must not contain NUL characters",
    "repetitive": "must use more than a few different characters",
    "common": "is one of the most common passwords; choose another",
    "personal": "must not contain your email or name",
}


def weakness(password: str, *, email: str = "", name: str = "") -> str | None:
    """The WEAKNESSES code of why `password` may not be used, or None when it is fine."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return "short"
    if len(password) > MAX_LENGTH:
        return "long"
    if "\x00" in password:
        return "nul"
    lowered = password.lower()
    if len(set(lowered)) < 4:
        return "repetitive"
    if lowered in COMMON:
        return "common"
    local_part = email.split("@", 1)[0].lower()
    for own in (local_part, name.lower().replace(" ", "")):
        if len(own) >= 4 and own in lowered.replace(" ", ""):
            return "personal"
    return None
