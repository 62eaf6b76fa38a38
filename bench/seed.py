"""Seed N realistic tickets into a migrated database, fast, ending exactly where triggers would.

Rows are generated in two processes (the text is the slow part) and streamed in creation
order, so ids grow with created_at as they do in real life. PostgreSQL gets one COPY FREEZE
into the freshly truncated table with the secondary indexes dropped and the count trigger
disabled; SQLite gets executemany in one transaction with its indexes and triggers dropped.
Afterwards the indexes and triggers are recreated from their own saved DDL, `ticket_counts`
is rebuilt with one INSERT ... SELECT ... GROUP BY, and the FTS5 table with 'rebuild'; a
check query then proves the counters equal what the triggers would have produced.

`python -m bench.seed --database URL --tickets N` seeds alone; `--with-triggers` loads row
by row through the live triggers instead, to validate the fast path against the real one.
"""

# ruff: noqa: S608 -- SQL is built from constants and from DDL the database itself reports

import argparse
import json
import math
import multiprocessing
import random
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg2
from sqlalchemy.engine import URL, make_url

from bench.textgen import CATEGORIES, PRIORITIES, RARE_WORD, STATUSES, make_ticket

GENERATOR_VERSION = 1
YEARS = 2
CHUNK = 20_000
SHARDS = 16
COLUMNS = (
    "title", "description", "category", "priority", "status", "created_at", "updated_at",
    "suggested_category", "suggested_priority",
)  # fmt: skip
OUTCOME = (
    "CASE WHEN suggested_category IS NULL AND suggested_priority IS NULL THEN 'none' "
    "WHEN category = suggested_category AND priority = suggested_priority THEN 'agreed' "
    "ELSE 'changed' END"
)
"""The count trigger's `suggestion` expression (alembic 0001 `_outcome`), for the rebuild."""
GROUPED = (
    f"SELECT id % {SHARDS} AS shard, category, priority, status, {OUTCOME} AS suggestion, "
    "count(*) AS tickets, count(*) AS changes FROM tickets GROUP BY 1, 2, 3, 4, 5"
)
COUNT_COLUMNS = "shard, category, priority, status, suggestion, tickets, changes"
MARKER_TABLE = "bench_seed"

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


def _text_stamp(stamp: float, dialect: str) -> str:
    moment = datetime.fromtimestamp(round(stamp, 6), UTC)
    if dialect == "sqlite":  # what SQLAlchemy's SQLite DateTime stores: naive UTC text
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f+00")


def _rows(job: tuple[int, int, list[float], list[int], float, str]) -> list[tuple[Any, ...]]:
    """One chunk of rows; seeded by its start index, so the result does not depend on how
    many processes generate."""
    seed, first, stamps, rare, now, dialect = job
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
            )
        )
    return rows


def _copy_text(job: tuple[int, int, list[float], list[int], float, str]) -> str:
    """A chunk as COPY text format (tab-separated, backslash escapes, \\N for NULL)."""
    lines = []
    for row in _rows(job):
        fields = (
            "\\N"
            if value is None
            else value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            for value in row
        )
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def _jobs(
    count: int, seed: int, end: float, dialect: str
) -> Iterator[tuple[int, int, list[float], list[int], float, str]]:
    rng = random.Random(seed)
    stamps = _stamps(rng, count, end)
    rare = sorted(rng.sample(range(count), count // 1000))
    for first in range(0, count, CHUNK):
        last = min(first + CHUNK, count)
        local = [index for index in rare if first <= index < last]
        yield seed, first, stamps[first:last], local, end, dialect


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


def _pg_seed(connection: Any, count: int, seed: int, end: float, with_triggers: bool) -> None:
    cursor = connection.cursor()
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = 'tickets'::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
    )
    indexes: list[tuple[str, str]] = cursor.fetchall()
    cursor.execute("TRUNCATE tickets, ticket_counts RESTART IDENTITY")
    if not with_triggers:
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("ALTER TABLE tickets DISABLE TRIGGER tickets_keep_counts")
    started = time.perf_counter()
    freeze = "" if with_triggers else " WITH (FREEZE)"
    with _pool() as pool:
        chunks = pool.imap(_copy_text, _jobs(count, seed, end, "postgresql"))
        sql = f"COPY tickets ({', '.join(COLUMNS)}) FROM STDIN{freeze}"
        cursor.copy_expert(sql, _ChunkReader(chunks), size=1 << 20)
    print(f"  copied {count:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if not with_triggers:
        started = time.perf_counter()
        cursor.execute(f"INSERT INTO ticket_counts ({COUNT_COLUMNS}) {GROUPED}")
        cursor.execute("ALTER TABLE tickets ENABLE TRIGGER tickets_keep_counts")
        for _, ddl in indexes:
            cursor.execute(ddl)
        print(f"  indexes rebuilt in {time.perf_counter() - started:.1f} s", file=sys.stderr)


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_seed(
    connection: sqlite3.Connection, count: int, seed: int, end: float, with_triggers: bool
) -> None:
    saved = connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'tickets' "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type"
    ).fetchall()
    if not with_triggers:
        for kind, name, _ in saved:
            connection.execute(f'DROP {kind.upper()} "{name}"')
    connection.execute("DELETE FROM tickets")  # a reseed; the FTS table is rebuilt below
    connection.execute("DELETE FROM ticket_counts")
    connection.execute("DELETE FROM sqlite_sequence WHERE name = 'tickets'")
    started = time.perf_counter()
    marks = ", ".join("?" * len(COLUMNS))
    insert = f"INSERT INTO tickets ({', '.join(COLUMNS)}) VALUES ({marks})"
    with _pool() as pool:
        for rows in pool.imap(_rows, _jobs(count, seed, end, "sqlite")):
            connection.executemany(insert, rows)
    print(f"  inserted {count:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if not with_triggers:
        started = time.perf_counter()
        connection.execute(f"INSERT INTO ticket_counts ({COUNT_COLUMNS}) {GROUPED}")
        connection.execute("INSERT INTO tickets_search (tickets_search) VALUES ('rebuild')")
        for _, _, ddl in saved:  # indexes before triggers (ORDER BY type)
            connection.execute(ddl)
        print(f"  indexes rebuilt in {time.perf_counter() - started:.1f} s", file=sys.stderr)


# --- both ------------------------------------------------------------------------------------


def _marker(dialect: str) -> str:
    kind = "TEXT PRIMARY KEY" if dialect == "sqlite" else "text PRIMARY KEY"
    return f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (name {kind}, value TEXT NOT NULL)"


def _read_marker(cursor: Any) -> dict[str, Any] | None:
    cursor.execute(f"SELECT value FROM {MARKER_TABLE} WHERE name = 'seed'")
    row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def _write_marker(cursor: Any, dialect: str, marker: dict[str, Any]) -> None:
    cursor.execute(f"DELETE FROM {MARKER_TABLE}")
    mark = "?" if dialect == "sqlite" else "%s"
    cursor.execute(
        f"INSERT INTO {MARKER_TABLE} (name, value) VALUES ('seed', {mark})",
        (json.dumps(marker),),
    )


def check(cursor: Any, dialect: str, count: int, fresh: bool) -> int:
    """Raise unless the database is exactly what the triggers would have built; returns how
    many tickets hold RARE_WORD. `fresh`: no ticket has changed since seeding, so `changes`
    must equal `tickets` too (later creates and deletes only ever add to it)."""
    columns = "shard, category, priority, status, suggestion, tickets"
    if fresh:
        columns += ", changes"
    grouped = f"SELECT {columns} FROM ({GROUPED}) g"
    counted = f"SELECT {columns} FROM ticket_counts WHERE tickets <> 0"
    for left, right in ((grouped, counted), (counted, grouped)):
        cursor.execute(f"SELECT count(*) FROM ({left} EXCEPT {right}) d")
        if cursor.fetchone()[0]:
            raise AssertionError("ticket_counts differs from what the triggers would hold")
    cursor.execute("SELECT count(*) FROM tickets")
    if cursor.fetchone()[0] != count:
        raise AssertionError(f"expected {count} tickets")
    like = "LIKE" if dialect == "sqlite" else "ILIKE"  # SQLite's LIKE ignores ASCII case
    cursor.execute(
        f"SELECT count(*) FROM tickets WHERE title {like} '%{RARE_WORD}%' "
        f"OR description {like} '%{RARE_WORD}%'"
    )
    rare = int(cursor.fetchone()[0])
    if rare != count // 1000:
        raise AssertionError(f"{RARE_WORD!r} is in {rare} tickets, expected {count // 1000}")
    if dialect == "sqlite":
        cursor.execute(
            "INSERT INTO tickets_search (tickets_search, rank) VALUES ('integrity-check', 1)"
        )
        cursor.execute(
            f"SELECT count(*) FROM tickets_search WHERE tickets_search MATCH '\"{RARE_WORD}\"'"
        )
        if cursor.fetchone()[0] != rare:
            raise AssertionError("the FTS5 index disagrees with the tickets table")
    return rare


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
    started = time.perf_counter()
    if dialect == "sqlite":
        connection: Any = sqlite3.connect(url.database or "", isolation_level=None)
    else:
        connection = pg_connect(url)
    cursor = connection.cursor()
    cursor.execute("SELECT version_num FROM alembic_version")
    schema = cursor.fetchone()[0]
    wanted = {"version": GENERATOR_VERSION, "tickets": count, "seed": seed, "schema": schema}
    cursor.execute(_marker(dialect))
    marker = _read_marker(cursor)
    cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM tickets")
    existing, _ = cursor.fetchone()
    if marker is None and existing:
        raise SystemExit(
            f"the database holds {existing} tickets the bench did not seed; use an empty one"
        )
    if marker and {k: marker.get(k) for k in wanted} == wanted and not force:
        cursor.execute(f"DELETE FROM tickets WHERE id > {int(marker['max_id'])}")
        rare = check(cursor, dialect, count, fresh=False)
        if dialect == "postgresql":
            connection.commit()
            connection.autocommit = True
            # Also empties the trigram indexes' GIN pending lists, which the last run's creates
            # filled: every search scans them whole, so each run starts as a fresh seed does.
            cursor.execute("VACUUM ANALYZE tickets")
        connection.close()
        return SeedResult(count, time.perf_counter() - started, True, rare)
    end = end or time.time() - 60
    print(f"seeding {count:,} tickets into {dialect}", file=sys.stderr)
    if dialect == "sqlite":
        # A bulk load needs no crash safety or WAL; WAL mode is set back afterwards.
        cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("BEGIN")
        _sqlite_seed(connection, count, seed, end, with_triggers)
    else:
        _pg_seed(connection, count, seed, end, with_triggers)
    started_check = time.perf_counter()
    rare = check(cursor, dialect, count, fresh=True)
    print(f"  checked in {time.perf_counter() - started_check:.1f} s", file=sys.stderr)
    cursor.execute("SELECT max(id) FROM tickets")
    _write_marker(cursor, dialect, {**wanted, "max_id": cursor.fetchone()[0], "seeded_at": end})
    if dialect == "sqlite":
        cursor.execute("COMMIT")
        cursor.execute("PRAGMA journal_mode=WAL")
    else:
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE tickets")  # what autovacuum would have done by now
        cursor.execute("ANALYZE ticket_counts")
    connection.close()
    return SeedResult(count, time.perf_counter() - started, False, rare)


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
