"""The test users' password, and cheap hashing for tests that hash or verify many times."""

from typing import Any

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

PASSWORD = "correct horse battery staple"


def cheap_passwords(monkeypatch: Any) -> str:
    """Argon2id at its smallest cost for the rest of the test (hashing, verifying and the
    unknown-email decoy alike, so wrong emails and wrong passwords still cost the same);
    returns such a hash of the test password. Tests that sign in many times use it: at the
    real cost each attempt takes about 0.4 s."""
    from ticket_app.services import passwords

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    decoy = cheap.hash("decoy for unknown emails")
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)
    monkeypatch.setattr(passwords, "_decoy_hash", lambda: decoy)
    return cheap.hash(PASSWORD)
