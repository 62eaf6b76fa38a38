"""`python -m bench.clicks`: one agent's clicks at a database size, timed inside Chromium.

    python -m bench.clicks --database sqlite:////tmp/bench/sqlite-200k.db --tickets 200000
    python -m bench.clicks --database postgresql://tickets:tickets@127.0.0.1:54329/bench_1m \\
        --tickets 1000000

The browser tests time the same clicks on their nearly empty desk
(`tests/browser/test_click_figures_and_axe.py`); this times them where the list is long.
Steps: migrate and seed (reusing an identical earlier seed, as `python -m bench` does), add an
admin with a password through the management CLI, start the app as production does
(`reflex run --env prod`), sign in through the login page in headless Chromium, then for each
click record the milliseconds from `pointerdown` to the first DOM change that shows the result
(`ARM` below): a list filter (category, after its dropdown finished opening), a page turn,
and a ticket page's priority edit. Prints p50 and max per click and writes
bench/results/clicks-<database>-<n>.json. Figures, not a verdict: the targets (p50 <= 100 ms)
are read from the output.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import seed as seeding
from bench.run import RESULTS, ROOT, port_free, start_app, stop

ADMIN = "clicks@example.com"
Clicks = tuple[list[float], list[float]]  # whole clicks, and their server round trips
LIST = 'ul[aria-label^="Tickets"]'
ARM = """(selector) => {
    const target = () => document.querySelector(selector);
    const before = target() ? target().innerText : null;
    window.__t0 = undefined;
    window.__t1 = undefined;
    document.addEventListener("pointerdown", () => { window.__t0 = performance.now(); },
                              {capture: true, once: true});
    const observer = new MutationObserver(() => {
        const now = target();
        if (window.__t0 !== undefined && now && now.innerText !== before) {
            window.__t1 = performance.now();
            observer.disconnect();
        }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
"""Installed in the page before a click: notes the pointer going down and the first change of
`selector`'s text after it."""


WIRE = """(() => {
    window.__wire = [];
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
        window.__wire.push(["sent", performance.now()]);
        return send.call(this, data);
    };
    const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
    Object.defineProperty(WebSocket.prototype, "onmessage", {
        configurable: true,
        get() { return onmessage.get.call(this); },
        set(handler) {
            onmessage.set.call(this, (event) => {
                window.__wire.push(["received", performance.now()]);
                return handler(event);
            });
        },
    });
})();"""
"""An init script noting when the page's websocket sends and receives, to split a click's time."""
SPLIT = """() => {
    const sent = window.__wire.find(([kind, at]) => kind === "sent" && at >= window.__t0);
    const got = sent && window.__wire.find(
        ([kind, at]) => kind === "received" && at >= sent[1] && at <= window.__t1);
    return got ? got[1] - sent[1] : null;
}"""
"""After a timed click: milliseconds from the event leaving the page to the first answer."""


def timed(page: Any, selector: str, click: Callable[[], Any], prepare: Any = None) -> float:
    """Milliseconds from the pointer down of `click()` to the change of `selector`'s text;
    `prepare()` comes first, untimed (opening a select, before the click on its option)."""
    if prepare is not None:
        prepare()
    page.evaluate(ARM, selector)
    click()
    page.wait_for_function("window.__t1 !== undefined")
    return float(page.evaluate("window.__t1 - window.__t0"))


def choosing(page: Any, label: str, option: str) -> dict[str, Callable[[], Any]]:
    """The two steps of picking `option` in the select labelled `label`: open it (untimed),
    then the click on the option, which is the agent's decision."""
    return {
        "prepare": lambda: page.get_by_label(label, exact=True).click(),
        "click": lambda: page.get_by_role("option", name=option, exact=True).click(),
    }


def summary(figures: Clicks) -> dict[str, Any]:
    """p50 and max of the whole clicks, and the p50 of their part between the event leaving
    the page and its answer arriving (the rest is the browser's: the delta and the render)."""
    clicks, server = figures
    return {
        "p50_ms": round(statistics.median(clicks), 1),
        "max_ms": round(max(clicks), 1),
        "round_trip_p50_ms": round(statistics.median(server), 1),
        "clicks": [round(f) for f in clicks],
    }


def _timed_split(page: Any, selector: str, figures: Clicks, **click: Any) -> None:
    figures[0].append(timed(page, selector, **click))
    figures[1].append(float(page.evaluate(SPLIT) or "nan"))


def filter_clicks(page: Any, rounds: int) -> Clicks:
    """Alternate the category filter between two values, timing each change of the rows."""
    figures: Clicks = ([], [])
    for round_ in range(rounds):
        category = ("Technical", "Billing")[round_ % 2]
        _timed_split(page, LIST, figures, **choosing(page, "Category", category))
        page.wait_for_url(re.compile(rf"category={category.lower()}"))
    return figures


def paging_clicks(page: Any, rounds: int) -> Clicks:
    """Older, then Newer, and so on: each a page turn of the list."""
    figures: Clicks = ([], [])
    for round_ in range(rounds):
        button = page.get_by_role("button", name=("Older", "Newer")[round_ % 2]).first
        _timed_split(page, LIST, figures, click=button.click)
    return figures


def edit_clicks(page: Any, rounds: int) -> Clicks:
    """A ticket page's priority, High then Low, and so on."""
    figures: Clicks = ([], [])
    order = ("Low", "High") if page.locator("#priority").inner_text() == "High" else ("High", "Low")
    for round_ in range(rounds):
        priority = order[round_ % 2]  # always a change: the first differs from what it was
        _timed_split(page, "#priority", figures, **choosing(page, "Priority", priority))
    return figures


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SystemExit("Chromium is not installed (scripts/test installs Debian's package)")
    return found


def _admin(env: dict[str, str]) -> str:
    """The bench's admin (created on first use) with a new password, through the CLI."""
    password = secrets.token_urlsafe(18)
    manage = [sys.executable, "-m", "ticket_app.manage"]
    created = subprocess.run(  # noqa: S603
        [*manage, "create-user", ADMIN, "--name", "Clicks", "--role", "admin",
         "--password-stdin"],
        cwd=ROOT, env=env, input=password + "\n", capture_output=True, text=True,
    )  # fmt: skip
    if created.returncode == 0:
        return password
    if "already has an account" not in created.stderr:
        raise SystemExit(f"could not create the bench admin: {created.stderr.strip()}")
    subprocess.run(  # noqa: S603
        [*manage, "set-password", ADMIN, "--password-stdin"],
        cwd=ROOT, env=env, input=password + "\n", capture_output=True, text=True, check=True,
    )  # fmt: skip
    return password


def measure(url: str, password: str, rounds: int, slowdown: float = 1) -> dict[str, Any]:
    """Sign in through the login page, then time the three clicks; with `slowdown` > 1 the
    page's CPU is throttled that many times (DevTools' CPU throttling: an agent's slower
    laptop, or a browser sharing its machine), which is where the rendering's cost shows."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(base_url=url, viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        page.add_init_script(WIRE)
        if slowdown > 1:
            devtools = page.context.new_cdp_session(page)
            devtools.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
        page.goto("/tickets")
        page.get_by_label("Email").fill(ADMIN)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.locator(LIST).wait_for()
        for _ in range(2):  # warm: the first clicks load code the later ones reuse
            filter_clicks(page, 2)
        report = {"filter": summary(filter_clicks(page, rounds))}
        page.goto("/tickets")
        page.locator(LIST).wait_for()
        paging_clicks(page, 2)
        report["paging"] = summary(paging_clicks(page, rounds))
        page.get_by_role("list", name="Tickets").get_by_role("link").first.click()
        page.locator("#priority").wait_for()
        report["edit"] = summary(edit_clicks(page, rounds))
        browser.close()
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of the bench database")
    parser.add_argument("--tickets", type=int, required=True, help="how many tickets to seed")
    parser.add_argument("--port", type=int, default=8260)
    parser.add_argument("--rounds", type=int, default=12, help="clicks timed per kind")
    parser.add_argument("--start-timeout", type=float, default=900)
    parser.add_argument(
        "--cpu-slowdown", type=float, default=1, help="throttle the page's CPU N times"
    )
    args = parser.parse_args(argv)
    if not port_free(args.port):
        raise SystemExit(f"port {args.port} is taken")
    path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    origin = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "DATABASE_URL": args.database, "APP_URL": origin, "GEMINI_API_KEY": "",
           "REFLEX_USE_NPM": "1", "PATH": path}  # fmt: skip
    env.pop("REFLEX_REDIS_URL", None)
    subprocess.run([sys.executable, "-m", "ticket_app.migrate"], cwd=ROOT, env=env, check=True)
    seeded = seeding.seed(args.database, args.tickets)
    print(f"seeded {seeded.tickets:,} tickets in {seeded.seconds:.0f} s", flush=True)
    password = _admin(env)
    log = Path(tempfile.gettempdir()) / f"bench-clicks-{args.port}.log"
    app = start_app(env, args.port, log, args.start_timeout)
    try:
        report = measure(origin, password, args.rounds, args.cpu_slowdown)
    finally:
        stop(app)
    name = "sqlite" if args.database.startswith("sqlite") else "postgresql"
    RESULTS.mkdir(parents=True, exist_ok=True)
    slowed = f"-cpu{args.cpu_slowdown:g}x" if args.cpu_slowdown > 1 else ""
    out = RESULTS / f"clicks-{name}-{args.tickets}{slowed}.json"
    summary_ = {"tickets": args.tickets, "database": name, "cpu_slowdown": args.cpu_slowdown}
    out.write_text(json.dumps({**summary_, **report}, indent=2))
    for kind, figures in report.items():
        print(f"{kind:7} p50 {figures['p50_ms']:6.0f} ms  max {figures['max_ms']:6.0f} ms  "
              f"(round trip p50 {figures['round_trip_p50_ms']:.0f} ms)  "
              f"{figures['clicks']}")  # fmt: skip
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
