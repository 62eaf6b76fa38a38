"""The acting tabs of a UI load run, in a process of their own, as an agent's browser is.

One process plays the thousand passive tabs, and after every change it reads a thousand
pushes in one go: an acting tab's answer that arrived among them waited its turn, up to half
a second, and its round trip was measured that much longer, though no browser shares its
event loop with a thousand others. Here the acting tabs open, act and time their calls on an
event loop of their own; the bench's process tells them when (`Clicker`).
"""

import asyncio
import multiprocessing
import random
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench.ui_tabs import Agent, act, open_all
from tests.support.reflex_client import ReflexTab


@dataclass(frozen=True)
class Spec:
    """What the clicker needs to open one acting tab as the bench would."""

    kind: str
    path: str
    params: dict[str, str]
    cookie: str
    ticket_id: int
    floor_id: int


def spec(agent: Agent, cookie: str) -> Spec:
    return Spec(agent.kind, agent.path, agent.params, cookie, agent.ticket_id, agent.floor_id)


async def _serve(pipe: Connection, url: str, specs: list[Spec]) -> None:
    agents = []
    for s in specs:
        tab = ReflexTab(url, cookie=s.cookie)
        agent = Agent(s.kind, s.path, s.params, tab, acting=True, ticket_id=s.ticket_id)
        agent.floor_id = s.floor_id
        tab.listener = agent.listen
        agents.append(agent)
    await open_all(agents, 10)
    pipe.send([(a.connect_seconds, a.open_error) for a in agents])
    seconds, think, seed = await asyncio.to_thread(pipe.recv)
    rng, stop_at = random.Random(seed), time.monotonic() + seconds
    before = [a.updates for a in agents]
    await asyncio.gather(*(act(a, stop_at, think, rng) for a in agents))
    pipe.send(
        [
            (a.round_trips, a.call_errors, a.last_change, a.updates - counted)
            for a, counted in zip(agents, before, strict=True)
        ]
    )
    for agent in agents:
        await agent.tab.close()


def _main(pipe: Connection, url: str, specs: list[Spec]) -> None:
    asyncio.run(_serve(pipe, url, specs))


class Clicker:
    """The acting tabs' process, seen from the bench: open, act, and what they measured."""

    def __init__(self, url: str, agents: list[Agent], cookies: list[str]) -> None:
        self._agents = agents
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        specs = [spec(a, c) for a, c in zip(agents, cookies, strict=True)]
        self._process = context.Process(target=_main, args=(theirs, url, specs), daemon=True)
        self._process.start()

    async def opened(self) -> None:
        """Until every acting tab has opened (or failed to), as `open_all` notes it."""
        for agent, (seconds, error) in zip(self._agents, await self._receive(), strict=True):
            agent.connect_seconds, agent.open_error = seconds, error

    async def act(self, seconds: float, think: float, seed: int) -> None:
        """The acting tabs at work for `seconds`; their figures land on the bench's agents."""
        self._pipe.send((seconds, think, seed))
        for agent, (trips, errors, last, updates) in zip(
            self._agents, await self._receive(), strict=True
        ):
            agent.round_trips, agent.call_errors = trips, errors
            agent.last_change = None if last is None else tuple(last)
            agent.updates += updates

    async def _receive(self) -> Any:
        return await asyncio.to_thread(self._pipe.recv)

    def close(self) -> None:
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
