"""The sign-in tables keep their rules on their own, against raw SQL that no Python checks:
authenticator secrets, recovery codes, the code step, provider identities, the desk's one row
of sign-in rules, the security log, and the columns sessions gained.

Each rule is tried from a good row changed in one way (and the good row is read back), so a
refusal can only come from the rule being tried.
"""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from tests.support.database import count_rows

FUTURE = "2999-01-01T00:00:00+00:00"
HASH = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def insert(engine, table: str, values: dict) -> None:
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    with engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)


@pytest.fixture
def user(engine) -> int:
    insert(
        engine,
        "users",
        {"email": "raw@example.com", "name": "Raw", "role": "agent", "password_hash": HASH},
    )
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT id FROM users")).scalar_one())


def good_rows(user: int) -> dict[str, dict]:
    return {
        "two_factor": {"user_id": user, "secret": "A" * 32, "last_step": 1},
        "recovery_codes": {"user_id": user, "code_hash": "a" * 64},
        "sign_in_challenges": {"user_id": user, "token_hash": "b" * 64, "expires_at": FUTURE},
        "user_identities": {"user_id": user, "issuer": "https://id.example", "subject": "s-1"},
        "security_events": {"user_id": user, "actor_id": user, "kind": "two_factor_reset"},
        "user_sessions": {
            "token_hash": "c" * 64,
            "user_id": user,
            "idle_expires_at": FUTURE,
            "expires_at": FUTURE,
            "method": "sso",
            "user_agent": "Firefox",
            "enrolment_only": True,
        },
    }


BAD = [
    ("two_factor", {"secret": "A" * 31}),
    ("two_factor", {"last_step": -1}),
    ("two_factor", {"user_id": 999999}),
    ("recovery_codes", {"code_hash": "a" * 63}),
    ("recovery_codes", {"user_id": 999999}),
    ("sign_in_challenges", {"token_hash": "b" * 65}),
    ("sign_in_challenges", {"expires_at": None}),
    ("user_identities", {"subject": ""}),
    ("user_identities", {"subject": "s" * 256}),
    ("user_identities", {"issuer": ""}),
    ("security_events", {"kind": "password_guessed"}),
    ("security_events", {"actor_id": 999999}),
    ("user_sessions", {"method": "magic"}),
    ("user_sessions", {"user_agent": "x" * 401}),
    ("user_sessions", {"enrolment_only": None}),
]


@pytest.mark.parametrize(("table", "change"), BAD, ids=lambda v: str(v)[:30])
def test_a_bad_row_is_refused(engine, user, table, change):
    before = count_rows(engine, table)
    with pytest.raises(DBAPIError):
        insert(engine, table, {**good_rows(user)[table], **change})
    assert count_rows(engine, table) == before


@pytest.mark.parametrize("table", list(good_rows(0)))
def test_a_good_row_is_stored(engine, user, table):
    insert(engine, table, good_rows(user)[table])
    assert count_rows(engine, table) == 1


@pytest.mark.parametrize(
    ("table", "twice"),
    [("user_identities", {"user_id": "OTHER"}), ("recovery_codes", {})],
)
def test_an_identity_or_a_recovery_code_is_stored_once(engine, user, table, twice):
    insert(engine, table, good_rows(user)[table])
    insert(
        engine,
        "users",
        {"email": "o@example.com", "name": "O", "role": "agent", "password_hash": HASH},
    )
    with engine.connect() as connection:
        other = connection.execute(sa.text("SELECT max(id) FROM users")).scalar_one()
    again = {**good_rows(user)[table], **{k: other for k in twice}}
    with pytest.raises(DBAPIError):
        insert(engine, table, again)


def test_the_desk_has_one_row_of_sign_in_rules(engine):
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, staff_two_factor_required FROM desk_settings")
        )
        assert [tuple(row) for row in rows] == [(1, False)]
    with pytest.raises(DBAPIError):
        insert(engine, "desk_settings", {"id": 2, "staff_two_factor_required": True})


def test_sessions_from_before_were_signed_in_by_password(engine, user):
    row = {
        k: v
        for k, v in good_rows(user)["user_sessions"].items()
        if k not in ("method", "enrolment_only")
    }
    insert(engine, "user_sessions", row)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT method, enrolment_only FROM user_sessions")
        ).one()
    assert (stored.method, bool(stored.enrolment_only)) == ("password", False)
