"""The processes a UI load run needs: Redis, one or more app instances started as production
starts them, and nginx in front when there are several.

Each instance is `scripts/container/serve.py` (the container's start: Reflex's production
backend with the prebuilt frontend, no compile) on a port of its own, as if on a machine of
its own, sharing the database and Redis. With more than one instance, nginx (Debian's
package) proxies one port to all of them with the settings `deploy/nginx.conf` documents:
the websocket upgrade on `/_event`, an idle timeout above the Socket.IO ping interval, and
the client address passed on for the app's trusted proxy hop.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from bench.run import ROOT, _healthy, port_free, start_redis, stop

SERVE = ROOT / "scripts" / "container" / "serve.py"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"


@dataclass
class Instance:
    """One app instance: its port, its process (the root of its worker tree) and its log."""

    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Desk:
    """Everything started for one run; `url` is where the tabs and the API client go."""

    url: str
    instances: list[Instance]
    redis_url: str
    env: dict[str, str]
    workers: int
    _redis: subprocess.Popen[bytes] | None = None
    _proxy: subprocess.Popen[bytes] | None = None
    _proxy_dir: Path | None = None
    _started: list[Instance] = field(default_factory=list)

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)

    def start(self, instance: Instance, timeout: float = 120) -> None:
        """Start (or restart) one instance and wait until it answers its health check."""
        env = {**self.env, "PORT": str(instance.port)}
        with instance.log.open("ab") as output:
            instance.process = subprocess.Popen(  # noqa: S603
                [sys.executable, str(SERVE)], cwd=ROOT, env=env, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not _healthy(instance.port):
            if instance.process.poll() is not None or time.monotonic() > deadline:
                tail = instance.log.read_text(errors="replace")[-3000:]
                raise SystemExit(f"instance on {instance.port} did not start:\n{tail}")
            time.sleep(0.5)

    def stop_instance(self, instance: Instance) -> None:
        """Stop one instance as an orchestrator does (SIGTERM, then harder)."""
        if instance.process is not None:
            stop_term(instance.process)
            instance.process = None

    def close(self) -> None:
        for instance in self.instances:
            self.stop_instance(instance)
        for process in (self._proxy, self._redis):
            if process is not None:
                stop(process, grace=5)
        if self._proxy_dir is not None:
            shutil.rmtree(self._proxy_dir, ignore_errors=True)


def stop_term(process: subprocess.Popen[bytes], grace: float = 20) -> None:
    """SIGTERM to the instance's process group (what `docker stop` sends), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def render_proxy_config(template: str, port: int, upstreams: list[int], prefix: Path) -> str:
    """deploy/nginx.conf for this machine: its listen port, upstream servers and paths."""
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in upstreams
    )
    return (
        template.replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("        server app:8000 max_fails=1 fail_timeout=5s;", servers)
        .replace("/var/run/nginx.pid", str(prefix / "nginx.pid"))
        .replace("/var/log/nginx/", f"{prefix}/")
        .replace("user nginx;", "user www-data;")
    )


def start_proxy(port: int, upstreams: list[int]) -> tuple[subprocess.Popen[bytes], Path]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is needed for several instances: apt-get install -y nginx")
    prefix = Path(tempfile.mkdtemp(prefix="ui-load-nginx-"))
    conf = prefix / "nginx.conf"
    conf.write_text(render_proxy_config(NGINX_TEMPLATE.read_text(), port, upstreams, prefix))
    process = subprocess.Popen(  # noqa: S603
        [nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=(prefix / "stderr.log").open("wb"),
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not _healthy(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process, grace=5)
            shutil.rmtree(prefix, ignore_errors=True)
            raise SystemExit("nginx did not start or does not reach the app's health check")
        time.sleep(0.2)
    return process, prefix


def start_desk(
    database_url: str, port: int, instances: int, workers: int, logs: Path, extra: dict[str, str]
) -> Desk:
    """Redis on port+1, instances on port+2.., nginx on `port` when there are several."""
    for needed in range(port, port + 2 + instances):
        if not port_free(needed):
            raise SystemExit(f"port {needed} is in use")
    redis_port = port + 1
    redis_process = start_redis(redis_port)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    public = f"http://127.0.0.1:{port}" if instances > 1 else f"http://127.0.0.1:{port + 2}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "APP_URL": public,
        "REFLEX_REDIS_URL": redis_url,
        "GRANIAN_WORKERS": str(workers),
        "GEMINI_API_KEY": "",
        "PYTHONUNBUFFERED": "1",
        **({"TRUSTED_PROXY_HOPS": "1"} if instances > 1 else {}),
        **extra,
    }
    members = [Instance(port + 2 + i, logs / f"ui-load-app-{i}.log") for i in range(instances)]
    for member in members:
        member.log.write_bytes(b"")
    desk = Desk(public, members, redis_url, env, workers, _redis=redis_process)
    try:
        for member in members:
            desk.start(member)
        if instances > 1:
            desk._proxy, desk._proxy_dir = start_proxy(port, [m.port for m in members])
    except BaseException:
        desk.close()
        raise
    return desk
