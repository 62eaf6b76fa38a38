"""The one bench command: seed, start the app as production does, measure over HTTP, report.

    python -m bench --database postgresql://tickets:tickets@127.0.0.1:54329/bench_1m \\
        --tickets 1000000
    python -m bench --database sqlite:////tmp/bench/sqlite-200k.db --tickets 200000

Steps: create the PostgreSQL database if missing; apply migrations (`python -m
ticket_app.migrate`, as every start does); seed N tickets (or reuse an identical earlier seed);
create the bench's agent (once) and a fresh API token for this run with the management CLI;
capture the query plans (`bench.explain`); start `reflex run --env prod` (Granian) on
127.0.0.1; run `bench.load` in a process of its own, with the token, while sampling the app's
memory; stop the app; print a table and write bench/results/<database>-<n>.json.

Workers mirror the two ways the app is deployed. PostgreSQL: docker-compose.yml's production
setup, Redis as Reflex's state manager and GRANIAN_WORKERS=3 with DB_POOL_SIZE=5 (Reflex
itself would start 2 x CPUs + 1 workers when Redis is configured, and exactly 1 without it).
SQLite: the embedded `make run`, no Redis, so one worker.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench import seed as seeding
from bench.load import TOKEN_VARIABLE
from bench.memory import MemorySampler

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
MEMORY_LIMIT_MB = 500
BENCH_USER = "bench@example.com"
TARGETS: dict[str, tuple[str, float]] = {
    "first_page": ("p50_ms", 15),
    "filtered_page": ("p50_ms", 20),
    "filtered_search": ("p50_ms", 40),
    "deep_page": ("p50_ms", 20),
    "stats": ("p50_ms", 150),
    "similar_text": ("p50_ms", 50),
    "similar_ticket": ("p50_ms", 50),
    "create": ("rps", 300),
}


def run_step(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def bench_token(env: dict[str, str]) -> str:
    """A new API token of the bench's agent (created on first use), through the management
    CLI as an operator's script would; the agent sees every ticket and may set a category."""
    manage = [sys.executable, "-m", "ticket_app.manage"]
    created = subprocess.run(  # noqa: S603
        [*manage, "create-user", BENCH_USER, "--name", "Bench", "--role", "agent",
         "--password-stdin"],
        cwd=ROOT, env=env, input=secrets.token_urlsafe(24) + "\n", capture_output=True,
        text=True,
    )  # fmt: skip
    if created.returncode != 0 and "already has an account" not in created.stderr:
        raise SystemExit(f"could not create the bench user: {created.stderr.strip()}")
    label = f"bench {datetime.now(UTC):%Y-%m-%d %H:%M:%S}"
    token = subprocess.run(  # noqa: S603
        [*manage, "create-token", BENCH_USER, "--name", label],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return token.stdout.strip()


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/api/health/")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    """Ctrl-C to the process group we started (Reflex stops its workers), then harder."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def start_app(env: dict[str, str], port: int, log: Path, timeout: float) -> subprocess.Popen[bytes]:
    """`reflex run --env prod` on one port, as the README's production command; returns once
    /api/health/ answers (the first start also builds the frontend, which takes minutes)."""
    command = [
        str(VENV_BIN / "reflex"), "run", "--env", "prod",
        "--frontend-port", str(port), "--backend-port", str(port),
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + timeout
    while not _healthy(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            tail = log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"the app did not become healthy; end of {log}:\n{tail}")
        time.sleep(1)
    return process


def start_redis(port: int) -> subprocess.Popen[bytes]:
    """A private, non-persistent Redis for Reflex's state, as docker-compose.yml has one."""
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is needed for more than one worker (or pass --workers 1)")
    process = subprocess.Popen(  # noqa: S603
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    time.sleep(0.5)
    return process


def _verdict(case: dict[str, Any]) -> str:
    if case["key"] not in TARGETS:
        return ""
    metric, limit = TARGETS[case["key"]]
    good = case[metric] >= limit if metric == "rps" else case[metric] <= limit
    label = f">= {limit:g} req/s" if metric == "rps" else f"p50 <= {limit:g} ms"
    return f"{label:<15} {'met' if good and not case['errors'] else 'MISSED'}"


def table(report: dict[str, Any]) -> str:
    """The printed summary of one run."""
    head = (
        f"{report['database']} - {report['tickets']:,} tickets - {report['server']['workers']} "
        f"worker(s) - load average before {report['machine']['loadavg_before']}\n"
        f"{durability_label(report)}"
    )
    lines = [
        head,
        "",
        f"{'case':<32} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'n':>5} {'cpu ms':>7} "
        f"{'db ms':>6} {'wal kB':>6} {'busy':>5}  target",
    ]
    for case in report["cases"]:
        cpu, db = case.get("app_cpu_ms_per_request"), case.get("db_cpu_ms_per_request")
        wal = case.get("wal_kb_per_request")
        lines.append(
            f"{case['name']:<32} {case['p50_ms']:>7.1f} {case['p95_ms']:>7.1f} "
            f"{case['rps']:>7.1f} {case['requests']:>5} {cpu if cpu is not None else '-':>7} "
            f"{db if db is not None else '-':>6} {wal if wal is not None else '-':>6} "
            f"{case['machine_busy_cores']:>5}  "
            f"{_verdict(case)}" + (f"  {case['errors']} errors" if case["errors"] else "")
        )
    memory = report["memory"]
    met = "met" if memory["pss_mb"] < MEMORY_LIMIT_MB else "MISSED"
    lines += [
        "",
        f"app memory peak: {memory['pss_mb']:.0f} MB PSS ({memory['rss_mb']:.0f} MB RSS) over "
        f"{len(memory['processes'])} processes; target < {MEMORY_LIMIT_MB} MB PSS: {met}",
        f"seeding: {report['seed']['tickets']:,} tickets in {report['seed']['seconds']:.0f} s"
        + (" (reused an identical earlier seed)" if report["seed"]["reused"] else ""),
        f"load average after: {report['machine']['loadavg_after']}",
        "cpu ms: CPU time of the app's processes per request (SQLite runs inside them);",
        "db ms: CPU time of the PostgreSQL backends per request (when the server is local);",
        "wal kB: WAL the PostgreSQL server wrote per request (all of it, background included);",
        f"busy: cores the machine kept busy during the case (all processes, of "
        f"{report['machine']['cpus']})",
    ]
    return "\n".join(lines)


DURABLE_SETTINGS = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def durability(url: str, dialect: str) -> dict[str, Any]:
    """The settings that decide whether an acknowledged write survives a crash, and whether
    they are production's: PostgreSQL's fsync, synchronous_commit and full_page_writes, or
    SQLite's synchronous level (SQLITE_SYNCHRONOUS)."""
    if dialect == "sqlite":
        level = os.environ.get("SQLITE_SYNCHRONOUS", "full").strip().lower() or "full"
        return {"durable": level in ("full", "extra"), "settings": {"synchronous": level}}
    connection = seeding.pg_connect(make_url(url))
    settings = {}
    with connection.cursor() as cursor:
        for name in DURABLE_SETTINGS:
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    connection.close()
    durable = all(settings[name] == value for name, value in DURABLE_SETTINGS.items())
    return {"durable": durable, "settings": settings}


def durability_label(report: dict[str, Any]) -> str:
    found = report["durability"]
    settings = ", ".join(f"{k}={v}" for k, v in found["settings"].items())
    if found["durable"]:
        return f"durable ({settings})"
    return f"FAST, NOT DURABLE ({settings}): not production's numbers"


def _server_version(url: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    connection = seeding.pg_connect(make_url(url))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return f"PostgreSQL {version}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of the bench database")
    parser.add_argument("--tickets", type=int, required=True, help="how many tickets to seed")
    parser.add_argument("--port", type=int, default=8200, help="the app's port (Redis: +1)")
    parser.add_argument("--workers", type=int, help="default: 3 on PostgreSQL, 1 on SQLite")
    parser.add_argument("--requests", type=int, default=300, help="measured per read case")
    parser.add_argument("--writes", type=int, default=3000, help="measured creates")
    parser.add_argument("--concurrency", type=int, default=8, help="clients for create")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reseed", action="store_true", help="seed even if already seeded")
    parser.add_argument("--no-explain", action="store_true", help="skip the query plans")
    parser.add_argument(
        "--fast-database",
        action="store_true",
        help="measure a database that does not sync its commits (fsync or synchronous_commit "
        "off, e.g. scripts/postgres-test-server); the results are labelled as such",
    )
    parser.add_argument("--start-timeout", type=float, default=900, help="seconds to healthy")
    parser.add_argument(
        "--web-dir", help="build the frontend here, not in .web (REFLEX_WEB_WORKDIR)"
    )
    parser.add_argument(
        "--only", default="", help="run only these cases (comma-separated keys, e.g. create)"
    )
    args = parser.parse_args(argv)

    for port in (args.port, args.port + 1):
        if not port_free(port):
            raise SystemExit(f"port {port} is in use; pick another with --port")
    url = args.database
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    workers = args.workers or (3 if dialect == "postgresql" else 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{dialect}-{args.tickets}"
    app_url = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "APP_URL": app_url,
        "REFLEX_USE_NPM": "1",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GRANIAN_WORKERS": str(workers),
        # The API's rate limits (1,200 a minute per token by default) would refuse most of
        # the bench's requests with 429; limits far above its rate keep their cost measured.
        "API_RATE_PER_TOKEN": os.environ.get("API_RATE_PER_TOKEN", "1000000000"),
        "API_RATE_PER_ADDRESS": os.environ.get("API_RATE_PER_ADDRESS", "1000000000"),
    }
    if args.web_dir:
        env["REFLEX_WEB_WORKDIR"] = str(Path(args.web_dir).resolve())
    if dialect == "postgresql":
        env["DB_POOL_SIZE"] = env.get("DB_POOL_SIZE", "5")
    report: dict[str, Any] = {
        "database": dialect,
        "tickets": args.tickets,
        "command": " ".join(["python -m bench", *(argv or sys.argv[1:])]),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": [round(x, 2) for x in os.getloadavg()],
        },
        "server": {"workers": workers, "redis": workers > 1, "pool_size": env.get("DB_POOL_SIZE")},
    }

    if dialect == "postgresql":
        seeding.ensure_pg_database(make_url(url))
    report["durability"] = durability(url, dialect)
    if not report["durability"]["durable"]:
        if not args.fast_database:
            raise SystemExit(
                f"{durability_label(report)}.\nThe bench measures a database configured as "
                "production runs one. Start a durable server (PGTEST_DURABLE=1 "
                "scripts/postgres-test-server, see bench/README.md), or pass --fast-database "
                "to measure this one anyway."
            )
        stem = stem.with_name(stem.name + "-fast")
    run_step([sys.executable, "-m", "ticket_app.migrate"], env)
    report["database"] = _server_version(url, dialect)
    result = seeding.seed(url, args.tickets, args.seed, force=args.reseed)
    report["seed"] = asdict(result)
    print(f"seed: {result}", file=sys.stderr)
    load_env = {**env, TOKEN_VARIABLE: bench_token(env)}

    if not args.no_explain:  # before the load, so the plans are those of the measured state
        plans = stem.with_name(stem.name + "-plans.txt")
        explain = [sys.executable, "-m", "bench.explain", "--database", url, "--out", str(plans)]
        subprocess.run(explain, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        report["plans"] = str(plans.relative_to(ROOT))

    pg_name = make_url(url).database if dialect == "postgresql" else None
    redis = None
    if workers > 1:
        redis = start_redis(args.port + 1)
        env["REFLEX_REDIS_URL"] = f"redis://127.0.0.1:{args.port + 1}/0"
    app = None
    try:
        print(f"starting the app on {app_url} ({workers} worker(s))", file=sys.stderr)
        app = start_app(env, args.port, stem.with_name(stem.name + "-app.log"), args.start_timeout)
        sampler = MemorySampler(app.pid)
        sampler.start()
        with tempfile.NamedTemporaryFile(suffix=".json") as cases:
            run_step(
                [
                    sys.executable, "-m", "bench.load", "--base-url", app_url,
                    "--requests", str(args.requests), "--writes", str(args.writes),
                    "--concurrency", str(args.concurrency), "--out", cases.name,
                    "--app-pid", str(app.pid),
                    *(["--postgres-database", pg_name, "--database-url", url] if pg_name else []),
                    "--only", args.only,
                ],
                load_env,
            )  # fmt: skip
            report["cases"] = json.loads(Path(cases.name).read_text())
        report["memory"] = asdict(sampler.stop())
    finally:
        if app is not None:
            stop(app)
        if redis is not None:
            stop(redis, grace=5)
    report["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    report["targets"] = {key: _verdict(case) for case in report["cases"] if (key := case["key"])}

    text = table(report)
    print(text)
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten: {stem.with_suffix('.json').relative_to(ROOT)}", file=sys.stderr)
    return 0
