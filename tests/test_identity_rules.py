"""The identity and conversation tables keep their rules on their own, against raw SQL that
no Python checks: users, sessions, API tokens, comments, history, and the ticket columns
that came with them (assignee, version, counts, merges).

Each rule is tried from a good row changed in one way, so a refusal can only come from the
rule being tried.
"""

from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from tests.support.database import count_rows

HASH = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
FUTURE = "2999-01-01T00:00:00+00:00"


def insert(engine, table: str, values: dict) -> int:
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    with engine.begin() as connection:
        statement = sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id")
        return int(connection.execute(statement, values).scalar_one())


def refuses(engine, table: str, values: dict) -> None:
    before = count_rows(engine, table)
    with pytest.raises(DBAPIError):
        insert(engine, table, values)
    assert count_rows(engine, table) == before


def stored(engine, table: str, row_id: int, names: list[str]) -> dict:
    """The columns `names` of the row `row_id` as the database reads them back."""
    with engine.connect() as connection:
        query = sa.text(f"SELECT {', '.join(names)} FROM {table} WHERE id = :id")
        return comparable(dict(connection.execute(query, {"id": row_id}).mappings().one()))


def comparable(values: dict) -> dict:
    """Timestamps as the instants they name: PostgreSQL answers datetimes, SQLite the text
    it keeps. (Booleans compare as they are: SQLite's 1 equals True.)"""
    return {
        name: datetime.fromisoformat(value)
        if name.endswith("_at") and isinstance(value, str)
        else value
        for name, value in values.items()
    }


def execute(engine, sql: str, **params) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text(sql), params)


@pytest.fixture
def parents(engine) -> dict[str, int]:
    """An agent, a requester and a ticket, inserted raw, for rows that point at them."""
    agent = insert(engine, "users", user_row("parent@example.com", role="agent"))
    requester = insert(engine, "users", user_row("asker@example.com", role="requester"))
    ticket = insert(engine, "tickets", ticket_row())
    return {"agent": agent, "requester": requester, "ticket": ticket}


def user_row(email: str = "raw@example.com", **change) -> dict:
    return {"email": email, "name": "Raw User", "role": "agent", "password_hash": HASH, **change}


def ticket_row(**change) -> dict:
    return {
        "title": "Raw",
        "description": "Raw description",
        "category": "general",
        "priority": "low",
        "status": "open",
        **change,
    }


def good_rows(parents: dict[str, int]) -> dict[str, dict]:
    user, ticket = parents["agent"], parents["ticket"]
    return {
        "users": user_row(),
        "user_sessions": {
            "token_hash": "a" * 64,
            "user_id": user,
            "idle_expires_at": FUTURE,
            "expires_at": FUTURE,
        },
        "api_tokens": {"token_hash": "b" * 64, "prefix": "sdt_abcd", "user_id": user, "name": "t"},
        "ticket_comments": {"ticket_id": ticket, "author_id": user, "public": True, "body": "Hi"},
        "ticket_history": {
            "ticket_id": ticket,
            "kind": "changed",
            "field": "status",
            "public": True,
        },
        "tickets": ticket_row(assignee_id=user),
    }


BAD = [
    ("users", {"email": "RAW@example.com"}),  # taken whatever the case (see below)
    ("users", {"email": "no-at-sign"}),
    ("users", {"email": "two words@example.com"}),
    ("users", {"email": None}),
    ("users", {"name": ""}),
    ("users", {"name": " \t "}),
    ("users", {"name": "n" * 101}),
    ("users", {"role": "boss"}),
    ("users", {"role": "Admin"}),
    ("users", {"password_hash": "hunter2hunter2"}),
    ("users", {"password_hash": "$2b$12$bcryptisnotallowedhere"}),
    ("user_sessions", {"token_hash": "a" * 63}),
    ("user_sessions", {"user_id": 999999}),
    ("user_sessions", {"expires_at": None}),
    ("api_tokens", {"prefix": "sdt"}),
    ("api_tokens", {"prefix": "sdt_" + "x" * 13}),
    ("api_tokens", {"name": "   "}),
    ("api_tokens", {"token_hash": "c" * 65}),
    ("api_tokens", {"user_id": 999999}),
    ("ticket_comments", {"body": ""}),
    ("ticket_comments", {"body": " \n\t "}),
    ("ticket_comments", {"body": "x" * 20_001}),
    ("ticket_comments", {"public": None}),
    ("ticket_comments", {"ticket_id": 999999}),
    ("ticket_comments", {"author_id": 999999}),
    ("ticket_history", {"kind": "deleted"}),
    ("ticket_history", {"field": "colour"}),
    ("ticket_history", {"ticket_id": 999999}),
    ("ticket_history", {"public": None}),
    ("tickets", {"assignee_id": "REQUESTER"}),
    ("tickets", {"assignee_id": 999999}),
    ("tickets", {"version": 0}),
    ("tickets", {"comment_count": -1}),
    ("tickets", {"note_count": -1}),
    ("tickets", {"created_by": 999999}),
]


@pytest.mark.parametrize(
    ("table", "change"), BAD, ids=lambda v: v if isinstance(v, str) else str(v)[:30]
)
def test_a_bad_row_is_refused(engine, parents, table, change):
    row = good_rows(parents)[table]
    if table == "users":
        insert(engine, "users", row)  # the duplicate-email case needs the original
        row = {**row, "email": "another@example.com"}
    change = {k: parents["requester"] if v == "REQUESTER" else v for k, v in change.items()}
    refuses(engine, table, {**row, **change})


@pytest.mark.parametrize(
    "table",
    ["users", "user_sessions", "api_tokens", "ticket_comments", "ticket_history", "tickets"],
)
def test_the_good_rows_are_accepted_and_secrets_are_unique(engine, parents, table):
    row = good_rows(parents)[table]
    row_id = insert(engine, table, row)
    assert stored(engine, table, row_id, list(row)) == comparable(row)
    if "token_hash" in row:
        refuses(engine, table, row)


def test_a_requester_cannot_be_made_an_assignee_by_update(engine, parents):
    with pytest.raises(DBAPIError):
        execute(engine, "UPDATE tickets SET assignee_id = :who", who=parents["requester"])
    execute(engine, "UPDATE tickets SET assignee_id = :who", who=parents["agent"])


def test_a_ticket_cannot_be_merged_into_itself(engine, parents):
    with pytest.raises(DBAPIError):
        execute(engine, "UPDATE tickets SET merged_into_id = id")


def test_deleting_a_user_takes_their_sessions_and_tokens(engine, parents):
    rows = good_rows(parents)
    insert(engine, "user_sessions", rows["user_sessions"])
    insert(engine, "api_tokens", rows["api_tokens"])
    other = insert(engine, "users", user_row("other@example.com"))
    insert(engine, "api_tokens", {**rows["api_tokens"], "token_hash": "d" * 64, "user_id": other})
    execute(engine, "DELETE FROM users WHERE id = :id", id=parents["agent"])
    assert count_rows(engine, "user_sessions") == 0
    assert count_rows(engine, "api_tokens") == 1


def test_deleting_a_ticket_takes_its_comments_and_history(engine, parents):
    rows = good_rows(parents)
    comment = insert(engine, "ticket_comments", rows["ticket_comments"])
    insert(engine, "ticket_history", {**rows["ticket_history"], "comment_id": comment})
    execute(engine, "DELETE FROM tickets WHERE id = :id", id=parents["ticket"])
    assert count_rows(engine, "ticket_comments") == 0
    assert count_rows(engine, "ticket_history") == 0


def test_a_user_with_comments_cannot_vanish_from_under_them(engine, parents):
    insert(engine, "ticket_comments", good_rows(parents)["ticket_comments"])
    with pytest.raises(DBAPIError):
        execute(engine, "DELETE FROM users WHERE id = :id", id=parents["agent"])
