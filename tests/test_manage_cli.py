"""`python -m ticket_app.manage` as scripts and containers run it: a separate process on the
test database (DATABASE_URL), passwords on standard input, results on stdout, one clear
line on stderr and a non-zero exit when something is wrong.

Each run is a real interpreter start (about a second), so each test runs few of them.
"""

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.support.api import bearer, make_ticket
from tests.support.database import count_rows
from tests.support.passwords import PASSWORD
from ticket_app.config import PROJECT_ROOT
from ticket_app.services import sessions, users


@dataclass
class Run:
    code: int
    out: str
    err: str


class Manage:
    """Runs the CLI in processes of its own on the test database."""

    def __init__(self, database_url: str) -> None:
        self.env = {**os.environ, "DATABASE_URL": database_url}

    def __call__(self, *arguments: str, stdin: str = "") -> Run:
        return self.together((arguments, stdin))[0]

    def together(self, *calls: tuple[tuple[str, ...], str]) -> list[Run]:
        """Independent commands at once (each start costs about a second)."""
        started = [
            (
                subprocess.Popen(
                    [sys.executable, "-m", "ticket_app.manage", *arguments],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=PROJECT_ROOT,
                    env=self.env,
                ),
                stdin,
            )
            for arguments, stdin in calls
        ]
        runs = []
        for process, stdin in started:
            out, err = process.communicate(stdin, timeout=120)
            runs.append(Run(process.returncode, out, err))
        return runs


@pytest.fixture
def manage(database_url) -> Manage:
    return Manage(database_url)


def user_call(email: str, role: str = "agent", password: str = PASSWORD):
    arguments = ("create-user", email, "--name", "Cli User", "--role", role, "--password-stdin")
    return arguments, f"{password}\n"


def test_create_user_takes_the_password_on_stdin_and_refuses_bad_users(manage, engine, agent):
    made, taken, weak, unknown = manage.together(
        user_call("cli.user@example.com"),
        user_call(agent.actor.email.upper(), role="admin"),
        user_call("weak@example.com", password="password123"),
        user_call("boss@example.com", role="boss"),
    )
    assert (made.code, made.out) == (0, "")
    assert "created agent cli.user@example.com" in made.err
    assert count_rows(engine, "users", "email = 'cli.user@example.com' AND role = 'agent'") == 1
    assert taken.code == 1
    assert taken.err.startswith("error:")
    assert "already has an account" in taken.err
    assert weak.code == 1
    assert "password" in weak.err
    assert unknown.code == 2
    assert "invalid choice: 'boss'" in unknown.err
    assert all("Traceback" not in run.err for run in (made, taken, weak, unknown))
    assert count_rows(engine, "users") == 2  # the agent and the CLI's user


def test_create_token_prints_the_token_alone_and_it_works(manage, api, requester):
    made, unknown = manage.together(
        (("create-token", requester.actor.email, "--name", "Nightly export"), ""),
        (("create-token", "nobody@example.com", "--name", "x"), ""),
    )
    assert made.code == 0
    token = made.out.removesuffix("\n")
    assert "\n" not in token
    assert token.startswith("sdt_")
    me = api().get("/api/me/", headers=bearer(token))
    assert me.json()["email"] == requester.actor.email
    names = {t["name"] for t in api(requester).get("/api/tokens/").json()}
    assert "Nightly export" in names
    assert unknown.code == 1
    assert "No user has the email nobody@example.com" in unknown.err


def test_set_password_ends_every_session(manage, agent):
    secret = sessions.start(agent.actor)
    changed = manage(
        "set-password", agent.actor.email, "--password-stdin", stdin="a whole new passphrase\n"
    )
    assert changed.code == 0, changed.err
    assert sessions.resolve(secret) is None
    assert (
        users.authenticate(
            email=agent.actor.email, password="a whole new passphrase", address="cli-test"
        ).id
        == agent.id
    )


def test_deactivate_stops_the_token_and_keeps_the_last_admin(manage, api, admin, agent):
    gone, last = manage.together(
        (("deactivate", agent.actor.email), ""), (("deactivate", admin.actor.email), "")
    )
    assert gone.code == 0, gone.err
    assert api(agent).get("/api/me/").status_code == 401  # never resolved here before: no cache
    assert last.code == 1
    assert "last active admin" in last.err
    assert api(admin).get("/api/me/").status_code == 200


def test_check_counts_finds_drift_and_rebuild_counts_mends_it(manage, api, engine, agent):
    for n in range(3):
        make_ticket(api(agent), title=f"Counted {n}", category="billing", priority="low")
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE ticket_counts SET tickets = tickets + 5"))
        connection.execute(sa.text("UPDATE assignee_counts SET tickets = tickets + 1"))
    drift = manage("check-counts")
    assert drift.code == 1
    lines = drift.out.splitlines()
    assert any(line.startswith("ticket_counts ") for line in lines)
    assert any(line.startswith("assignee_counts ") for line in lines)
    assert all("holds" in line and "the tickets say" in line for line in lines)
    assert "rebuild-counts" in drift.err
    assert manage("rebuild-counts").code == 0
    clean = manage("check-counts")
    assert (clean.code, clean.out) == (0, "")
    listed = api(agent).get("/api/tickets/?category=billing")
    assert listed.headers["x-total-count"] == "3"


def test_a_stale_search_index_is_found_and_mended(manage, api, engine, agent):
    ticket = make_ticket(api(agent), title="Projector flickers", category="technical")
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                sa.text("UPDATE tickets_search SET title = 'Kettle' WHERE id = :id"),
                {"id": ticket["id"]},
            )
        else:  # the FTS5 entry goes, as when tickets are restored behind its back
            connection.execute(
                sa.text(
                    "INSERT INTO tickets_search (tickets_search, rowid, title, description) "
                    "SELECT 'delete', id, title, description FROM tickets WHERE id = :id"
                ),
                {"id": ticket["id"]},
            )
    assert api(agent).get("/api/tickets/?search=projector").json() == []
    drift = manage("check-counts")
    assert drift.code == 1
    assert drift.out.startswith("tickets_search: ")
    assert manage("rebuild-counts").code == 0
    assert manage("check-counts").code == 0
    found = api(agent).get("/api/tickets/?search=projector").json()
    assert [t["id"] for t in found] == [ticket["id"]]
