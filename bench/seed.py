"""Seed N realistic tickets into a migrated database, fast, ending exactly where triggers would.

Rows are generated in two processes (the text is the slow part) and streamed in creation
order, so ids grow with created_at as they do in real life. PostgreSQL gets one COPY FREEZE
into the freshly truncated table with the secondary indexes dropped and the triggers on
`tickets` disabled; SQLite gets executemany in one transaction with its indexes and triggers
dropped. Each ticket gets its `created` history entry (one INSERT ... SELECT, as migration 0004
gave older tickets), the timeline's first line. Afterwards the indexes and triggers are
recreated from their own saved DDL and the counter tables (`ticket_counts`, `assignee_counts`)
and the search text (PostgreSQL's `tickets_search`, SQLite's FTS5 table) are rebuilt by the
app's own `counts.rebuild_on`; its `counter_drift`
and `search_index_drift` then prove they equal what the triggers would have produced.
The similar-tickets index gets each ticket's rows from the app's own `similar_index.rows`,
computed in the generator processes and loaded with the tickets (PostgreSQL: a second COPY
FREEZE with the table's key and reference dropped meanwhile).

A handful of seeded users make the people filters realistic: SEED_AGENTS agents are the
assignees (most worked tickets, a quarter of the open ones) and SEED_REQUESTERS requesters
(a few of them prolific) plus the agents file the tickets of the last SIGN_IN_DAYS days;
older tickets have no creator, as tickets from before sign-in do. Nobody can sign in as them:
their password is random and forgotten.

`python -m bench.seed --database URL --tickets N` seeds alone; `--with-triggers` loads row
by row through the live triggers instead, to validate the fast path against the real one.
"""

# ruff: noqa: S608 -- SQL is built from constants and from DDL the database itself reports

import argparse
import json
import math
import multiprocessing
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg2
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, make_url

from bench.textgen import CATEGORIES, PRIORITIES, RARE_WORD, STATUSES, make_ticket
from ticket_app.db import create_db_engine
from ticket_app.models import User
from ticket_app.services import counts, similar_index
from ticket_app.services.passwords import hash_password

GENERATOR_VERSION = 2
YEARS = 2
CHUNK = 20_000
COLUMNS = (
    "title", "description", "category", "priority", "status", "created_at", "updated_at",
    "suggested_category", "suggested_priority", "created_by", "assignee_id",
)  # fmt: skip
CREATED_ENTRIES = (
    "INSERT INTO ticket_history (ticket_id, actor_id, kind, old_value, new_value, public, at) "
    "SELECT id, created_by, 'created', CASE WHEN suggested_category IS NULL THEN NULL "
    "ELSE suggested_category || '/' || suggested_priority END, "
    "category || '/' || priority, true, created_at FROM tickets ORDER BY id"
)
"""Each ticket's `created` entry, as `history.created` writes it (suggestion old, kept new)."""
MARKER_TABLE = "bench_seed"
# What else hangs off tickets (a merge's readers, reply drafts, summaries and the drafts'
# totals): emptied with them, or PostgreSQL refuses the TRUNCATE and SQLite keeps orphans.
TICKET_ROWS = ("ticket_participants", "reply_drafts", "ticket_summaries", "draft_totals")
SEED_AGENTS = 6
SEED_REQUESTERS = 40
SIGN_IN_DAYS = 540
AGENT_WEIGHTS = tuple(range(SEED_AGENTS, 0, -1))
REQUESTER_WEIGHTS = tuple(1 / rank for rank in range(1, SEED_REQUESTERS + 1))  # a few file most
ASSIGNED_SHARE = {"open": 0.25, "in_progress": 0.95, "resolved": 0.9, "closed": 0.9}
AGENT_FILED_SHARE = 0.15  # tickets an agent files for a caller (phone, e-mail)

# Share of statuses by ticket age: recent tickets are still being worked on.
STATUS_BY_AGE = (
    (2, (70, 25, 5, 0)),
    (14, (40, 30, 25, 5)),
    (60, (20, 15, 40, 25)),
    (math.inf, (14, 6, 30, 50)),
)
HOUR_WEIGHTS = (3, 2, 2, 2, 2, 3, 4, 6, 8, 10, 10, 10, 9, 10, 10, 10, 9, 8, 6, 5, 4, 4, 3, 3)


@dataclass(frozen=True)
class SeedResult:
    tickets: int
    seconds: float
    reused: bool
    rare_matches: int


def _stamps(rng: random.Random, count: int, end: float) -> list[float]:
    """Sorted creation times over the last YEARS years: volume doubles over the period,
    busier on working hours and weekdays (UTC)."""
    span = YEARS * 365 * 86400
    start = end - span
    out: list[float] = []
    while len(out) < count:
        stamp = start + (math.sqrt(1 + 3 * rng.random()) - 1) * span
        day, second = divmod(int(stamp), 86400)
        weight = HOUR_WEIGHTS[second // 3600] / 10 * (0.35 if (day + 3) % 7 >= 5 else 1)
        if rng.random() < weight:
            out.append(stamp)
    out.sort()
    return out


def _status(rng: random.Random, age_days: float) -> str:
    for limit, weights in STATUS_BY_AGE:
        if age_days < limit:
            return rng.choices(STATUSES, weights)[0]
    raise AssertionError("unreachable")


def _suggestion(rng: random.Random, category: str, priority: str) -> tuple[str | None, ...]:
    """85% of tickets were classified when written; agents kept both values for 78% of them."""
    roll = rng.random()
    if roll < 0.15:
        return None, None
    if roll < 0.15 + 0.85 * 0.78:
        return category, priority
    if rng.random() < 0.6:
        return rng.choice([c for c in CATEGORIES if c != category]), priority
    return category, rng.choice([p for p in PRIORITIES if p != priority])


@dataclass(frozen=True)
class People:
    """The seeded users' ids: who files and who is assigned the seeded tickets."""

    agents: tuple[int, ...]
    requesters: tuple[int, ...]


def _creator(rng: random.Random, people: People, age_days: float) -> int | None:
    if age_days > SIGN_IN_DAYS:
        return None
    if rng.random() < AGENT_FILED_SHARE:
        return rng.choices(people.agents, AGENT_WEIGHTS)[0]
    return rng.choices(people.requesters, REQUESTER_WEIGHTS)[0]


def _assignee(rng: random.Random, people: People, status: str) -> int | None:
    if rng.random() < ASSIGNED_SHARE[status]:
        return rng.choices(people.agents, AGENT_WEIGHTS)[0]
    return None


def _text_stamp(stamp: float, dialect: str) -> str:
    moment = datetime.fromtimestamp(round(stamp, 6), UTC)
    if dialect == "sqlite":  # what SQLAlchemy's SQLite DateTime stores: naive UTC text
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f+00")


Job = tuple[int, int, list[float], list[int], float, str, People]


def _rows(job: Job) -> list[tuple[Any, ...]]:
    """One chunk of rows; seeded by its start index, so the result does not depend on how
    many processes generate."""
    seed, first, stamps, rare, now, dialect, people = job
    rng = random.Random(seed * 1_000_003 + first)
    planted = set(rare)
    rows = []
    for offset, created in enumerate(stamps):
        text = make_ticket(rng, rare=first + offset in planted)
        age_days = (now - created) / 86400
        status = _status(rng, age_days)
        if status == "open":
            updated = created + rng.random() * min(600, now - created)
        else:
            work = 3 * 86400 if status == "in_progress" else 14 * 86400
            updated = created + rng.uniform(0.05, 1) * min(work, now - created)
        suggested = _suggestion(rng, text.category, text.priority)
        rows.append(
            (
                text.title,
                text.description,
                text.category,
                text.priority,
                status,
                _text_stamp(created, dialect),
                _text_stamp(updated, dialect),
                *suggested,
                _creator(rng, people, age_days),
                _assignee(rng, people, status),
            )
        )
    return rows


def _terms(job: Job, rows: list[tuple[Any, ...]]) -> list[tuple[int, int, float]]:
    """The similar-tickets index rows of a chunk, as the app writes them: ids are given in
    creation order from 1 (the tables were emptied and their sequences restarted)."""
    first = job[1] + 1
    return [
        (term["term"], term["ticket_id"], term["weight"])
        for offset, row in enumerate(rows)
        for term in similar_index.rows(first + offset, row[0], row[1])
    ]


def _chunk(job: Job) -> tuple[list[tuple[Any, ...]], list[tuple[int, int, float]]]:
    """A chunk's ticket rows and index rows."""
    rows = _rows(job)
    return rows, _terms(job, rows)


def _copy_chunk(job: Job) -> tuple[str, str]:
    """A chunk's tickets and index rows as COPY text."""
    rows, terms = _chunk(job)
    return _copy_text(rows), _copy_text(terms)


def _copy_text(rows: list[tuple[Any, ...]]) -> str:
    """Rows in COPY text format (tab-separated, backslash escapes, \\N for NULL)."""
    lines = []
    for row in rows:
        fields = (
            "\\N"
            if value is None
            else str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            for value in row
        )
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def _jobs(count: int, seed: int, end: float, dialect: str, people: People) -> Iterator[Job]:
    rng = random.Random(seed)
    stamps = _stamps(rng, count, end)
    rare = sorted(rng.sample(range(count), count // 1000))
    for first in range(0, count, CHUNK):
        last = min(first + CHUNK, count)
        local = [index for index in rare if first <= index < last]
        yield seed, first, stamps[first:last], local, end, dialect, people


class _ChunkReader:
    """A file-like view of an iterator of text chunks, for psycopg2's copy_expert."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self._buffer = ""

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def _pool() -> Any:
    return multiprocessing.get_context("fork").Pool(2)


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_connect(url: URL, database: str | None = None) -> Any:
    return psycopg2.connect(
        host=url.host or "localhost",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=database or url.database,
    )


def ensure_pg_database(url: URL) -> None:
    """Create the benchmark's database if it does not exist yet (needs CREATEDB)."""
    try:
        pg_connect(url).close()
        return
    except psycopg2.OperationalError as error:
        if "does not exist" not in str(error):
            raise
    admin = pg_connect(url, "postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{url.database}"')
    admin.close()
    print(f"created database {url.database}", file=sys.stderr)


def _pg_secondary_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(name, DDL) of the indexes on `table` that back no constraint."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        (table,),
    )
    return cursor.fetchall()


def _pg_constraints(cursor: Any, table: str, kinds: str) -> list[tuple[str, str]]:
    """(name, definition) of `table`'s constraints of these kinds (p: key, f: reference)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY contype DESC",
        (table, list(kinds)),
    )
    return cursor.fetchall()


def _pg_seed(
    connection: Connection, count: int, seed: int, end: float, with_triggers: bool, people: People
) -> None:
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    indexes = [
        *_pg_secondary_indexes(cursor, "tickets"),
        *_pg_secondary_indexes(cursor, "ticket_history"),
        *_pg_secondary_indexes(cursor, "similar_terms"),
        *_pg_secondary_indexes(cursor, "tickets_search"),
    ]
    keys = _pg_constraints(cursor, "similar_terms", "pf")  # key first, then the reference
    cursor.execute(
        "TRUNCATE tickets, tickets_search, ticket_counts, assignee_counts, ticket_comments, "
        "ticket_history, similar_terms RESTART IDENTITY CASCADE"  # and what refers to them
    )
    if not with_triggers:
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for name, _ in reversed(keys):
            cursor.execute(f'ALTER TABLE similar_terms DROP CONSTRAINT "{name}"')
        # The counting triggers and the assignee check (the seeded assignees are agents).
        cursor.execute("ALTER TABLE tickets DISABLE TRIGGER USER")
    started = time.perf_counter()
    freeze = "" if with_triggers else " WITH (FREEZE)"
    with _pool() as pool, tempfile.TemporaryFile("w+") as spool:

        def tickets_text() -> Iterator[str]:
            for tickets, terms in pool.imap(
                _copy_chunk, _jobs(count, seed, end, "postgresql", people)
            ):
                spool.write(terms)
                yield tickets

        sql = f"COPY tickets ({', '.join(COLUMNS)}) FROM STDIN{freeze}"
        cursor.copy_expert(sql, _ChunkReader(tickets_text()), size=1 << 20)
        spool.seek(0)
        sql = f"COPY similar_terms (term, ticket_id, weight) FROM STDIN{freeze}"
        cursor.copy_expert(sql, spool, size=1 << 20)
    cursor.execute(CREATED_ENTRIES)
    print(f"  copied {count:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if not with_triggers:
        started = time.perf_counter()
        counts.rebuild_on(connection)
        cursor.execute("ALTER TABLE tickets ENABLE TRIGGER USER")
        for name, definition in keys:
            cursor.execute(f'ALTER TABLE similar_terms ADD CONSTRAINT "{name}" {definition}')
        for _, ddl in indexes:
            cursor.execute(ddl)
        print(f"  indexes rebuilt in {time.perf_counter() - started:.1f} s", file=sys.stderr)


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_seed(
    connection: Connection, count: int, seed: int, end: float, with_triggers: bool, people: People
) -> None:
    raw = connection.connection.dbapi_connection
    saved = raw.execute(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE tbl_name IN ('tickets', 'ticket_history', 'similar_terms') "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type"
    ).fetchall()
    if not with_triggers:
        for kind, name, _ in saved:
            raw.execute(f'DROP {kind.upper()} "{name}"')
    emptied = (*TICKET_ROWS, "similar_terms", "ticket_history", "ticket_comments", "tickets")
    for table in (*emptied, "ticket_counts"):
        raw.execute(f"DELETE FROM {table}")  # a reseed; the FTS table is rebuilt below
    raw.execute("DELETE FROM assignee_counts")
    raw.execute("DELETE FROM sqlite_sequence WHERE name IN ('tickets', 'ticket_history')")
    started = time.perf_counter()
    marks = ", ".join("?" * len(COLUMNS))
    insert = f"INSERT INTO tickets ({', '.join(COLUMNS)}) VALUES ({marks})"
    terms: list[tuple[int, int, float]] = []
    with _pool() as pool:
        for rows, chunk_terms in pool.imap(_chunk, _jobs(count, seed, end, "sqlite", people)):
            raw.executemany(insert, rows)
            terms += chunk_terms
    terms.sort()  # the table is its key (WITHOUT ROWID): appending in key order is cheapest
    raw.executemany("INSERT INTO similar_terms (term, ticket_id, weight) VALUES (?, ?, ?)", terms)
    raw.execute(CREATED_ENTRIES)
    print(f"  inserted {count:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if not with_triggers:
        started = time.perf_counter()
        counts.rebuild_on(connection)
        for _, _, ddl in saved:  # indexes before triggers (ORDER BY type)
            raw.execute(ddl)
        print(f"  indexes rebuilt in {time.perf_counter() - started:.1f} s", file=sys.stderr)


# --- both ------------------------------------------------------------------------------------

USERS = User.__table__


def seed_people(connection: Connection) -> People:
    """The seeded agents and requesters, created on first use and reused by later seeds."""
    wanted = [
        *(
            (f"bench-agent-{n}@example.com", f"Bench Agent {n}", "agent")
            for n in range(1, SEED_AGENTS + 1)
        ),
        *(
            (f"bench-requester-{n}@example.com", f"Bench Requester {n}", "requester")
            for n in range(1, SEED_REQUESTERS + 1)
        ),
    ]
    emails = [email for email, _, _ in wanted]
    found = dict(
        connection.execute(
            sa.select(USERS.c.email, USERS.c.id).where(USERS.c.email.in_(emails))
        ).all()
    )
    missing = [row for row in wanted if row[0] not in found]
    if missing:
        unusable = hash_password(secrets.token_urlsafe(32))  # random, and forgotten
        inserted = connection.execute(
            sa.insert(USERS).returning(USERS.c.email, USERS.c.id),
            [
                {"email": email, "name": name, "role": role, "password_hash": unusable}
                for email, name, role in missing
            ],
        )
        found.update(dict(inserted.all()))
    return People(
        agents=tuple(found[email] for email, _, role in wanted if role == "agent"),
        requesters=tuple(found[email] for email, _, role in wanted if role == "requester"),
    )


def _read_marker(connection: Connection) -> dict[str, Any] | None:
    value = connection.exec_driver_sql(
        f"SELECT value FROM {MARKER_TABLE} WHERE name = 'seed'"
    ).scalar()
    return json.loads(value) if value else None


def _write_marker(connection: Connection, marker: dict[str, Any]) -> None:
    connection.exec_driver_sql(f"DELETE FROM {MARKER_TABLE}")
    connection.execute(
        sa.text(f"INSERT INTO {MARKER_TABLE} (name, value) VALUES ('seed', :value)"),
        {"value": json.dumps(marker)},
    )


def check(connection: Connection, dialect: str, count: int) -> int:
    """Raise unless the database is exactly what the triggers would have built (both counter
    tables, SQLite's search index) with a `created` entry per ticket; returns how many
    tickets hold RARE_WORD."""
    drift = counts.counter_drift(connection) + counts.search_index_drift(connection)
    if drift:
        raise AssertionError("the counters differ from the tickets: " + "; ".join(drift[:5]))
    scalar = connection.exec_driver_sql
    if scalar("SELECT count(*) FROM tickets").scalar() != count:
        raise AssertionError(f"expected {count} tickets")
    created = scalar("SELECT count(*) FROM ticket_history WHERE kind = 'created'").scalar()
    if created != count:
        raise AssertionError(f"{created} `created` history entries for {count} tickets")
    _check_similar_index(connection)
    # SQLite's LIKE ignores ASCII case; PostgreSQL's search text is the indexed copy
    like, table = ("LIKE", "tickets") if dialect == "sqlite" else ("ILIKE", "tickets_search")
    rare = int(
        connection.execute(
            sa.text(
                f"SELECT count(*) FROM {table} WHERE title {like} :pattern "
                f"OR description {like} :pattern"
            ),
            {"pattern": f"%{RARE_WORD}%"},
        ).scalar_one()
    )
    if rare != count // 1000:
        raise AssertionError(f"{RARE_WORD!r} is in {rare} tickets, expected {count // 1000}")
    if dialect == "sqlite":
        matched = scalar(
            f"SELECT count(*) FROM tickets_search WHERE tickets_search MATCH '\"{RARE_WORD}\"'"
        ).scalar()
        if matched != rare:
            raise AssertionError("the FTS5 index disagrees with the tickets table")
    return rare


def _check_similar_index(connection: Connection) -> None:
    """The first and the last ticket's index rows are what the app would write, and no
    indexed ticket is missing."""
    for ticket in connection.exec_driver_sql(
        "SELECT id, title, description FROM tickets "
        "WHERE id IN ((SELECT min(id) FROM tickets), (SELECT max(id) FROM tickets))"
    ):
        stored = connection.execute(
            sa.text("SELECT term, weight FROM similar_terms WHERE ticket_id = :id"),
            {"id": ticket.id},
        ).all()
        expected = similar_index.rows(ticket.id, ticket.title, ticket.description)
        if sorted((t, round(w, 5)) for t, w in stored) != sorted(
            (row["term"], round(row["weight"], 5)) for row in expected
        ):
            raise AssertionError(f"the similar index of ticket {ticket.id} is not the app's")
    indexed = connection.exec_driver_sql(
        "SELECT count(*) FROM tickets WHERE NOT EXISTS "
        "(SELECT 1 FROM similar_terms s WHERE s.ticket_id = tickets.id)"
    ).scalar()
    if indexed:
        raise AssertionError(f"{indexed} tickets are missing from the similar index")


def _vacuum(url: URL, dialect: str) -> None:
    """What autovacuum would have done by the time a desk has this many tickets (PostgreSQL;
    also empties the trigram indexes' GIN pending lists, which a previous run's creates filled:
    every search scans them whole, so each run starts as a fresh seed does)."""
    if dialect == "sqlite":
        return
    connection = pg_connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        for table in (
            "tickets",
            "ticket_history",
            "ticket_counts",
            "assignee_counts",
            "similar_terms",
            "tickets_search",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    connection.close()


def seed(
    url_text: str,
    count: int,
    seed: int = 42,
    *,
    force: bool = False,
    with_triggers: bool = False,
    end: float | None = None,
) -> SeedResult:
    """Seed `count` tickets into the migrated database at `url_text` unless it already holds
    this exact seed (then only the tickets a previous run created are deleted again)."""
    url = make_url(url_text)
    dialect = "sqlite" if url.drivername.startswith("sqlite") else "postgresql"
    if dialect == "postgresql":
        url = url.set(drivername="postgresql+psycopg2")  # the stack's driver, as config.py does
    started = time.perf_counter()
    engine = create_db_engine(url.render_as_string(hide_password=False), pool_size=1)
    with engine.connect() as connection:
        if dialect == "sqlite":
            # A bulk load needs no crash safety or WAL; WAL mode is set back afterwards.
            raw = connection.connection.dbapi_connection
            raw.execute("PRAGMA journal_mode=DELETE")
            raw.execute("PRAGMA synchronous=OFF")
            # Every table is emptied and refilled consistently; with references checked, each
            # deleted ticket would scan the tickets for ones merged into it (a partial index,
            # which SQLite's reference check does not use).
            raw.execute("PRAGMA foreign_keys=OFF")
        with connection.begin():
            result = _seed_in(connection, dialect, count, seed, force, with_triggers, end)
        if dialect == "sqlite":
            raw.execute("PRAGMA journal_mode=WAL")
            raw.execute("PRAGMA foreign_keys=ON")
    engine.dispose()
    _vacuum(url, dialect)
    return SeedResult(count, time.perf_counter() - started, *result)


def _seed_in(
    connection: Connection,
    dialect: str,
    count: int,
    seed: int,
    force: bool,
    with_triggers: bool,
    end: float | None,
) -> tuple[bool, int]:
    """The seed (or the reuse of an identical one) in the caller's transaction: (reused, rare)."""
    schema = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    wanted = {"version": GENERATOR_VERSION, "tickets": count, "seed": seed, "schema": schema}
    connection.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )
    marker = _read_marker(connection)
    existing = connection.exec_driver_sql("SELECT count(*) FROM tickets").scalar()
    if marker is None and existing:
        raise SystemExit(
            f"the database holds {existing} tickets the bench did not seed; use an empty one"
        )
    if marker and {k: marker.get(k) for k in wanted} == wanted and not force:
        seeded = int(marker["max_id"])
        # The tickets a previous run created go with their rows (SQLite seeds with its
        # references off, so nothing cascades there).
        for table in ("ticket_history", "ticket_comments", "similar_terms"):
            connection.exec_driver_sql(f"DELETE FROM {table} WHERE ticket_id > {seeded}")
        connection.exec_driver_sql(f"DELETE FROM tickets WHERE id > {seeded}")
        return True, check(connection, dialect, count)
    end = end or time.time() - 60
    print(f"seeding {count:,} tickets into {dialect}", file=sys.stderr)
    people = seed_people(connection)
    if dialect == "sqlite":
        _sqlite_seed(connection, count, seed, end, with_triggers, people)
    else:
        _pg_seed(connection, count, seed, end, with_triggers, people)
    started_check = time.perf_counter()
    rare = check(connection, dialect, count)
    print(f"  checked in {time.perf_counter() - started_check:.1f} s", file=sys.stderr)
    max_id = connection.exec_driver_sql("SELECT max(id) FROM tickets").scalar()
    _write_marker(connection, {**wanted, "max_id": max_id, "seeded_at": end})
    return False, rare


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL, already migrated")
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--force", action="store_true", help="reseed even if already seeded")
    parser.add_argument("--with-triggers", action="store_true", help="slow reference path")
    parser.add_argument("--end", type=float, help="newest creation time (epoch), to reproduce")
    args = parser.parse_args(argv)
    result = seed(
        args.database,
        args.tickets,
        args.seed,
        force=args.force,
        with_triggers=args.with_triggers,
        end=args.end,
    )
    print(json.dumps(result.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
