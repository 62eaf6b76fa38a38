"""The triage bench: what an agent's desk costs at a million tickets, beyond the list.

    python -m bench.triage --database postgresql://tickets:tickets@127.0.0.1:54329/bench_1m

Needs a database seeded by `python -m bench.seed` (or `python -m bench`). Starts the app as
bench.run does (Granian, Redis, three workers), then measures over keep-alive HTTP with an
agent's token, and over the real websocket for the board:

- the assignee filter (one seeded agent's open tickets, and the unassigned ones), page 1
  and page 100;
- each order (newest, oldest, priority, activity) on the open tickets, page 1 and page 100;
- a ticket with 1,000 comments and 10,000 history entries: its page, its newest timeline
  page, its first comments page;
- the board opened in a tab (connect until its four columns are there);
- a 10,000-ticket bulk change, with the p95 of list requests made meanwhile by another client;
- the CSV export of every ticket: time to the first bytes, to the end, and the app's peak
  memory meanwhile.

Prints a table and writes bench/results/triage-<database>.json. Figures, not pass/fail.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from bench.load import TOKEN_VARIABLE, Case, Connection, deep_cursor, measure
from bench.memory import MemorySampler
from bench.run import RESULTS, ROOT, VENV_BIN, bench_token, start_app, start_redis, stop
from tests.support.reflex_client import ReflexTab
from ticket_app.domain import Role
from ticket_app.services import sessions
from ticket_app.services.access import Actor
from ticket_app.ui.state.board import BoardState

HEAVY_COMMENTS = 1_000
HEAVY_HISTORY = 10_000
BULK = 10_000


def _list(params: dict[str, str]) -> str:
    return "/api/tickets/?" + urlencode({**params, "limit": 50}, safe=",")


def _engine(url: str) -> Engine:
    return sa.create_engine(make_url(url).set(drivername="postgresql+psycopg2"))


def heavy_ticket(engine: Engine) -> int:
    """A ticket with HEAVY_COMMENTS comments and HEAVY_HISTORY history entries (made once)."""
    with engine.begin() as connection:
        found = connection.execute(
            sa.text("SELECT id FROM tickets WHERE title = 'Bench: a very long conversation'")
        ).scalar()
        if found:
            return int(found)
        author = connection.execute(sa.text("SELECT min(id) FROM users")).scalar_one()
        ticket = connection.execute(
            sa.text(
                "INSERT INTO tickets (title, description, category, priority, status, "
                "comment_count, created_by) VALUES ('Bench: a very long conversation', "
                "'Every reply the desk ever had.', 'technical', 'high', 'open', :n, :a) "
                "RETURNING id"
            ),
            {"n": HEAVY_COMMENTS, "a": author},
        ).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO ticket_comments (ticket_id, author_id, public, body) "
                "SELECT :t, :a, true, 'Reply number ' || n FROM generate_series(1, :n) n"
            ),
            {"t": ticket, "a": author, "n": HEAVY_COMMENTS},
        )
        connection.execute(
            sa.text(
                "INSERT INTO ticket_history (ticket_id, actor_id, kind, comment_id, public) "
                "SELECT ticket_id, author_id, 'commented', id, true FROM ticket_comments "
                "WHERE ticket_id = :t"
            ),
            {"t": ticket},
        )
        connection.execute(
            sa.text(
                "INSERT INTO ticket_history (ticket_id, actor_id, kind, field, old_value, "
                "new_value, public) SELECT :t, :a, 'changed', 'priority', 'low', 'high', false "
                "FROM generate_series(1, :n)"
            ),
            {"t": ticket, "a": author, "n": HEAVY_HISTORY - HEAVY_COMMENTS},
        )
    return int(ticket)


def one(engine: Engine, query: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(sa.text(query)).one()


async def read_cases(base_url: str, agent: int, heavy: int, requests: int) -> list[dict[str, Any]]:
    """p50/p95 of the list's new filters and orders, page 1 and 100, and the heavy ticket."""
    targets: list[tuple[str, str, str]] = []
    for name, params in (
        ("assignee=<agent>, open", {"assignee": str(agent), "status": "open"}),
        ("assignee=none, open", {"assignee": "none", "status": "open"}),
        *(
            (f"sort={order}, open", {"status": "open", "sort": order})
            for order in ("newest", "oldest", "priority", "activity")
        ),
    ):
        targets.append((name, "page 1", _list(params)))
        reached, deep = await deep_cursor(base_url, params, 100)
        targets.append((name, f"page {reached}", deep))
    targets += [
        ("heavy ticket", "GET the ticket", f"/api/tickets/{heavy}/"),
        ("heavy ticket", "history, first page", f"/api/tickets/{heavy}/history/?limit=50"),
        ("heavy ticket", "comments, first page", f"/api/tickets/{heavy}/comments/?limit=50"),
    ]
    results = []
    for name, page, target in targets:
        case = Case(name, f"{name}: {page}", lambda _, t=target: ("GET", t, None), requests, 10)
        result = await measure(base_url, case)
        results.append({"case": name, "page": page, "p50_ms": result.p50_ms,
                        "p95_ms": result.p95_ms, "errors": result.errors})  # fmt: skip
    return results


async def board_open(base_url: str, cookie: str, tabs: int = 20) -> dict[str, float]:
    """Connect-to-board-shown in a real tab, signed in with a session of the bench agent."""
    seconds = []
    for _ in range(tabs):
        async with ReflexTab(base_url, cookie=cookie) as tab:
            started = time.perf_counter()
            await tab.open("/board")  # returns once the page's on_load handlers are done
            seconds.append(time.perf_counter() - started)
            if len(tab.value(BoardState, "columns")) != 4:
                raise SystemExit("the board did not show its four columns")
    return {"p50_ms": round(statistics.median(seconds) * 1000, 1),
            "max_ms": round(max(seconds) * 1000, 1), "tabs": tabs}  # fmt: skip


async def bulk_with_readers(base_url: str, ids: list[int]) -> dict[str, Any]:
    """A 10,000-ticket bulk change, while another client reads the list as fast as it can."""
    reader = await Connection.open(base_url)
    writer = await Connection.open(base_url)
    latencies: list[float] = []
    done = asyncio.Event()

    async def read() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await reader.request("GET", _list({"status": "open"}))
            latencies.append(time.perf_counter() - started)

    body = json.dumps({"ids": ids, "set": {"status": "in_progress"}}).encode()
    reading = asyncio.create_task(read())
    await asyncio.sleep(1)
    before = len(latencies)
    started = time.perf_counter()
    response = await writer.request("POST", "/api/tickets/bulk/", body)
    elapsed = time.perf_counter() - started
    during = latencies[before:]
    done.set()
    await reading
    reader.close()
    writer.close()
    answer = json.loads(response.body) if response.status == 200 else response.body.decode()
    ordered = sorted(during) or [0.0]
    return {
        "status": response.status,
        "answer": answer,
        "seconds": round(elapsed, 2),
        "reads_during": len(during),
        "read_p50_ms": round(statistics.median(ordered) * 1000, 1),
        "read_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
    }


async def export_all(base_url: str, app_pid: int) -> dict[str, Any]:
    """Every ticket as CSV: first bytes, total time, size, and the app's peak memory."""
    sampler = MemorySampler(app_pid, interval=0.1)
    sampler.start()
    parts = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    token = os.environ[TOKEN_VARIABLE]
    writer.write(
        f"GET /api/tickets/export.csv HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode()
    )
    started = time.perf_counter()
    first = None
    size = 0
    while chunk := await reader.read(1 << 16):
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk)
    total = time.perf_counter() - started
    writer.close()
    sampler.stop()
    sampler.join()
    return {"first_bytes_ms": round((first or 0) * 1000, 1), "seconds": round(total, 1),
            "megabytes": round(size / 1e6, 1), "app_peak_rss_mb": sampler.peak.rss_mb,
            "app_peak_pss_mb": sampler.peak.pss_mb}  # fmt: skip


def table(report: dict[str, Any]) -> str:
    lines = ["case                                   p50 ms   p95 ms"]
    for row in report["reads"]:
        lines.append(
            f"{row['case'] + ': ' + row['page']:<38} {row['p50_ms']:>7} {row['p95_ms']:>8}"
        )
    board, bulk, export = report["board"], report["bulk"], report["export"]
    lines += [
        f"board open (tab connect to columns)    {board['p50_ms']:>7} (max {board['max_ms']})",
        f"bulk {BULK:,}-ticket change: {bulk['seconds']} s, {bulk['answer']}; list meanwhile "
        f"p50 {bulk['read_p50_ms']} ms, p95 {bulk['read_p95_ms']} ms ({bulk['reads_during']})",
        f"export all: first bytes {export['first_bytes_ms']} ms, {export['seconds']} s, "
        f"{export['megabytes']} MB, app peak {export['app_peak_rss_mb']} MB RSS "
        f"({export['app_peak_pss_mb']} MB PSS)",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL URL, already seeded")
    parser.add_argument("--port", type=int, default=8210)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    url = args.database
    app_url = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "APP_URL": app_url,
        "REFLEX_USE_NPM": "1",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GRANIAN_WORKERS": str(args.workers),
        "REFLEX_REDIS_URL": f"redis://127.0.0.1:{args.port + 1}/0",
    }
    # The sessions service reads DATABASE_URL at its first use, below.
    os.environ.update(DATABASE_URL=url, **{TOKEN_VARIABLE: bench_token(env)})
    engine = _engine(url)
    heavy = heavy_ticket(engine)
    agent = one(engine, "SELECT id FROM users WHERE email = 'bench-agent-1@example.com'").id
    bench = one(engine, "SELECT id, email, name FROM users WHERE email = 'bench@example.com'")
    with engine.connect() as connection:
        ids = list(connection.execute(
            sa.text("SELECT id FROM tickets WHERE status = 'open' ORDER BY id LIMIT :n"),
            {"n": BULK},
        ).scalars())  # fmt: skip
    engine.dispose()
    actor = Actor(id=bench.id, email=bench.email, name=bench.name, role=Role.AGENT)
    cookie = f"{sessions.COOKIE_NAME}={sessions.start(actor)}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    redis = start_redis(args.port + 1)
    app = start_app(env, args.port, RESULTS / "triage-app.log", 900)
    try:
        report: dict[str, Any] = {"database": make_url(url).database, "heavy_ticket": heavy}
        report["reads"] = asyncio.run(read_cases(app_url, agent, heavy, args.requests))
        report["board"] = asyncio.run(board_open(app_url, cookie))
        report["bulk"] = asyncio.run(bulk_with_readers(app_url, ids))
        report["export"] = asyncio.run(export_all(app_url, app.pid))
    finally:
        stop(app)
        stop(redis)
    out = RESULTS / f"triage-{make_url(url).database}.json"
    out.write_text(json.dumps(report, indent=2))
    print(table(report))
    print(f"wrote {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
