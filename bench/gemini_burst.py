"""Fifty suggestions at once from a slow Gemini, and how another agent's list answers meanwhile.

    python -m bench.gemini_burst [--database sqlite:////tmp/bench/burst.db] [--delay 3]

The app is started as production runs it, with Gemini configured against a local fake of its
REST endpoint (`tests/classifier/fake_gemini.py`, spoken to by the real google-genai client)
that takes `--delay` seconds per answer. The bench sends `--burst` classify requests at once
and asks for a page of the ticket list every 0.2 s before, during and after. It prints how the
suggestions were answered (by Gemini, or offline because the concurrency cap was full or the
circuit open) and the list's round trips; it measures, it does not judge.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench.load import TOKEN_VARIABLE, Connection
from bench.run import RESULTS, VENV_BIN, bench_token, port_free, run_step, start_app, stop
from tests.classifier.fake_gemini import API_KEY, MODEL, FakeGemini, Reply

PROBE_EVERY = 0.2
TEXT = "Our March invoice was charged twice to the company card; please refund one payment."


@dataclass(frozen=True)
class Answer:
    started: float
    seconds: float
    status: int | None
    source: str = ""


async def _timed(base_url: str, method: str, target: str, body: bytes | None = None) -> Answer:
    started = time.perf_counter()
    try:
        connection = await Connection.open(base_url)
        try:
            response = await asyncio.wait_for(connection.request(method, target, body), 60)
        finally:
            connection.close()
    except (TimeoutError, OSError):
        return Answer(started, time.perf_counter() - started, None)
    source = ""
    if method == "POST" and response.status == 200:
        answer = json.loads(response.body)
        source = "offline (fallback)" if answer["used_fallback"] else answer["source"]
    return Answer(started, time.perf_counter() - started, response.status, source)


async def _probe(base_url: str, until: asyncio.Event) -> list[Answer]:
    answers = []
    while not until.is_set():
        answers.append(await _timed(base_url, "GET", "/api/tickets/?limit=20"))
        await asyncio.sleep(PROBE_EVERY)
    return answers


async def burst(base_url: str, count: int) -> dict[str, list[Answer]]:
    stop_probing = asyncio.Event()
    probes = asyncio.create_task(_probe(base_url, stop_probing))
    await asyncio.sleep(1.5)  # the quiet baseline
    body = json.dumps({"description": TEXT}).encode()
    started = time.perf_counter()
    answers = await asyncio.gather(
        *(_timed(base_url, "POST", "/api/tickets/classify/", body) for _ in range(count))
    )
    ended = time.perf_counter()
    await asyncio.sleep(1.5)
    stop_probing.set()
    listed = await probes
    return {
        "burst": list(answers),
        "before": [a for a in listed if a.started < started],
        "during": [a for a in listed if started <= a.started < ended],
        "after": [a for a in listed if a.started >= ended],
    }


def _summary(answers: list[Answer]) -> str:
    if not answers:
        return "none"
    times = sorted(a.seconds * 1000 for a in answers)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return (
        f"{len(answers)}: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
        f"max {times[-1]:.0f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--port", type=int, default=8400)
    parser.add_argument("--burst", type=int, default=50, help="classify requests sent at once")
    parser.add_argument("--delay", type=float, default=3.0, help="seconds per Gemini answer")
    args = parser.parse_args(argv)
    if not port_free(args.port):
        raise SystemExit(f"port {args.port} is in use; pick another with --port")
    folder = tempfile.mkdtemp(prefix="gemini-burst-")
    database = args.database or f"sqlite:///{folder}/tickets.db"
    gemini = FakeGemini()
    gemini.default = Reply(delay=args.delay)
    base_url = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DATA_DIR": folder,
        "APP_URL": base_url,
        "REFLEX_USE_NPM": "1",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GEMINI_API_KEY": API_KEY,
        "GEMINI_MODEL": MODEL,
        "GEMINI_BASE_URL": gemini.url,
        "GEMINI_TIMEOUT_SECONDS": str(args.delay + 2),
    }
    run_step([sys.executable, "-m", "ticket_app.migrate"], env)
    os.environ[TOKEN_VARIABLE] = bench_token(env)
    app = None
    try:
        RESULTS.mkdir(parents=True, exist_ok=True)
        app = start_app(env, args.port, RESULTS / "gemini-burst-app.log", timeout=900)
        result = asyncio.run(burst(base_url, args.burst))
    finally:
        if app is not None:
            stop(app)
        gemini.close()
    sources = Counter(a.source or f"status {a.status}" for a in result["burst"])
    settings = "GEMINI_MAX_CONCURRENT " + os.environ.get("GEMINI_MAX_CONCURRENT", "4 (default)")
    print(f"{args.burst} suggestions at once, Gemini answering in {args.delay:g} s; {settings}")
    print(f"  answered by: {', '.join(f'{k} x{n}' for k, n in sorted(sources.items()))}")
    print(f"  suggestions:          {_summary(result['burst'])}")
    print(f"  list before:          {_summary(result['before'])}")
    print(f"  list during:          {_summary(result['during'])}")
    print(f"  list after:           {_summary(result['after'])}")
    print(f"  Gemini was asked {len(gemini.requests)} times")
    return 0


if __name__ == "__main__":
    sys.exit(main())
