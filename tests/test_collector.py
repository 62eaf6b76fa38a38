"""The workers' garbage collector (`ticket_app/collector.py`): young objects are collected in
larger batches, and cycles are still found without anyone asking."""

import asyncio
import gc
import subprocess
import sys
import weakref
from collections.abc import Iterator

import pytest

from ticket_app import collector


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_each_worker_tunes_its_collector_at_start() -> None:
    """Asked of the app in a process of its own: importing it configures logging."""
    ask = (
        "from ticket_app import collector; from ticket_app.ticket_app import app; "
        "print(collector.tune in app.get_lifespan_tasks())"
    )
    answer = subprocess.run([sys.executable, "-c", ask], capture_output=True, text=True, check=True)
    assert answer.stdout.strip().splitlines()[-1] == "True"


def test_young_objects_are_collected_in_larger_batches(thresholds) -> None:
    gc.set_threshold(700, 10, 10)
    asyncio.run(collector.tune())
    assert gc.get_threshold() == (collector.YOUNG_OBJECTS, 10, 10)


def test_a_cycle_nobody_holds_is_still_freed_without_an_explicit_collection(thresholds) -> None:
    asyncio.run(collector.tune())
    gc.collect()
    first, second = Node(), Node()
    first.other, second.other = second, first
    freed = weakref.ref(first)
    del first, second
    assert freed() is not None  # a cycle: reference counting alone never frees it
    kept = [[] for _ in range(3 * collector.YOUNG_OBJECTS)]  # allocations that trigger it
    assert freed() is None
    assert len(kept) == 3 * collector.YOUNG_OBJECTS
