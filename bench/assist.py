"""Suggested replies at a large desk: how long a draft takes when the similar-tickets index and
the comments hold hundreds of thousands of rows.

    python -m bench.assist --database postgresql://tickets:tickets@127.0.0.1:54329/bench_1m \\
        --replies shared/data/replies-dev.jsonl

Needs a database seeded by `python -m bench.seed` (tickets without a conversation). Once per
seed it gives every resolved or closed ticket with an assignee a public reply by that agent
(an agent's reply from the replies file, so redaction has real text to work on; the tickets'
`comment_count` stays as seeded: no draft reads it, and rewriting 700,000 rows of a 1M seed on
a busy machine took longer than everything else) and files `--canned` shared canned
replies; it remembers this in the seed's marker table, which a fresh seed empties. Then,
offline (no Gemini key), it asks `drafts.suggest` for drafts of random open and in-progress
tickets as a seeded agent, in process (the service the route calls, without HTTP), a tenth of
them as warm-up, and prints p50 / p95 / p99, the Python CPU time per draft (the database's is
not in it; on a busy machine it is the figure to compare) and how many drafts found a solved
ticket to cite.
"""

# ruff: noqa: S608 -- SQL is built from constants of this module

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from bench.seed import MARKER_TABLE
from ticket_app.db import create_db_engine
from ticket_app.domain import Role
from ticket_app.services import canned_replies, drafts, users
from ticket_app.services.access import Actor
from ticket_app.services.canned_replies import CannedReplyCreate
from ticket_app.services.passwords import hash_password
from ticket_app.services.transaction import transaction
from ticket_app.similarity.evaluate import _percentile, _point_at

MARKER = "assist"
ADMIN_EMAIL = "bench-assist-admin@example.com"
ASKED_AS = "bench-agent-1@example.com"
DONE = ("resolved", "closed")
ASKED = ("open", "in_progress")


def _replies(path: Path) -> list[tuple[str, str]]:
    """(intent, reply) of every row of the replies file."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [(row["intent"], row["reply"]) for row in rows]


def _plain(text: str) -> str:
    """A Bitext reply as a canned body: its `{{Template}}` fields as their words."""
    return text.replace("{{", "").replace("}}", "")


def _converse(connection: Connection, replies: list[tuple[str, str]]) -> int:
    """Give each solved, assigned ticket its agent's public reply; how many got one."""
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE bench_replies (n INTEGER PRIMARY KEY, body TEXT NOT NULL)"
    )
    connection.execute(
        sa.text("INSERT INTO bench_replies (n, body) VALUES (:n, :body)"),
        [{"n": n, "body": body} for n, (_, body) in enumerate(replies)],
    )
    solved = f"status IN {DONE} AND assignee_id IS NOT NULL"
    added = connection.execute(
        sa.text(
            "INSERT INTO ticket_comments (ticket_id, author_id, public, body, created_at) "
            "SELECT t.id, t.assignee_id, true, r.body, t.updated_at FROM tickets t "
            f"JOIN bench_replies r ON r.n = t.id % {len(replies)} WHERE t.{solved}"
        )
    ).rowcount
    connection.exec_driver_sql("DROP TABLE bench_replies")
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE tickets, ticket_comments")  # as autovacuum would
    return added


def _user(connection: Connection, email: str) -> Actor | None:
    row = connection.execute(
        sa.select(
            users.USERS.c.id, users.USERS.c.email, users.USERS.c.name, users.USERS.c.role
        ).where(users.USERS.c.email == email)
    ).first()
    return (
        None
        if row is None
        else Actor(id=row.id, email=row.email, name=row.name, role=Role(row.role))
    )


def _admin() -> Actor:
    with transaction(write=True) as connection:
        found = _user(connection, ADMIN_EMAIL)
        if found:
            return found
        password = os.urandom(16).hex()
        data = users.validate_user_create(
            {"email": ADMIN_EMAIL, "name": "Bench Admin", "role": "admin", "password": password}
        )
        user = users.insert_user(connection, data=data, password_hash=hash_password(password))
    return Actor(id=user.id, email=user.email, name=user.name, role=Role.ADMIN)


def prepare(url: str, replies: list[tuple[str, str]], canned: int) -> None:
    """The solved tickets' replies and the shared canned replies, once per seed (the bulk
    insert on an engine of its own: the app's transactions stop long statements)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")  # the stack's driver
    engine = create_db_engine(parsed.render_as_string(hide_password=False), pool_size=1)
    with engine.begin() as connection:
        if connection.execute(
            sa.text(f"SELECT value FROM {MARKER_TABLE} WHERE name = :name"),
            {"name": MARKER},
        ).scalar():
            print("solved tickets' replies and canned replies: already there", file=sys.stderr)
            return
        started = time.perf_counter()
        added = _converse(connection, replies)
        print(f"{added:,} replies added in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    engine.dispose()
    admin = _admin()
    by_intent: dict[str, str] = {}
    for intent, body in replies:
        by_intent.setdefault(intent, body)
    for number, (intent, body) in enumerate(sorted(by_intent.items())[:canned]):
        canned_replies.create_canned(
            admin,
            data=CannedReplyCreate(
                name=f"{intent.replace('_', ' ')} {number}",
                body="Hello {{requester.first_name}},\n\n" + _plain(body),
                shared=True,
            ),
        )
    with transaction(write=True) as connection:
        connection.execute(
            sa.text(f"INSERT INTO {MARKER_TABLE} (name, value) VALUES (:name, :value)"),
            {"name": MARKER, "value": json.dumps({"replies": added, "canned": canned})},
        )


def _asked(count: int, seed: int) -> list[int]:
    """`count` random open or in-progress tickets."""
    rng = random.Random(seed)
    with transaction() as connection:
        top = connection.execute(sa.text("SELECT max(id) FROM tickets")).scalar_one()
        picked: list[int] = []
        while len(picked) < count:
            ids = rng.sample(range(1, top + 1), min(top, 4 * count))
            picked += (
                connection.execute(
                    sa.text(
                        "SELECT id FROM tickets WHERE id IN :ids AND status IN :asked"
                    ).bindparams(
                        sa.bindparam("ids", expanding=True), sa.bindparam("asked", expanding=True)
                    ),
                    {"ids": ids, "asked": list(ASKED)},
                )
                .scalars()
                .all()
            )
    return picked[:count]


def measure(count: int, seed: int) -> dict[str, float]:
    with transaction() as connection:
        agent = _user(connection, ASKED_AS)
        tickets = connection.execute(sa.text("SELECT count(*) FROM tickets")).scalar_one()
        comments = connection.execute(sa.text("SELECT count(*) FROM ticket_comments")).scalar_one()
    if agent is None:
        raise SystemExit("no seeded agent: seed the database with python -m bench.seed first")
    asked = _asked(count + count // 10, seed)
    warm, timed = asked[: count // 10], asked[count // 10 :]
    for ticket_id in warm:
        drafts.suggest(agent, ticket_id=ticket_id)
    latencies, cited = [], 0
    cpu = time.process_time()
    for ticket_id in timed:
        started = time.perf_counter()
        draft = drafts.suggest(agent, ticket_id=ticket_id)
        latencies.append((time.perf_counter() - started) * 1000)
        cited += any(source.kind == "ticket" for source in draft.sources)
    return {
        "tickets": tickets,
        "comments": comments,
        "drafts": len(timed),
        "citing_a_solved_ticket": cited,
        "p50_ms": _percentile(latencies, 0.5),
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "mean_ms": statistics.fmean(latencies),
        "cpu_ms": (time.process_time() - cpu) * 1000 / len(timed),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a database bench.seed seeded")
    parser.add_argument("--replies", type=Path, required=True, help="the replies JSON lines")
    parser.add_argument("--drafts", type=int, default=300, help="drafts timed")
    parser.add_argument("--canned", type=int, default=27, help="shared canned replies filed")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ["GEMINI_API_KEY"] = ""  # offline: the local path's figures
    _point_at(args.database)
    prepare(args.database, _replies(args.replies), args.canned)
    load = os.getloadavg()[0]
    figures = measure(args.drafts, args.seed)
    figures["load_before"] = load
    figures["load_after"] = os.getloadavg()[0]
    print(json.dumps(figures))
    print(
        f"{figures['tickets']:,} tickets, {figures['comments']:,} comments: "
        f"{figures['drafts']} drafts, p50 {figures['p50_ms']:.1f} ms, "
        f"p95 {figures['p95_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
        f"Python CPU {figures['cpu_ms']:.1f} ms a draft; "
        f"{figures['citing_a_solved_ticket']} cite a solved ticket; "
        f"load {load:.1f} -> {figures['load_after']:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
