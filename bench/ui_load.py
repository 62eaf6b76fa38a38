"""`python -m bench.ui_load`: the desk's websocket UI under a hundred to a thousand agents.

    python -m bench.ui_load --database postgresql://tickets:tickets@127.0.0.1:54330/ui_load \\
        --tabs 1000 --workers 2
    python -m bench.ui_load --database ... --tabs 1000 --instances 2 --workers 1 --stop-one

Starts Redis and the app as production starts it (`scripts/container/serve.py`; with
`--instances 2` or more, that many instances behind nginx), signs in one session per tab
(straight through the sessions service, a harness shortcut around a thousand Argon2 checks),
opens the tabs (60% lists, 20% dashboards, 20% ticket pages), lets `--actors` of them change
tickets through their handlers while an API client creates `--rate` tickets a second for
`--seconds`, then reports the figures of issue 17 as a table and JSON
(bench/results/ui-<tabs>-<instances>x<workers>.json): connect-to-first-page, event round
trip, push latency, app CPU and memory per open tab, Redis commands per event, lock warnings
and lost updates in the server log, and optionally a reconnect storm (`--storm`: every
instance restarts and every tab reconnects at once) and the stop of one instance
(`--stop-one`: its tabs move to the others). Bounded in time and count throughout; every
address is on this machine.
"""

import argparse
import asyncio
import gc
import json
import os
import random
import re
import subprocess
import sys
import time
from typing import Any

from bench import collector
from bench.memory import (
    _sample,
    _tree,
    machine_busy_seconds,
    postgres_cpu_seconds,
    tree_cpu_seconds,
)
from bench.run import RESULTS, ROOT
from bench.ui_clicker import Clicker
from bench.ui_report import table
from bench.ui_servers import Desk, start_desk
from bench.ui_tabs import Agent, Creator, act, make_agents, open_all, reopen

AGENTS = 50  # distinct agent accounts; each tab has a session of its own
FIXED_TICKETS = 400  # tickets present before the run (ticket pages and list rows)
LOG_PROBLEMS = re.compile(r"lock expired|LockExpired|lock .*held|Traceback|ERROR|CRITICAL", re.I)
STORM_LIMIT = 30  # seconds the issue allows a reconnect storm to settle in (waited for 3x)
COLLECTOR_LOG = RESULTS / "collector"  # each app process's garbage collections (bench/collector.py)
TARGETS = {"round_trip_p95_ms": 150, "push_p95_s": 3.0, "memory_per_tab_mb": 1.0}


def percentiles(values: list[float], scale: float = 1.0) -> dict[str, float | int]:
    if not values:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "max": 0.0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * scale  # noqa: E731
    return {"n": len(ordered), "p50": round(pick(0.5), 1), "p95": round(pick(0.95), 1),
            "max": round(ordered[-1] * scale, 1)}  # fmt: skip


def prepare(database_url: str, tabs: int, actors: int) -> dict[str, Any]:
    """Migrate, make the people and the tickets, a session per tab and the API's token."""
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", "ticket_app.migrate"], cwd=ROOT, env=env, check=True)
    os.environ["DATABASE_URL"] = database_url
    from ticket_app.domain import Category, Priority, Role
    from ticket_app.services import api_tokens, sessions, tickets, users
    from ticket_app.services.access import Actor
    from ticket_app.services.schemas import TicketCreate, TicketFilters

    def person(email: str, role: str) -> Actor:
        try:
            user = users.create_user(None, data=users.validate_user_create(
                {"email": email, "name": email.split("@")[0], "role": role,
                 "password": "ui load bench password"}))  # fmt: skip
        except Exception:
            user = next(u for u in users.list_users(admin) if u.email == email)
        return Actor(id=user.id, email=user.email, name=user.name, role=Role(user.role))

    admin = Actor(id=0, email="", name="", role=Role.ADMIN)
    admin = person("ui-load-admin@example.com", "admin")
    agents = [person(f"ui-load-agent-{i}@example.com", "agent") for i in range(AGENTS)]
    have = tickets.list_tickets(admin, filters=TicketFilters(), limit=1).total
    for number in range(have, FIXED_TICKETS):
        tickets.create_ticket(admin, data=TicketCreate(
            title=f"Standing ticket {number}", description="Present before the UI load run.",
            category=Category.GENERAL, priority=Priority.MEDIUM))  # fmt: skip
    ids = [t.id for t in tickets.list_tickets(admin, filters=TicketFilters(), limit=200).items]
    cookies = [f"{sessions.COOKIE_NAME}={sessions.start(agents[i % AGENTS])}" for i in range(tabs)]
    token = api_tokens.token_for_cli(email=admin.email, name=f"ui load {time.time():.0f}")
    highest = max(ids)
    # Acting list tabs change tickets of their own, ticket pages show tickets of their own
    # beyond those: no two tabs change one ticket, so a lost update cannot hide.
    return {"cookies": cookies, "token": token, "ids": ids, "highest": highest,
            "actor_ids": ids[:actors], "page_ids": ids[actors:]}  # fmt: skip


def app_roots(desk: Desk) -> list[int]:
    return [m.process.pid for m in desk.instances if m.process is not None]


def app_cpu(desk: Desk) -> float:
    return sum(tree_cpu_seconds(pid) for pid in app_roots(desk))


def app_pss_mb(desk: Desk) -> float:
    total = 0.0
    for root in app_roots(desk):
        for pid in _tree(root):
            try:
                total += _sample(pid)[1]
            except OSError:
                continue
    return round(total, 1)


def redis_stats(desk: Desk) -> tuple[dict[str, int], int]:
    """Calls per Redis command so far, and Redis's used memory in bytes."""
    client = desk.redis()
    stats = client.info("commandstats")
    memory = int(client.info("memory")["used_memory"])
    client.close()
    calls = {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
    return calls, memory


def log_lines(desk: Desk) -> list[list[str]]:
    return [member.log.read_text(errors="replace").splitlines() for member in desk.instances]


def log_problems(desk: Desk, after: list[int] | None = None) -> dict[str, Any]:
    """Lock warnings and errors in the instances' logs (past line `after[i]` of log i)."""
    lines = []
    for index, log in enumerate(log_lines(desk)):
        for line in log[after[index] if after else 0 :]:
            if LOG_PROBLEMS.search(line):
                lines.append(line[:300])
    lock = [line for line in lines if "lock" in line.lower()]
    return {"lock_warnings": len(lock), "problem_lines": len(lines), "first": lines[:15]}


async def lost_updates(agents: list[Agent]) -> list[str]:
    """Each acting tab's last confirmed change must be what the database holds."""
    from ticket_app.domain import Role
    from ticket_app.services import tickets
    from ticket_app.services.access import Actor

    reader = Actor(id=0, email="bench", name="bench", role=Role.ADMIN)
    lost = []
    for agent in agents:
        if agent.last_change is None:
            continue
        ident, field_name, value = agent.last_change
        ticket = await asyncio.to_thread(tickets.get_ticket, reader, ticket_id=ident)
        if str(getattr(ticket, field_name).value) != value:
            lost.append(f"#{ident} {field_name}: tab confirmed {value}, database has "
                        f"{getattr(ticket, field_name).value}")  # fmt: skip
    return lost


def push_figures(agents: list[Agent], creator: Creator, base_total: int) -> dict[str, Any]:
    """List push: from a create's request to its first appearance in each open list; a list
    that never showed a ticket created while it was open is counted as missed. Dashboard
    push: until its total counted that create."""
    list_delays, missed = [], 0
    created = [i for i in creator.order if i in creator.sent]
    for agent in agents:
        if agent.kind != "list" or agent.connect_seconds is None:
            continue
        for ident in created:
            if ident in agent.seen:
                list_delays.append(agent.seen[ident] - creator.sent[ident])
            else:
                missed += 1
    dash_delays = []
    for agent in agents:
        if agent.kind != "dashboard" or agent.connect_seconds is None:
            continue
        for number, ident in enumerate(created, start=1):
            shown = [at for total, at in agent.totals.items() if total >= base_total + number]
            if shown:
                dash_delays.append(min(shown) - creator.sent[ident])
    return {"list": percentiles(list_delays), "list_missed": missed,
            "dashboard": percentiles(dash_delays)}  # fmt: skip


async def storm(desk: Desk, agents: list[Agent]) -> dict[str, Any]:
    """Every instance restarts; every tab reconnects at once (as browsers do after a deploy)."""
    for member in desk.instances:
        desk.stop_instance(member)
    for member in desk.instances:
        desk.start(member)
    before = [len(log) for log in log_lines(desk)]
    started = time.monotonic()
    results = await asyncio.gather(*(reopen(a, started + STORM_LIMIT * 3) for a in agents))
    settled = time.monotonic() - started
    return {"tabs": len(agents), "settled_seconds": round(settled, 1),
            "log": log_problems(desk, before),
            "reconnected": sum(ok for ok, _ in results),
            "signed_in": sum(a.signed_in for a in agents),
            "failed_attempts": sum(f for _, f in results),
            "connect": percentiles(
                [a.connect_seconds for a in agents if a.connect_seconds], 1000)}  # fmt: skip


async def stop_one(desk: Desk, agents: list[Agent], creator_url: str, token: str) -> dict[str, Any]:
    """Stop the first instance; the tabs it held reconnect through the proxy to the others,
    signed in and on their page; a ticket created afterwards reaches them."""
    victim = desk.instances[0]
    desk.stop_instance(victim)
    await asyncio.sleep(1)
    dropped = [a for a in agents if not a.tab.connected]
    started = time.monotonic()
    results = await asyncio.gather(*(reopen(a, started + 60) for a in dropped))
    moved = time.monotonic() - started
    same_page = sum(1 for a in dropped if a.tab.path == a.path and a.connect_seconds is not None)
    creator = Creator(creator_url, token, rate=1)
    await creator.run(time.monotonic() + 1.5)
    await asyncio.sleep(8)
    lists = [a for a in dropped if a.kind == "list"]
    reached = sum(1 for a in lists if all(i in a.seen for i in creator.order))
    acted = [a for a in dropped if a.last_change is not None]
    showing = f"{sum(a.shows_last_change for a in acted)}/{len(acted)}"
    return {"instance_stopped": victim.port, "tabs_dropped": len(dropped),
            "reconnected": sum(ok for ok, _ in results), "seconds": round(moved, 1),
            "signed_in": sum(a.signed_in for a in dropped), "same_page": same_page,
            "lists_reached_by_a_later_create": f"{reached}/{len(lists)}",
            "acting_tabs_showing_their_last_change": showing,
            "lost_updates": await lost_updates(agents)}  # fmt: skip


async def cross_instance(desk: Desk, cookie: str, token: str) -> dict[str, Any]:
    """A list tab on the last instance, a ticket created through the first: how long until
    the tab shows it (each instance polls the shared database's revision)."""
    from tests.support.reflex_client import ReflexTab

    watcher_url, writer_url = desk.instances[-1].url, desk.instances[0].url
    tab = ReflexTab(
        watcher_url, origin=desk.url, cookie=cookie, headers={"Host": desk.url.split("//")[1]}
    )
    agent = Agent("list", "/tickets", {}, tab)
    tab.listener = agent.listen
    await tab.open("/tickets")
    agent.connect_seconds = 0.0
    creator = Creator(writer_url, token, rate=2)
    await creator.run(time.monotonic() + 2.5)
    await asyncio.sleep(6)
    await tab.close()
    delays = [agent.seen[i] - creator.sent[i] for i in creator.order if i in agent.seen]
    return {"through": writer_url, "tab_on": watcher_url, "created": len(creator.order),
            "shown": len(delays), "seconds": percentiles(delays)}  # fmt: skip


async def loop_lag(stop_at: float, lags: list[float]) -> None:
    """How late the bench's own event loop wakes a 10 ms sleep, until `stop_at`: the passive
    tabs' sockets share it, so a change's thousand pushes are read one after the other and
    the push times measured here include that lag (and so do the round trips of acting tabs
    that run here, with --storm or --stop-one)."""
    while (asked := time.monotonic()) < stop_at:
        await asyncio.sleep(0.01)
        lags.append(time.monotonic() - asked - 0.01)


async def scenario(args: argparse.Namespace, desk: Desk, setup: dict[str, Any]) -> dict[str, Any]:
    lists = round(args.tabs * 0.6)
    dashboards = round(args.tabs * 0.2)
    pages = args.tabs - lists - dashboards
    agents = make_agents(desk.url, setup["cookies"], lists, dashboards, pages, setup["page_ids"])
    rng = random.Random(args.seed)
    acting = [a for a in agents if a.kind == "list"][: args.actors // 2]
    acting += [a for a in agents if a.kind == "ticket"][: args.actors - len(acting)]
    for agent, ident in zip(
        [a for a in acting if a.kind == "list"], setup["actor_ids"], strict=False
    ):
        agent.ticket_id = ident
    for agent in acting:
        agent.acting = True
    for agent in agents:
        agent.floor_id = setup["highest"]
    pss_before = app_pss_mb(desk)
    _, redis_before = redis_stats(desk)
    # The acting tabs run in a process of their own (bench/ui_clicker.py), except when a
    # restart or a stopped instance must reconnect them here with the others.
    clicker = None
    if not (args.storm or args.stop_one):
        cookies = [setup["cookies"][agents.index(a)] for a in acting]
        clicker = Clicker(desk.url, acting, cookies)
    opened_in = await open_all(
        [a for a in agents if clicker is None or not a.acting], args.connect_concurrency
    )
    if clicker is not None:
        await clicker.opened()
    # This one process plays a thousand browsers, and a browser does not stop for Python's
    # collector: the open tabs' objects live for the whole run, so a full collection need
    # not go through them again and again while push times are measured.
    gc.collect()
    gc.freeze()
    await asyncio.sleep(args.settle)
    pss_open = app_pss_mb(desk)
    _, redis_open = redis_stats(desk)
    open_tabs = sum(a.connect_seconds is not None for a in agents)
    idle_cpu0, idle_t0 = app_cpu(desk), time.monotonic()
    await asyncio.sleep(5)
    idle_cores = (app_cpu(desk) - idle_cpu0) / (time.monotonic() - idle_t0)

    dash = [a for a in agents if a.kind == "dashboard" and a.totals]
    base_total = max((max(a.totals) for a in dash), default=0)
    commands0, _ = redis_stats(desk)
    cpu0, busy0, db0 = app_cpu(desk), machine_busy_seconds(), postgres_cpu_seconds(args.db_name)
    client0 = time.process_time()
    updates0 = sum(a.updates for a in agents)
    t0, wall0 = time.monotonic(), time.time()
    stop_at = t0 + args.seconds
    creator = Creator(desk.url, setup["token"], args.rate)
    peak_pss = pss_open
    if clicker is None:
        work = [asyncio.create_task(act(a, stop_at, args.think, rng)) for a in acting]
    else:
        work = [asyncio.create_task(clicker.act(args.seconds, args.think, args.seed))]
    work.append(asyncio.create_task(creator.run(stop_at)))
    lags: list[float] = []
    work.append(asyncio.create_task(loop_lag(stop_at, lags)))
    while time.monotonic() < stop_at:
        await asyncio.sleep(2)
        peak_pss = max(peak_pss, app_pss_mb(desk))
    await asyncio.gather(*work)
    elapsed = time.monotonic() - t0
    cpu = app_cpu(desk) - cpu0
    updated = sum(a.updates for a in agents) - updates0  # in the same window as `cpu`
    busy = machine_busy_seconds() - busy0
    db_cpu = postgres_cpu_seconds(args.db_name) - db0
    client_cpu = time.process_time() - client0
    commands1, _ = redis_stats(desk)
    await asyncio.sleep(args.settle)  # the last creates reach every list
    updates = sum(a.updates for a in agents) - updates0
    calls = sum(len(a.round_trips) + a.call_errors for a in acting)
    command_delta = {
        k: v - commands0.get(k, 0) for k, v in commands1.items() if v - commands0.get(k, 0)
    }
    total_commands = sum(command_delta.values())
    round_trips = [s for a in acting for s in a.round_trips]
    report: dict[str, Any] = {
        "tabs": {
            "asked": args.tabs,
            "open": open_tabs,
            "lists": lists,
            "dashboards": dashboards,
            "ticket_pages": pages,
            "acting": len(acting),
            "open_errors": [a.open_error for a in agents if a.open_error][:5],
            "opened_in_seconds": round(opened_in, 1),
        },
        "connect_ms": {
            kind: percentiles(
                [
                    a.connect_seconds
                    for a in agents
                    if a.kind == kind and a.connect_seconds is not None
                ],
                1000,
            )
            for kind in ("list", "dashboard", "ticket")
        },
        "round_trip_ms": percentiles(round_trips, 1000),
        "round_trip_ms_by_page": {
            kind: percentiles([s for a in acting if a.kind == kind for s in a.round_trips], 1000)
            for kind in ("list", "ticket")
        },
        "client_loop_lag_ms": percentiles(lags, 1000),
        "call_errors": sum(a.call_errors for a in acting),
        "push_s": push_figures([a for a in agents if not a.acting], creator, base_total),
        "creates": {
            "made": len(creator.order),
            "errors": len(creator.errors),
            "first_errors": creator.errors[:5],
            "latency_ms": percentiles(creator.latencies, 1000),
        },
        "cpu": {
            "app_cores": round(cpu / elapsed, 2),
            "idle_app_cores": round(idle_cores, 2),
            "app_ms_per_tab_second": round(cpu / elapsed / max(open_tabs, 1) * 1000, 2),
            # Each update a tab received is a push (or the answer to its own event): with
            # `--actors 0` this is what one push costs the app per tab, all included.
            "app_ms_per_update": round(cpu * 1000 / max(updated, 1), 2),
            "database_cores": round(db_cpu / elapsed, 2),
            "client_cores": round(client_cpu / elapsed, 2),
            "machine_busy_cores": round(busy / elapsed, 2),
        },
        "memory": {
            "app_pss_mb_before_tabs": pss_before,
            "app_pss_mb_open": pss_open,
            "app_pss_mb_peak": peak_pss,
            "per_tab_mb": round(peak_pss / max(open_tabs, 1), 2),
            "added_per_tab_mb": round((pss_open - pss_before) / max(open_tabs, 1), 3),
            "redis_per_tab_kb": round((redis_open - redis_before) / max(open_tabs, 1) / 1024, 1),
        },
        "redis": {
            "commands_per_second": round(total_commands / elapsed),
            "events": calls + updates,
            "commands_per_event": round(total_commands / max(calls + updates, 1), 2),
            "top": dict(sorted(command_delta.items(), key=lambda kv: -kv[1])[:8]),
        },
        "collector": collector.summary(
            COLLECTOR_LOG, wall0, wall0 + elapsed, args.instances * args.workers
        ),
        "lost_updates": await lost_updates(acting),
        "log": log_problems(desk),
    }
    if args.storm:
        report["reconnect_storm"] = await storm(desk, agents)
    if args.stop_one and len(desk.instances) > 1:
        report["cross_instance"] = await cross_instance(desk, setup["cookies"][0], setup["token"])
        report["stop_one"] = await stop_one(desk, agents, desk.url, setup["token"])
    for agent in agents:
        await agent.tab.close()
    if clicker is not None:
        clicker.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", required=True, help="PostgreSQL URL (its database is created when missing)"
    )
    parser.add_argument("--tabs", type=int, default=100)
    parser.add_argument("--actors", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0, help="API creates per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the measured phase")
    parser.add_argument(
        "--think", type=float, default=3.0, help="mean pause of an acting tab between changes (s)"
    )
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="Granian workers per instance")
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--connect-concurrency", type=int, default=25)
    parser.add_argument("--settle", type=float, default=8.0)
    parser.add_argument(
        "--storm", action="store_true", help="restart and reconnect every tab at once"
    )
    parser.add_argument(
        "--stop-one", action="store_true", help="cross-instance push and one instance stopped"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="extra app setting"
    )
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    from sqlalchemy.engine import make_url

    from bench.seed import ensure_pg_database

    ensure_pg_database(make_url(args.database))
    args.db_name = args.database.rsplit("/", 1)[-1]
    setup = prepare(args.database, args.tabs, args.actors)
    extra = {**collector.environment(COLLECTOR_LOG), **dict(i.split("=", 1) for i in args.env)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    loadavg = os.getloadavg()[0]
    desk = start_desk(args.database, args.port, args.instances, args.workers, RESULTS, extra)
    try:
        report = asyncio.run(scenario(args, desk, setup))
    finally:
        desk.close()
    report["run"] = {"database": "PostgreSQL + Redis", "instances": args.instances,
                     "workers": args.workers, "rate": args.rate, "seconds": args.seconds,
                     "think": args.think, "settings": extra, "label": args.label,
                     "loadavg_before": round(loadavg, 2),
                     "loadavg_after": round(os.getloadavg()[0], 2)}  # fmt: skip
    name = f"ui-{args.tabs}-{args.instances}x{args.workers}{'-' + args.label if args.label else ''}"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2))
    print(table(report))
    print(f"\nwritten: {RESULTS / (name + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
