"""Serve the prebuilt Reflex app from the backend process alone.

The image runs `reflex export --frontend-only --no-zip` at build time, which
compiles the app and leaves the static frontend in `.web/build/client`. This
starts what `reflex run --env prod` starts after its own compile-and-build step:
Reflex's production backend (Granian, several workers when Redis is the state
manager) with the compiled frontend mounted, so the page, the websocket
(`/_event`) and the FastAPI routes (`/api/...`) share one port. No Node.js, no
compile, no build at start-up.

Environment: PORT (default 8000), REFLEX_LOGLEVEL, REFLEX_OPLOCK_ENABLED (default true
with Redis),
GRANIAN_WORKERS (worker processes; default: one per CPU available to the
container, at least 2, when Redis is the state manager; always 1 without Redis,
whose in-memory state cannot be shared between workers).
"""

import os
import sys
from pathlib import Path

from reflex_base import constants
from reflex_base.config import get_config
from reflex_base.environment import environment


def main() -> int:
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)

    from reflex.utils import exec as reflex_exec
    from reflex.utils import prerequisites

    config = get_config()
    static_dir = prerequisites.get_web_dir() / constants.Dirs.STATIC
    if not (static_dir / "index.html").is_file():
        print(
            f"serve: no compiled frontend in {static_dir.resolve()}; "
            "build it with `reflex export --frontend-only --no-zip` (the Dockerfile does).",
            file=sys.stderr,
        )
        return 1

    if not os.environ.get("GRANIAN_WORKERS"):
        # Reflex would start 2 x CPUs + 1 workers, which Granian itself warns
        # against; one per CPU keeps the event loops busy without oversubscribing.
        workers = max(2, len(os.sched_getaffinity(0))) if config.redis_url else 1
        os.environ["GRANIAN_WORKERS"] = str(workers)
    if config.redis_url:
        # Reflex's opportunistic lock: a worker keeps a tab's state (and its Redis lock) for
        # a few seconds after an event instead of reading and writing it back every time,
        # and hands it over at once when another worker asks. A tab's events, and its live
        # page's reloads, all come to the worker holding its socket, so at 100 open tabs
        # this cut Redis commands per event from 5.8 to 2.2 and removed every lock warning
        # (docs/performance.md). States are written back when the lease ends and on a
        # graceful stop; REFLEX_OPLOCK_ENABLED=false turns it off.
        os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")
    state = "Redis" if config.redis_url else "this process only (no REFLEX_REDIS_URL)"
    print(
        f"serve: {os.environ['GRANIAN_WORKERS']} worker(s), state manager: {state}",
        file=sys.stderr,
    )

    reflex_exec.run_backend_prod(
        config.backend_host,  # Reflex's default: all interfaces
        int(os.environ.get("PORT", "8000")),
        config.loglevel.subprocess_level(),
        mount_frontend_compiled_app=True,
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path.cwd()))
    sys.exit(main())
