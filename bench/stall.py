"""Fifty slow queries at once, and how the health check answers meanwhile.

    python -m bench.stall --database postgresql://tickets:tickets@127.0.0.1:54329/bench_stall

The app is started as docker-compose.yml runs it (Redis, 3 Granian workers, a pool of 5 per
worker). The bench then takes an ACCESS EXCLUSIVE lock on `tickets` from a connection of its
own, as a long migration or a forgotten open transaction would, and sends `--slow` list
requests at once: each is a real query that waits inside the database, holding a pooled
connection and a worker thread. Meanwhile it asks GET /api/health/ every 0.2 s. After
`--hold` seconds the lock is released. It prints what the slow requests got and how fast
health answered while they waited; it measures, it does not judge.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import make_url

from bench import seed as seeding
from bench.load import TOKEN_VARIABLE, Connection
from bench.run import (
    RESULTS,
    VENV_BIN,
    bench_token,
    port_free,
    run_step,
    start_app,
    start_redis,
    stop,
)

PROBE_EVERY = 0.2
PROBE_TIMEOUT = 10.0


@dataclass(frozen=True)
class Answer:
    started: float
    seconds: float
    status: int | None  # None: no answer within the timeout, or the connection failed


async def _timed(base_url: str, target: str, timeout: float) -> Answer:
    started = time.perf_counter()
    try:
        connection = await asyncio.wait_for(Connection.open(base_url), timeout)
        try:
            response = await asyncio.wait_for(connection.request("GET", target), timeout)
        finally:
            connection.close()
        status: int | None = response.status
    except (TimeoutError, OSError):
        status = None
    return Answer(started, time.perf_counter() - started, status)


async def _probe_health(base_url: str, until: asyncio.Event) -> list[Answer]:
    answers = []
    while not until.is_set():
        answers.append(await _timed(base_url, "/api/health/", PROBE_TIMEOUT))
        await asyncio.sleep(PROBE_EVERY)
    return answers


def _lock_tickets(url: str) -> Any:
    """A connection of the bench's own holding an exclusive lock on the tickets table."""
    connection = seeding.pg_connect(make_url(url))
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE")
    return connection  # the transaction stays open until rollback()


async def stall(base_url: str, url: str, slow: int, hold: float) -> dict[str, list[Answer]]:
    stop_probing = asyncio.Event()
    probes = asyncio.create_task(_probe_health(base_url, stop_probing))
    await asyncio.sleep(1)  # a few probes before: the quiet baseline
    lock = _lock_tickets(url)
    started = time.perf_counter()
    requests = [
        asyncio.create_task(_timed(base_url, "/api/tickets/?limit=50", hold + 60))
        for _ in range(slow)
    ]
    await asyncio.sleep(hold)
    lock.rollback()
    lock.close()
    released = time.perf_counter()
    answers = await asyncio.gather(*requests)
    await asyncio.sleep(1)
    stop_probing.set()
    health = await probes
    return {
        "slow": answers,
        "before": [a for a in health if a.started < started],
        "during": [a for a in health if started <= a.started < released],
        "after": [a for a in health if a.started >= released],
    }


def _summary(answers: list[Answer]) -> str:
    if not answers:
        return "none"
    statuses = Counter("no answer" if a.status is None else str(a.status) for a in answers)
    times = sorted(a.seconds * 1000 for a in answers)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    counts = ", ".join(f"{status} x{n}" for status, n in sorted(statuses.items()))
    return (
        f"{len(answers)}: {counts}; min {times[0]:.0f} ms, p50 {statistics.median(times):.0f} ms,"
        f" p95 {p95:.0f} ms, max {times[-1]:.0f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL URL of the bench's own")
    parser.add_argument("--port", type=int, default=8300, help="the app's port (Redis: +1)")
    parser.add_argument("--slow", type=int, default=50, help="slow requests sent at once")
    parser.add_argument("--hold", type=float, default=15, help="seconds the lock is held")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.database.startswith("postgres"):
        raise SystemExit("the stall bench needs PostgreSQL (it takes a table lock)")
    for port in (args.port, args.port + 1):
        if not port_free(port):
            raise SystemExit(f"port {port} is in use; pick another with --port")
    base_url = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "APP_URL": base_url,
        "REFLEX_USE_NPM": "1",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GRANIAN_WORKERS": str(args.workers),
        "DB_POOL_SIZE": os.environ.get("DB_POOL_SIZE", "5"),
    }
    seeding.ensure_pg_database(make_url(args.database))
    run_step([sys.executable, "-m", "ticket_app.migrate"], env)
    os.environ[TOKEN_VARIABLE] = bench_token(env)  # for the list requests' Connection
    redis = start_redis(args.port + 1)
    env["REFLEX_REDIS_URL"] = f"redis://127.0.0.1:{args.port + 1}/0"
    app = None
    try:
        RESULTS.mkdir(parents=True, exist_ok=True)
        app = start_app(env, args.port, RESULTS / "stall-app.log", timeout=900)
        result = asyncio.run(stall(base_url, args.database, args.slow, args.hold))
    finally:
        if app is not None:
            stop(app)
        stop(redis, grace=5)
    print(
        f"{args.slow} list requests waiting on a locked table for {args.hold:g} s; "
        f"{args.workers} workers, pool {env['DB_POOL_SIZE']} (+ as many overflow) per worker"
    )
    print(f"  slow requests:           {_summary(result['slow'])}")
    print(f"  health before the stall: {_summary(result['before'])}")
    print(f"  health during the stall: {_summary(result['during'])}")
    print(f"  health after the stall:  {_summary(result['after'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
