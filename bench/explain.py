"""Query plans of the statements the app really runs for each bench case.

Nothing is rebuilt here: the tickets service itself is called (list, search, stats) and an
engine event captures each SELECT it sends with its parameters; those are then run again under
EXPLAIN. PostgreSQL gets EXPLAIN (ANALYZE, BUFFERS) after one warming run. SQLite has no
EXPLAIN ANALYZE, so it gets EXPLAIN QUERY PLAN and the measured time of a run.

`python -m bench.explain --database URL` (the database the bench seeded).
"""

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.load import DEEP_PAGE, FILTERED, PAGE, SEARCH


def _capture(call: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SELECT statements (with parameters) that `call` sends to the database."""
    import sqlalchemy as sa

    from ticket_app.db import get_engine

    captured: list[tuple[str, Any]] = []

    def listener(*args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, _many = args
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "tickets" in statement:
            captured.append((statement, parameters))

    engine = get_engine()
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return captured


def _sqlite_tree(rows: list[tuple[int, int, int, str]]) -> list[str]:
    depth = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def explain(statement: str, parameters: Any) -> list[str]:
    """The plan of one statement, after one warming run."""
    from ticket_app.db import get_engine

    raw = get_engine().raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(statement, parameters)
        cursor.fetchall()
        if get_engine().dialect.name == "postgresql":
            lines = [cursor.mogrify(statement, parameters).decode(), ""]
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            return lines + [row[0] for row in cursor.fetchall()]
        lines = [statement, f"-- parameters: {parameters!r}", ""]
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        lines += _sqlite_tree(cursor.fetchall())
        started = time.perf_counter()
        cursor.execute(statement, parameters)
        rows = len(cursor.fetchall())
        lines.append(
            f"Execution time: {(time.perf_counter() - started) * 1000:.3f} ms ({rows} rows)"
        )
        return lines
    finally:
        raw.close()


def report(extra: list[dict[str, str]] | None = None) -> str:
    from bench.textgen import make_ticket
    from ticket_app.domain import Role
    from ticket_app.services import similar, stats, tickets
    from ticket_app.services.access import Actor
    from ticket_app.services.schemas import parse_filters

    # The bench's HTTP client is an agent: it sees every ticket, as this reader does.
    agent = Actor(id=0, email="bench@example.com", name="bench", role=Role.AGENT)
    filtered = parse_filters(**FILTERED)
    text = make_ticket(random.Random(4))  # a ticket being written, as the bench's first one
    cursor = None
    for _ in range(DEEP_PAGE - 1):
        cursor = tickets.list_tickets(
            agent, filters=filtered, limit=PAGE, cursor=cursor
        ).next_cursor
    cases: list[tuple[str, Callable[[], object]]] = [
        ("first page", lambda: tickets.list_tickets(agent, filters=parse_filters(), limit=PAGE)),
        ("filtered page", lambda: tickets.list_tickets(agent, filters=filtered, limit=PAGE)),
        (
            "filtered search",
            lambda: tickets.list_tickets(agent, filters=parse_filters(**SEARCH), limit=PAGE),
        ),
        (
            f"page {DEEP_PAGE} of filtered list",
            lambda: tickets.list_tickets(agent, filters=filtered, limit=PAGE, cursor=cursor),
        ),
        ("stats", lambda: stats.get_stats(agent)),
        (
            "stats narrowed by the search",
            lambda: stats.get_stats(agent, filters=parse_filters(**SEARCH)),
        ),
        (
            "similar to a new text",
            lambda: similar.find(agent, title=text.title, description=text.description),
        ),
    ]
    for params in extra or []:
        filters = parse_filters(**params)
        cases.append(
            (f"list {params}", lambda f=filters: tickets.list_tickets(agent, filters=f, limit=PAGE))
        )
    out = []
    for name, call in cases:
        for number, (statement, parameters) in enumerate(_capture(call), 1):
            title = f"== {name} ({number}) " + "=" * 40
            out += [title, *explain(statement, parameters), ""]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a seeded database")
    parser.add_argument("--out", help="also write the plans to this file")
    parser.add_argument(
        "--search",
        action="append",
        default=[],
        metavar="WORD[:STATUS]",
        help="also explain the first page of this search (optionally with a status filter)",
    )
    args = parser.parse_args(argv)
    extra = []
    for item in args.search:
        word, _, status = item.partition(":")
        extra.append({"search": word, **({"status": status} if status else {})})
    os.environ["DATABASE_URL"] = args.database
    from ticket_app.config import get_settings

    get_settings.cache_clear()  # in case something read the settings before
    text = report(extra)
    print(text)
    if args.out:
        with open(args.out, "w") as file:
            file.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
