"""Attachment throughput and the app's memory while files stream through it (issue 25).

Starts the API alone (uvicorn, one worker: the process a file passes through) on PostgreSQL
(or SQLite), uploads files of each size as a reply's `file` part from a separate process,
downloads them back, and samples the server's RSS from /proc meanwhile. The issue's promise:
a 100 MB upload or download grows the app by no more than its buffers.

```sh
.venv/bin/python -m bench.attachments \
    --database postgresql://tickets:tickets@127.0.0.1:54329/bench_files --sizes 1 100
.venv/bin/python -m bench.attachments --database ... --store s3   # moto's server, locally
```

With `--stored N` it measures instead what N stored attachments cost the pages (PostgreSQL):
`bench.seed` loads `--tickets` tickets, N attachment rows are spread over them (metadata only:
the pages list files, they do not read them), and the API the list and ticket pages read
(`GET /api/tickets/?limit=50` with each ticket's files; `GET /api/tickets/{id}/` and its
timeline `history/?limit=30`) is timed, p50 and p95 of 100 requests each.

```sh
.venv/bin/python -m bench.attachments --database ... --stored 100000 --tickets 20000
```

The database is created when missing. Results go to `bench/results/attachments-<store>.json`
(`attachments-pages.json` for `--stored`).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench import seed
from bench.memory import MemorySampler
from bench.run import ROOT, bench_token, port_free, stop
from tests.support.files import free_port

MB = 1024 * 1024


def _create_database(url: str) -> None:
    parsed = make_url(url).set(drivername="postgresql+psycopg2")
    if not parsed.get_backend_name().startswith("postgresql"):
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        ).first()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the app stopped while starting")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health/").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the app did not become healthy")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _measure(pid: int, run: Any) -> tuple[float, float, float]:
    """(seconds, RSS before in MB, peak RSS in MB) of `run()`."""
    before = _rss_mb(pid)
    sampler = MemorySampler(pid, interval=0.05)
    sampler.start()
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    return seconds, before, max(peak.rss_mb, before)


def _one_size(client: httpx.Client, pid: int, ticket: int, size_mb: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".bin") as source:
        for _ in range(size_mb):
            source.write(os.urandom(MB))
        source.flush()
        answer: dict[str, Any] = {}

        def upload() -> None:
            with open(source.name, "rb") as stream:
                response = client.post(
                    f"/api/tickets/{ticket}/comments/",
                    data={"body": f"{size_mb} MB"},
                    files={"file": (f"{size_mb}mb.bin", stream, "application/octet-stream")},
                )
            response.raise_for_status()
            answer.update(response.json()["attachments"][0])

        up = _measure(pid, upload)
        received = 0

        def download() -> None:
            nonlocal received
            url = f"/api/attachments/{answer['id']}/"
            with client.stream("GET", url) as response:
                response.raise_for_status()
                for piece in response.iter_bytes(MB):
                    received += len(piece)

        down = _measure(pid, download)
    assert received == size_mb * MB, (received, size_mb)
    return {
        "size_mb": size_mb,
        "upload_mb_s": round(size_mb / up[0], 1),
        "upload_rss_before_mb": round(up[1], 1),
        "upload_rss_peak_mb": round(up[2], 1),
        "download_mb_s": round(size_mb / down[0], 1),
        "download_rss_before_mb": round(down[1], 1),
        "download_rss_peak_mb": round(down[2], 1),
    }


def _store_rows(url: str, count: int) -> int:
    """`count` attachment rows over the seeded tickets (one shared blob, as identical
    screenshots are stored once); the id of a ticket that has some."""
    engine = sa.create_engine(make_url(url).set(drivername="postgresql+psycopg2"))
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM attachments"))
        connection.execute(
            sa.text(
                "INSERT INTO attachment_blobs (sha256, size) VALUES (:sha, 48213)"
                " ON CONFLICT DO NOTHING"
            ),
            {"sha": "ab" * 32},
        )
        low, high = connection.execute(sa.text("SELECT min(id), max(id) FROM tickets")).one()
        uploader = connection.execute(sa.text("SELECT min(id) FROM users")).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO attachments (ticket_id, uploader_id, filename, size, content_type,"
                " sha256, thumbnail_sha256, state, created_at)"
                " SELECT :low + (g % (:high - :low + 1)), :uploader, 'screenshot-' || g || '.png',"
                " 48213, 'image/png', :sha, :sha, 'stored', now() FROM generate_series(1, :n) g"
            ),
            {"low": low, "high": high, "uploader": uploader, "sha": "ab" * 32, "n": count},
        )
        connection.execute(sa.text("ANALYZE attachments"))
    engine.dispose()
    return int(high)


def _timed(client: httpx.Client, paths: list[str], rounds: int = 100) -> dict[str, float]:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        for path in paths:
            client.get(path).raise_for_status()
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return {
        "p50_ms": round(seconds[len(seconds) // 2] * 1000, 1),
        "p95_ms": round(seconds[int(len(seconds) * 0.95)] * 1000, 1),
    }


def pages(database: str, stored: int, tickets: int) -> int:
    """The list and ticket pages' reads with `stored` attachments in the database."""
    _create_database(database)
    env = {**os.environ, "DATABASE_URL": database, "API_RATE_PER_TOKEN": "0"}
    env["LOG_LEVEL"] = "warning"
    subprocess.run([sys.executable, "-m", "ticket_app.migrate"], cwd=ROOT, env=env, check=True)
    seed.seed(database, tickets)
    token = bench_token(env)
    ticket = _store_rows(database, stored)
    port = free_port()
    env["APP_URL"] = f"http://127.0.0.1:{port}"
    app = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", "--factory", "ticket_app.api.app:create_api",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_healthy(port, app)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            listed = client.get("/api/tickets/?limit=50").json()
            files = sum(len(item["attachments"]) for item in listed)
            report = {
                "stored": stored,
                "tickets": tickets,
                "files_on_list_page": files,
                "list": _timed(client, ["/api/tickets/?limit=50"]),
                "ticket": _timed(
                    client, [f"/api/tickets/{ticket}/", f"/api/tickets/{ticket}/history/?limit=30"]
                ),
            }
    finally:
        stop(app)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "attachments-pages.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.attachments", description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--store", choices=("database", "s3"), default="database")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100], help="MB")
    parser.add_argument("--stored", type=int, default=0, help="attachments, for the pages")
    parser.add_argument("--tickets", type=int, default=20_000, help="with --stored")
    arguments = parser.parse_args(argv)
    if arguments.stored:
        return pages(arguments.database, arguments.stored, arguments.tickets)
    _create_database(arguments.database)
    port = free_port()
    assert port_free(port)
    limit = str(max(arguments.sizes) * MB + MB)
    env = {
        **os.environ,
        "DATABASE_URL": arguments.database,
        "APP_URL": f"http://127.0.0.1:{port}",
        "ATTACHMENT_MAX_BYTES": limit,
        "ATTACHMENT_MAX_MESSAGE_BYTES": limit,
        "API_RATE_PER_TOKEN": "0",
        "LOG_LEVEL": "warning",
    }
    moto: subprocess.Popen[bytes] | None = None
    if arguments.store == "s3":
        moto_port = free_port()
        moto = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "moto.server", "-p", str(moto_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(3)
        endpoint = f"http://127.0.0.1:{moto_port}"
        env |= {
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        env["ATTACHMENT_STORE"] = f"s3://bench/files?endpoint={endpoint}"
        httpx.put(f"{endpoint}/bench")  # create the bucket
    subprocess.run([sys.executable, "-m", "ticket_app.migrate"], cwd=ROOT, env=env, check=True)
    token = bench_token(env)
    app = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", "--factory", "ticket_app.api.app:create_api",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_healthy(port, app)
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
            ticket = client.post("/api/tickets/", json={"title": "Bench", "description": "files"})
            ticket.raise_for_status()
            rows = [_one_size(client, app.pid, ticket.json()["id"], n) for n in arguments.sizes]
    finally:
        stop(app)
        if moto is not None:
            stop(moto)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    report = {
        "database": make_url(arguments.database).get_backend_name(),
        "store": arguments.store,
        "rows": rows,
    }
    (results / f"attachments-{arguments.store}.json").write_text(json.dumps(report, indent=2))
    rss = "RSS before→peak"
    print(f"{'size':>6} {'up MB/s':>8} {rss:>18} {'down MB/s':>10} {rss:>18}")
    for row in rows:
        print(
            f"{row['size_mb']:>4}MB {row['upload_mb_s']:>8} "
            f"{row['upload_rss_before_mb']:>8}→{row['upload_rss_peak_mb']:<8} "
            f"{row['download_mb_s']:>10} "
            f"{row['download_rss_before_mb']:>8}→{row['download_rss_peak_mb']:<8}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
