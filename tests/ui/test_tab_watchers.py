"""The registry of live pages: one watcher per tab, a limit per process, none for a closed tab.

`tests/served/test_live_watchers.py` checks the same through the real websocket; these pin
the rules down in milliseconds.
"""

import asyncio

import pytest

from ticket_app.ui.live.tabs import TabWatchers

INTERVAL = 0.02


def registry(limit: int = 10, share: int = 10) -> TabWatchers:
    return TabWatchers(lambda: limit, lambda: INTERVAL, lambda: share)


async def watch(tabs: TabWatchers, tab: str, sid: str = "sid", holder: int = 1) -> bool:
    """A watcher: holds its place until cancelled; False when it was refused one."""
    with tabs.watching(tab, sid, holder) as live:
        if live:
            await asyncio.Event().wait()
        return live


def test_a_tabs_new_watcher_replaces_its_previous_one():
    async def scenario() -> None:
        tabs = registry()
        first = asyncio.create_task(watch(tabs, "tab-1"))
        await asyncio.sleep(0)
        second = asyncio.create_task(watch(tabs, "tab-1"))
        other = asyncio.create_task(watch(tabs, "tab-2"))
        await asyncio.sleep(INTERVAL)
        assert first.cancelled()
        assert len(tabs) == 2
        second.cancel()
        other.cancel()
        await asyncio.gather(second, other, return_exceptions=True)
        assert len(tabs) == 0

    asyncio.run(scenario())


def test_past_the_limit_a_page_gets_no_watcher_and_one_warning(caplog: pytest.LogCaptureFixture):
    async def scenario() -> list[bool]:
        tabs = registry(limit=2)
        held = [asyncio.create_task(watch(tabs, f"tab-{n}")) for n in range(2)]
        await asyncio.sleep(0)
        refused = [await watch(tabs, f"late-{n}") for n in range(3)]
        for task in held:
            task.cancel()
        await asyncio.gather(*held, return_exceptions=True)
        return refused

    assert asyncio.run(scenario()) == [False, False, False]
    assert caplog.text.count("the limit of 2 live pages") == 1


def test_the_sweep_cancels_the_watchers_of_closed_sockets():
    async def scenario() -> None:
        tabs = registry()
        open_sockets = {"sid-1", "sid-2"}
        tabs.track_connections(open_sockets.__contains__)
        first = asyncio.create_task(watch(tabs, "tab-1", "sid-1"))
        second = asyncio.create_task(watch(tabs, "tab-2", "sid-2"))
        await asyncio.sleep(INTERVAL * 2)
        open_sockets.discard("sid-1")
        await asyncio.sleep(INTERVAL * 3)
        assert first.cancelled()
        assert not second.done()
        assert len(tabs) == 1
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)

    asyncio.run(scenario())


def test_one_persons_tabs_cannot_take_everyone_elses_live_pages():
    """Past their share, a person's new tab replaces their own oldest live page; another
    person still gets one although that person opened more tabs than the process allows."""

    async def scenario() -> tuple[list[bool], bool]:
        tabs = registry(limit=4, share=2)
        greedy = [asyncio.create_task(watch(tabs, f"greedy-{n}", holder=1)) for n in range(6)]
        await asyncio.sleep(INTERVAL)
        other = asyncio.create_task(watch(tabs, "other", holder=2))
        await asyncio.sleep(INTERVAL)
        cancelled = [task.cancelled() for task in greedy]
        alive = not other.done() and len(tabs) == 3
        for task in [*greedy, other]:
            task.cancel()
        await asyncio.gather(*greedy, other, return_exceptions=True)
        return cancelled, alive

    cancelled, alive = asyncio.run(scenario())
    assert cancelled == [True, True, True, True, False, False]  # the newest two stay live
    assert alive
