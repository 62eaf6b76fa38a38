"""Answers kept for the length of one batch of work, so the same question is asked of the
database once per batch rather than once per item.

The mail pipeline takes up to a fetch chunk of messages in one transaction
(`services.inbound.ingest_many`); several of its look-ups repeat from message to message (the
staff who want every new ticket, whether any service-level policy exists, a sender's user row
and new tickets this hour). Inside `scope()` those are read once and kept; outside a scope
(every other caller: one request, one transaction) `cached` simply computes, so nothing is
ever kept longer than the batch that read it. The scope lives in a context variable: each
thread (the poller's, a request's) has its own.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_store: ContextVar[dict[Hashable, Any] | None] = ContextVar("memo", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Keep answers until the block ends."""
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """The kept answer for `key` inside a scope (computed the first time); `compute()` outside."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    value: T = store[key]
    return value


def put(key: Hashable, value: Any) -> None:
    """Replace a kept answer (the batch itself changed it); nothing outside a scope."""
    store = _store.get()
    if store is not None:
        store[key] = value


def bump(key: Hashable, by: int = 1) -> None:
    """Add to a kept count (the batch itself added to what was counted); nothing when the
    count is not kept."""
    store = _store.get()
    if store is not None and key in store:
        store[key] += by


def active() -> bool:
    """Whether answers are being kept (a batch is running)."""
    return _store.get() is not None
