"""The real app as production serves it, in a subprocess: `reflex run --env prod` on a free port
with its own SQLite file, page, websocket and API on that one port.

The browser tests and the websocket tests start it through `served_app`. From a fresh clone
the first start installs the frontend's npm packages and builds it (minutes); later starts
reuse `.web/` and take seconds. No Gemini key is passed, so the offline model classifies.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 900  # seconds: a cold start installs npm packages and builds the frontend


@dataclass(frozen=True)
class ServedApp:
    """A running app: its origin, and its log (stdout and stderr of every process)."""

    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (reflex starts workers), SIGKILL if it lingers."""
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def served_app(data_dir: Path, **settings: str) -> Iterator[ServedApp]:
    """Migrate a fresh SQLite file in `data_dir`, serve the app on it, stop it afterwards.

    `settings` are extra environment variables for the app (`LIVE_POLL_SECONDS="0.3"`).
    """
    port = free_port()
    origin = f"http://localhost:{port}"
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'tickets.db'}",
        "APP_URL": origin,
        "GEMINI_API_KEY": "",
        "REFLEX_USE_NPM": "1",
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONUNBUFFERED": "1",
        **settings,
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    subprocess.run([sys.executable, "-m", "ticket_app.migrate"], cwd=ROOT, env=env, check=True)
    log_path = data_dir / "reflex.log"
    command = [sys.executable, "-m", "reflex", "run", "--env", "prod"]
    command += ["--frontend-port", str(port), "--backend-port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while http_status(f"{origin}/api/health/") != 200 or http_status(f"{origin}/") != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-4000:]
                pytest.fail(f"the app did not start on {origin}:\n{tail}")
            time.sleep(1)
        yield ServedApp(origin, log_path)
    finally:
        _stop(process)
