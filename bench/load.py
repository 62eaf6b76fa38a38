"""The load generator: a process of its own that measures the app over HTTP like browsers do.

Requests go over keep-alive connections with TCP_NODELAY set (Nagle plus delayed ACKs would
otherwise add up to 40 ms to a small request and measure the client, not the app). The HTTP/1.1
client is a few lines of asyncio over raw sockets, so even eight concurrent writers cost the
client a few percent of a core; its CPU time is reported next to each case to show it.

Every case is bounded: a warm-up, then a fixed number of measured requests. Reads run one
request at a time on one connection (latency; their req/s is the sequential rate); create runs
CONCURRENCY connections at once (throughput). Every request carries the API token
(`Authorization: Bearer`), as every API client's must.

`BENCH_TOKEN=... python -m bench.load --base-url http://127.0.0.1:8200 --out result.json`
"""

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode, urlsplit

from sqlalchemy.engine import make_url

from bench.memory import machine_busy_seconds, postgres_cpu_seconds, tree_cpu_seconds
from bench.seed import pg_connect
from bench.textgen import RARE_WORD, make_ticket

PAGE = 50
FILTERED = {"status": "open", "priority": "high"}
SEARCH = {"status": "open", "search": RARE_WORD}
DEEP_PAGE = 100


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class CaseResult:
    key: str
    name: str
    request: str
    concurrency: int
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    max_ms: float
    rps: float
    client_cpu_share: float
    app_cpu_ms_per_request: float | None = None
    app_cpu_share: float | None = None
    db_cpu_ms_per_request: float | None = None
    """CPU time of the PostgreSQL backends per request (SQLite's is in the app's)."""
    wal_kb_per_request: float | None = None
    """WAL the PostgreSQL server wrote per request (`pg_current_wal_lsn` before and after: the
    whole server's, background steps and autovacuum included)."""
    machine_busy_cores: float | None = None
    """How many cores the whole machine kept busy meanwhile: app, database, client, others."""
    total_count: int | None = None
    notes: list[str] = field(default_factory=list)


TOKEN_VARIABLE = "BENCH_TOKEN"  # noqa: S105 -- the name of a variable, not a secret
"""The environment variable that hands the API token to this process (not on its command
line, where every user of the machine could read it)."""


class Connection:
    """One keep-alive HTTP/1.1 connection with TCP_NODELAY, sending the API token."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, token: str
    ) -> None:
        self.reader, self.writer, self.host = reader, writer, host
        self.authorization = f"Authorization: Bearer {token}\r\n" if token else ""

    @classmethod
    async def open(cls, base_url: str) -> "Connection":
        parts = urlsplit(base_url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer, parts.netloc, os.environ.get(TOKEN_VARIABLE, ""))

    async def request(self, method: str, target: str, body: bytes | None = None) -> Response:
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: {self.host}\r\nAccept: application/json\r\n"
            + self.authorization
        )
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            data = await self._chunked()
        else:
            data = b""
        return Response(int(status_line.split()[1]), headers, data)

    async def _chunked(self) -> bytes:
        parts = []
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()
        await self.reader.readline()
        return b"".join(parts)

    def close(self) -> None:
        self.writer.close()


Request = tuple[str, str, bytes | None]


@dataclass(frozen=True)
class Case:
    key: str
    name: str
    make: Callable[[int], Request]
    requests: int
    warmup: int
    concurrency: int = 1
    expect: int = 200


def _list_target(params: dict[str, str]) -> str:
    return "/api/tickets/?" + urlencode({**params, "limit": PAGE}, safe=",")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def wal_bytes(database_url: str | None) -> int | None:
    """The PostgreSQL server's WAL position in bytes (None without a PostgreSQL URL)."""
    if not database_url or not database_url.startswith("postgresql"):
        return None
    connection = pg_connect(make_url(database_url))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
            return int(cursor.fetchone()[0])
    finally:
        connection.close()


async def measure(
    base_url: str,
    case: Case,
    app_pid: int | None = None,
    database: str | None = None,
    database_url: str | None = None,
) -> CaseResult:
    """Send the case's warm-up then its measured requests (request i from `make(i)`) over
    `concurrency` keep-alive connections, each sending its next request as soon as its answer
    is read."""
    key, name, make, requests, warmup, concurrency, expect = (
        case.key, case.name, case.make, case.requests, case.warmup, case.concurrency, case.expect
    )  # fmt: skip
    connections = [await Connection.open(base_url) for _ in range(concurrency)]
    latencies: list[float] = []
    errors = 0
    last: Response | None = None
    failed: Response | None = None

    async def client(connection: Connection, indexes: Iterator[int], record: bool) -> None:
        nonlocal errors, last, failed
        for index in indexes:  # shared by all clients: each takes the next request
            method, target, body = make(index)
            started = time.perf_counter()
            response = await connection.request(method, target, body)
            elapsed = time.perf_counter() - started
            if record:
                latencies.append(elapsed)
                last = response
                if response.status != expect:
                    errors += 1
                    failed = failed or response

    async def run(first: int, count: int, record: bool) -> float:
        indexes = iter(range(first, first + count))
        started = time.perf_counter()
        await asyncio.gather(*(client(c, indexes, record) for c in connections))
        return time.perf_counter() - started

    await run(0, warmup, record=False)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    app_before = tree_cpu_seconds(app_pid) if app_pid else 0.0
    busy_before = machine_busy_seconds()
    db_before = postgres_cpu_seconds(database) if database else 0.0
    wal_before = wal_bytes(database_url)
    wall = await run(warmup, requests, record=True)
    wal_after = wal_bytes(database_url)
    busy = machine_busy_seconds() - busy_before
    db_cpu = postgres_cpu_seconds(database) - db_before if database else None
    app_cpu = tree_cpu_seconds(app_pid) - app_before if app_pid else None
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    for connection in connections:
        connection.close()
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    total = last.headers.get("x-total-count") if last else None
    method, target, _ = make(0)
    result = CaseResult(
        key=key,
        name=name,
        request=f"{method} {target if len(target) < 90 else target[:87] + '...'}",
        concurrency=concurrency,
        requests=len(latencies),
        errors=errors,
        p50_ms=round(statistics.median(latencies) * 1000, 2),
        p95_ms=round(_percentile(latencies, 0.95) * 1000, 2),
        mean_ms=round(statistics.fmean(latencies) * 1000, 2),
        max_ms=round(max(latencies) * 1000, 2),
        rps=round(len(latencies) / wall, 1),
        client_cpu_share=round(cpu / wall, 3),
        total_count=int(total) if total else None,
        machine_busy_cores=round(busy / wall, 2),
    )
    if db_cpu is not None:
        result.db_cpu_ms_per_request = round(db_cpu / len(latencies) * 1000, 2)
    if wal_before is not None and wal_after is not None:
        result.wal_kb_per_request = round((wal_after - wal_before) / len(latencies) / 1000, 2)
    if app_cpu is not None:
        result.app_cpu_ms_per_request = round(app_cpu / len(latencies) * 1000, 2)
        result.app_cpu_share = round(app_cpu / wall, 2)
    if failed is not None:
        result.notes.append(f"first failure {failed.status}: {failed.body[:200]!r}")
    print(f"  {name}: p50 {result.p50_ms} ms, {result.rps} req/s", file=sys.stderr)
    return result


async def deep_cursor(base_url: str, params: dict[str, str], page: int) -> tuple[int, str]:
    """The request target of page `page` (or of the last page, on a short list), found by
    following rel="next" links from page 1 as a client would."""
    connection = await Connection.open(base_url)
    target = _list_target(params)
    reached = 1
    while reached < page:
        response = await connection.request("GET", target)
        if response.status != 200:
            raise SystemExit(f"walking the filtered list failed: {response.status}")
        link = response.headers.get("link", "")
        if 'rel="next"' not in link:
            break
        url = urlsplit(link[link.index("<") + 1 : link.index(">")])
        target = f"{url.path}?{url.query}"
        reached += 1
    connection.close()
    return reached, target


async def newest_id(base_url: str) -> int:
    """The id of the newest ticket (the similar-to-a-ticket case picks ids up to it)."""
    connection = await Connection.open(base_url)
    response = await connection.request("GET", "/api/tickets/?limit=1")
    connection.close()
    if response.status != 200:
        raise SystemExit(f"reading the newest ticket failed: {response.status}")
    return int(json.loads(response.body)[0]["id"])


def _bodies(seed: int, count: int, fields: tuple[str, ...]) -> list[bytes]:
    """Request bodies with these fields of fresh tickets: no two alike, so no cache helps."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        ticket = asdict(make_ticket(rng))
        out.append(json.dumps({name: ticket[name] for name in fields}).encode())
    return out


def cases(
    page: int, deep: str, max_id: int, requests: int, writes: int, concurrency: int
) -> list[Case]:
    """The bench's cases in the order they run; reads first, while the data is as seeded."""
    warmup = max(10, requests // 10)
    creates = _bodies(1, writes + 50, ("title", "description", "category", "priority"))
    classified = _bodies(3, writes // 3 + 50, ("title", "description"))
    classifies = _bodies(2, requests + warmup, ("description",))
    reads = [
        ("first_page", "first page, no filter", _list_target({})),
        ("filtered_page", "status + priority, first page", _list_target(FILTERED)),
        ("filtered_search", "search 0.1% word + status", _list_target(SEARCH)),
        ("deep_page", f"page {page} of status + priority", deep),
        ("stats", "stats", "/api/tickets/stats/"),
    ]
    out = [
        Case(key, name, lambda _, t=target: ("GET", t, None), requests, warmup)
        for key, name, target in reads
    ]
    similar = _bodies(4, requests + warmup, ("title", "description"))
    ids = random.Random(5).sample(range(1, max_id + 1), min(max_id, requests + warmup))
    return [
        *out,
        Case(
            "similar_text",
            "similar to a new text",
            lambda i: ("POST", "/api/tickets/similar/", similar[i]),
            requests, warmup,
        ),
        Case(
            "similar_ticket",
            "similar to a ticket",
            lambda i: ("GET", f"/api/tickets/{ids[i % len(ids)]}/similar/", None),
            requests, warmup,
        ),
        Case(
            "create",
            f"create ({concurrency} clients)",
            lambda i: ("POST", "/api/tickets/", creates[i]),
            writes, 50, concurrency, 201,
        ),
        Case(
            "create_classified",
            f"create, server classifies ({concurrency})",
            lambda i: ("POST", "/api/tickets/", classified[i]),
            writes // 3, 50, concurrency, 201,
        ),
        Case(
            "classify",
            "classify (offline model)",
            lambda i: ("POST", "/api/tickets/classify/", classifies[i]),
            requests, warmup,
        ),
    ]  # fmt: skip


async def run_all(
    base_url: str,
    requests: int,
    writes: int,
    concurrency: int,
    app_pid: int | None,
    database: str | None,
    database_url: str | None = None,
    only: frozenset[str] = frozenset(),
) -> list[CaseResult]:
    page, deep = await deep_cursor(base_url, FILTERED, DEEP_PAGE)
    max_id = await newest_id(base_url)
    results = []
    for case in cases(page, deep, max_id, requests, writes, concurrency):
        if not only or case.key in only:
            results.append(await measure(base_url, case, app_pid, database, database_url))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--requests", type=int, default=300, help="measured per read case")
    parser.add_argument("--writes", type=int, default=3000, help="measured creates")
    parser.add_argument("--concurrency", type=int, default=8, help="clients for create")
    parser.add_argument("--out", required=True, help="JSON file for the results")
    parser.add_argument("--app-pid", type=int, help="root of the app's processes, for CPU time")
    parser.add_argument("--postgres-database", help="whose local backends' CPU time to read")
    parser.add_argument("--database-url", help="the bench database, for WAL bytes per request")
    parser.add_argument("--only", default="", help="comma-separated case keys (default: all)")
    args = parser.parse_args(argv)
    results = asyncio.run(
        run_all(
            args.base_url,
            args.requests,
            args.writes,
            args.concurrency,
            args.app_pid,
            args.postgres_database,
            args.database_url,
            frozenset(filter(None, args.only.split(","))),
        )
    )
    with open(args.out, "w") as file:
        json.dump([asdict(result) for result in results], file, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
