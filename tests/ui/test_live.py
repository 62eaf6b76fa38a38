"""The process-wide revision poller: one read per interval however many pages watch."""

import asyncio
import logging
import time

import pytest

from ticket_app.services.errors import DatabaseUnavailable
from ticket_app.ui.live.revision import RevisionWatcher

INTERVAL = 0.05


class Revisions:
    """A fake `tickets.revision()` that counts how often it is read."""

    def __init__(self, value: int = 7) -> None:
        self.value = value
        self.reads = 0
        self.fail: Exception | None = None

    def __call__(self) -> int:
        self.reads += 1
        if self.fail:
            raise self.fail
        return self.value


def watcher_for(revisions: Revisions) -> RevisionWatcher:
    return RevisionWatcher(revisions, lambda: INTERVAL)


def test_many_waiting_pages_share_one_read_per_interval():
    revisions = Revisions()

    async def scenario() -> list[int]:
        watcher = watcher_for(revisions)

        async def page() -> int:
            with watcher.subscription():
                return await watcher.wait_for_change(7)

        waiting = [asyncio.create_task(page()) for _ in range(50)]
        await asyncio.sleep(INTERVAL * 4.5)
        assert not any(task.done() for task in waiting)
        reads_while_unchanged = revisions.reads
        revisions.value = 8
        results = await asyncio.gather(*waiting)
        assert reads_while_unchanged <= 6  # about one per interval, not fifty
        return results

    assert asyncio.run(scenario()) == [8] * 50


def test_a_page_that_has_not_seen_the_latest_revision_returns_at_once():
    async def scenario() -> int:
        watcher = watcher_for(Revisions(value=3))
        with watcher.subscription():
            return await asyncio.wait_for(watcher.wait_for_change(-1), 1)

    assert asyncio.run(scenario()) == 3


def test_nudge_polls_now_instead_of_after_the_interval():
    revisions = Revisions()

    async def scenario() -> float:
        watcher = RevisionWatcher(revisions, lambda: 30.0)
        with watcher.subscription():
            await asyncio.wait_for(watcher.wait_for_change(-1), 1)
            revisions.value = 8
            watcher.nudge()
            started = asyncio.get_running_loop().time()
            await asyncio.wait_for(watcher.wait_for_change(7), 1)
            return asyncio.get_running_loop().time() - started

    assert asyncio.run(scenario()) < 1


def test_a_stream_of_writes_polls_once_an_interval_not_once_a_write():
    revisions = Revisions()

    async def scenario() -> tuple[int, float]:
        watcher = RevisionWatcher(revisions, lambda: 0.2)
        with watcher.subscription():
            await asyncio.wait_for(watcher.wait_for_change(-1), 1)
            before, started = revisions.reads, time.monotonic()
            for _ in range(100):  # a write every 10 ms for a second (longer on a busy machine)
                revisions.value += 1
                watcher.nudge()
                await asyncio.sleep(0.01)
            return revisions.reads - before, time.monotonic() - started

    reads, seconds = asyncio.run(scenario())
    assert 4 <= reads <= seconds / 0.2 + 2  # once an interval; one a write would be 100


def test_polling_stops_when_no_page_watches_and_restarts_on_the_next():
    revisions = Revisions()

    async def scenario() -> None:
        watcher = watcher_for(revisions)
        with watcher.subscription():
            await watcher.wait_for_change(-1)
        await asyncio.sleep(INTERVAL * 3)
        reads = revisions.reads
        assert watcher.latest is None  # a stopped poller's number is not trusted
        await asyncio.sleep(INTERVAL * 3)
        assert revisions.reads == reads
        with watcher.subscription():
            assert await asyncio.wait_for(watcher.wait_for_change(-1), 1) == 7
        assert watcher.subscribers == 0

    asyncio.run(scenario())


def test_an_unreachable_database_is_retried_not_fatal(caplog: pytest.LogCaptureFixture):
    revisions = Revisions()
    revisions.fail = DatabaseUnavailable()

    async def scenario() -> int:
        watcher = watcher_for(revisions)
        with watcher.subscription():
            waiting = asyncio.create_task(watcher.wait_for_change(-1))
            await asyncio.sleep(INTERVAL * 3)
            assert not waiting.done()
            revisions.fail = None
            return await asyncio.wait_for(waiting, 1)

    assert asyncio.run(scenario()) == 7
    assert "cannot read the revision" in caplog.text


def test_any_error_is_logged_once_and_retried_less_and_less_often(
    caplog: pytest.LogCaptureFixture,
):
    """A pool timeout once escaped the service's errors and ended the poller: every live page
    froze. Now no error ends it, an outage is one log line, and the retries back off."""
    caplog.set_level(logging.INFO, logger="ticket_app.ui.live")
    revisions = Revisions()
    revisions.fail = RuntimeError("QueuePool limit reached")

    async def scenario() -> int:
        watcher = watcher_for(revisions)
        with watcher.subscription():
            waiting = asyncio.create_task(watcher.wait_for_change(-1))
            await asyncio.sleep(INTERVAL * 15)
            assert not waiting.done()
            assert revisions.reads <= 6  # 15 without the backoff
            revisions.fail = None
            watcher.nudge()  # a write through this process: retry at once
            return await asyncio.wait_for(waiting, 1)

    assert asyncio.run(scenario()) == 7
    assert caplog.text.count("live updates paused") == 1
    assert "QueuePool limit reached" in caplog.text
    assert "live updates resumed" in caplog.text
