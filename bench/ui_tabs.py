"""The simulated agents of a UI load run: open tabs, acting tabs and the API's creates.

Every tab is a `ReflexTab` (its own token, its own session cookie in the handshake) on a
list, a ticket page or the dashboard. Passive tabs only watch what the server pushes: a list
tab notes when each ticket the API created first appears in its rows, a dashboard when its
total first counts it. Acting tabs call the page's real handlers (a list's inline status, a
ticket page's priority) and time each call until the delta that carries its result. An API
client creates tickets at a steady rate meanwhile. Everything is bounded by counts and time.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.support.reflex_client import VAR_SUFFIX, ReflexTab, Update, event_name, state_name
from ticket_app.ui.state.dashboard import DashboardState
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.state.tickets import TicketsState

LIST_VIEWS = (  # every one of them shows a new ticket on its first page
    "/tickets",
    "/tickets?status=open",
    "/tickets?status=open,in_progress",
    "/tickets?assignee=none",
)
TICKETS = state_name(TicketsState)
DASHBOARD = state_name(DashboardState)
DETAIL = state_name(DetailState)
SESSION = state_name(SessionState)
ROWS = "rows" + VAR_SUFFIX
TOTAL = "total_tickets" + VAR_SUFFIX
STATUSES = ("open", "in_progress")
PRIORITIES = ("low", "medium", "high")


@dataclass
class Agent:
    """One tab and what it saw."""

    kind: str  # "list", "dashboard" or "ticket"
    path: str
    params: dict[str, str]
    tab: ReflexTab
    acting: bool = False
    ticket_id: int = 0  # the ticket a ticket page shows (and an acting list tab changes)
    connect_seconds: float | None = None
    open_error: str = ""
    seen: dict[int, float] = field(default_factory=dict)  # created ticket id -> first shown
    totals: dict[int, float] = field(default_factory=dict)  # dashboard total -> first shown
    round_trips: list[float] = field(default_factory=list)
    call_errors: int = 0
    last_change: tuple[int, str, str] | None = None  # (ticket, field, value) confirmed
    updates: int = 0
    floor_id: int = 0  # ids above this are the run's own creates

    def listen(self, update: Update) -> None:
        """Called for every update the tab receives: note first sightings, keep no history."""
        self.updates += 1
        if self.kind == "list" and (values := update.delta.get(TICKETS)) and ROWS in values:
            for row in values[ROWS]:
                ident = row.get("id", 0)
                if ident > self.floor_id and ident not in self.seen:
                    self.seen[ident] = update.at
        elif self.kind == "dashboard" and (values := update.delta.get(DASHBOARD)):
            total = values.get(TOTAL)
            if isinstance(total, int) and total not in self.totals:
                self.totals[total] = update.at
        if not self.acting and self.connect_seconds is not None:
            self.tab.updates.clear()  # nobody waits on a passive tab's updates after it opened

    @property
    def shows_last_change(self) -> bool:
        """An acting tab shows the change it last made (after a reconnect too)."""
        if self.last_change is None:
            return True
        ident, field_name, value = self.last_change
        if self.kind == "ticket":
            shown = self.tab.state.get(DETAIL, {}).get("ticket" + VAR_SUFFIX) or {}
            return shown.get(field_name) == value
        rows = self.tab.state.get(TICKETS, {}).get(ROWS) or []
        return all(row.get(field_name) == value for row in rows if row.get("id") == ident)

    @property
    def signed_in(self) -> bool:
        return bool(self.tab.state.get(SESSION, {}).get("viewer_name" + VAR_SUFFIX))


def make_agents(
    url: str,
    cookies: list[str],
    lists: int,
    dashboards: int,
    tickets: int,
    ticket_ids: list[int],
) -> list[Agent]:
    """Tabs spread over the list views, the dashboard and ticket pages (one ticket each)."""
    agents: list[Agent] = []
    kinds = ["list"] * lists + ["dashboard"] * dashboards + ["ticket"] * tickets
    for index, (kind, cookie) in enumerate(zip(kinds, cookies, strict=True)):
        tab = ReflexTab(url, cookie=cookie)
        if kind == "list":
            agents.append(Agent(kind, LIST_VIEWS[index % len(LIST_VIEWS)], {}, tab))
        elif kind == "dashboard":
            agents.append(Agent(kind, "/dashboard", {}, tab))
        else:
            ident = ticket_ids[index % len(ticket_ids)]
            agents.append(
                Agent(kind, f"/tickets/{ident}", {"ticket_id": str(ident)}, tab, ticket_id=ident)
            )
        tab.listener = agents[-1].listen
    return agents


async def open_all(agents: list[Agent], concurrency: int, timeout: float = 60) -> float:
    """Open every tab, `concurrency` handshakes at a time; returns the seconds it took."""
    gate = asyncio.Semaphore(concurrency)
    started = time.perf_counter()

    async def open_one(agent: Agent) -> None:
        async with gate:
            try:
                reply = await agent.tab.open(agent.path, agent.params, timeout=timeout)
            except Exception as error:
                agent.open_error = f"{type(error).__name__}: {error}"
                return
            agent.connect_seconds = reply.seconds

    await asyncio.gather(*(open_one(agent) for agent in agents))
    return time.perf_counter() - started


async def reopen(agent: Agent, deadline: float) -> tuple[bool, int]:
    """Reconnect a tab with its own token to the page it was on, retrying with backoff as
    the browser does until `deadline`; (hydrated, failed attempts). Like the browser, it
    waits for the page of a connection that was accepted rather than giving up on it."""
    failures, wait = 0, 0.5
    agent.connect_seconds = None
    while time.monotonic() < deadline:
        await agent.tab.close()
        try:
            remaining = max(1.0, deadline - time.monotonic())
            reply = await agent.tab.open(agent.path, agent.params, timeout=remaining)
        except Exception:
            failures += 1
            await asyncio.sleep(wait * (0.5 + random.random()))
            wait = min(wait * 2, 5)
            continue
        agent.connect_seconds = reply.seconds
        return True, failures
    return False, failures


def _rows(agent: Agent) -> list[dict[str, Any]]:
    return agent.tab.state.get(TICKETS, {}).get(ROWS) or []


async def act(agent: Agent, stop_at: float, think: float, rng: random.Random) -> None:
    """An agent at work until `stop_at`: a change through the page's handler, then a pause."""
    list_handler = event_name(TicketsState.change_status)
    detail_handler = event_name(DetailState.set_priority)
    step = 0
    while time.monotonic() < stop_at:
        await asyncio.sleep(think * (0.5 + rng.random()))
        if time.monotonic() >= stop_at or not agent.tab.connected:
            return
        step += 1
        if agent.kind == "list":
            value = STATUSES[step % 2]
            handler, payload = list_handler, {"ticket_id": agent.ticket_id, "status": value}
            field_name = "status"
        else:
            value = PRIORITIES[step % 3]
            handler, payload, field_name = detail_handler, {"value": value}, "priority"
        try:
            reply = await agent.tab.call(handler, payload, until=_answered, timeout=30)
        except Exception:
            agent.call_errors += 1
            continue
        agent.round_trips.append(reply.seconds)
        if not _refused(reply.updates):
            agent.last_change = (agent.ticket_id, field_name, value)
        else:
            agent.call_errors += 1
        agent.tab.updates.clear()


def _answered(update: Update) -> bool:
    """The update that carries a handler's result: it brings the handler's toast (a pushed
    reload brings none), with the page's new values in the same delta."""
    return bool(update.events)


def _refused(updates: list[Update]) -> bool:
    """An error toast, or the warning of an edit conflict (the page asks before it writes)."""
    return any(
        word in str(event).lower()
        for update in updates
        for event in update.events
        for word in ("error", "warning")
    )


@dataclass
class Creator:
    """The API client: POST /api/tickets/ at `rate` per second until told to stop."""

    url: str
    token: str
    rate: float
    sent: dict[int, float] = field(default_factory=dict)  # id -> when its request left
    order: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    async def run(self, stop_at: float) -> None:
        headers = {"authorization": f"Bearer {self.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            pending: set[asyncio.Task[None]] = set()
            number, start = 0, time.monotonic()
            while time.monotonic() < stop_at:
                number += 1
                task = asyncio.create_task(self._create(http, number))
                pending.add(task)
                task.add_done_callback(pending.discard)
                await asyncio.sleep(max(0.0, start + number / self.rate - time.monotonic()))
            if pending:
                await asyncio.wait(pending, timeout=30)

    async def _create(self, http: aiohttp.ClientSession, number: int) -> None:
        body = {
            "title": f"UI load ticket {number}",
            "description": "Created by the UI load bench while tabs watch.",
            "category": "technical",
            "priority": "medium",
        }
        sent_at = time.perf_counter()
        try:
            async with http.post(f"{self.url}/api/tickets/", json=body) as response:
                data = await response.json(content_type=None)
                if response.status != 201:
                    self.errors.append(f"{response.status}: {str(data)[:200]}")
                    return
        except Exception as error:
            self.errors.append(f"{type(error).__name__}: {error}")
            return
        self.latencies.append(time.perf_counter() - sent_at)
        self.sent[data["id"]] = sent_at
        self.order.append(data["id"])
