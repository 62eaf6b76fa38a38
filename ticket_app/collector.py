"""Python's cyclic garbage collector, tuned for a worker that holds hundreds of open tabs.

Each open tab is a websocket connection (its ASGI middleware coroutines, its Engine.IO
socket and tasks) and a page watcher: some 700 objects the collector tracks, about 340,000
in a worker with 500 tabs. Reflex freezes what start-up built before it forks the workers;
these come after. At Python's default thresholds (700, 10, 10) each worker of the 1,000-tab
bench ran some 280 young collections a minute, 25 middle ones of up to 90 ms, and a full one
every 25 to 30 s that held the event loop for 290 to 310 ms: every click and push of that
worker waited. Objects that live about a second (a push's values, a read's rows) outlived the
young collections, were promoted, and counted toward the next full collection.

A young generation of YOUNG_OBJECTS lets those objects die young: a dozen collections a
minute, a middle one a minute and no full one in the bench (docs/performance.md). Memory does
not grow with it: reference counting frees almost everything, and the collector still finds
cycles, only later.
"""

import gc

YOUNG_OBJECTS = 10_000  # Python's default is 700


async def tune() -> None:
    """Reflex lifespan task: in each worker, collect young objects in larger batches."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, middle, old)
