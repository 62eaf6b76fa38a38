"""Writers moving tickets opposite ways through the same counter rows never fail.

`ticket_counts` is sharded by id % 16, so tickets of one category and priority whose ids
agree mod 16 share their open and closed counter rows. Closing one while reopening another
made the two transactions lock those rows in opposite orders, and PostgreSQL aborted one as
a deadlock (a 503 to the client) until migration 0004's trigger took them in key order.
SQLite has a single writer at a time, so only PostgreSQL can show it.

The window is the few microseconds between the trigger's two counter updates, which threads
released by a Python barrier rarely hit together. So the updates wait on an advisory lock
inside their own statement, and a gatekeeper releases it once all of them are waiting: they
start in the server at the same instant. With 0001's trigger put back, every run of this
test saw several of its 60 rounds deadlock; the fixed trigger must get through all of them.
"""

import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa

ROUNDS = 60
GATE = 4242
WRITERS = (("closed", "open"), ("closed", "open"), ("open", "closed"), ("open", "closed"))
MOVE = sa.text(
    f"WITH gate AS (SELECT pg_advisory_xact_lock_shared({GATE})) "
    "UPDATE tickets SET status = :status FROM gate WHERE id = :id"
)


@pytest.fixture
def shard_mates(engine) -> list[int]:
    """One ticket per writer, all in one counter shard (ids 16 apart): the first half open,
    the rest closed."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes one writer at a time: its counter updates cannot deadlock")
    insert = sa.text(
        "INSERT INTO tickets (title, description, category, priority, status) "
        "VALUES ('Shard mate', 'Same counters', 'technical', 'high', :status) RETURNING id"
    )
    with engine.begin() as connection:
        made = [
            connection.execute(insert, {"status": WRITERS[n // 16][1]}).scalar_one()
            for n in range(16 * len(WRITERS))
        ]
    chosen = made[::16]
    assert len({ticket_id % 16 for ticket_id in chosen}) == 1
    return chosen


def in_lockstep(engine, work: list[Callable[[sa.Connection, int], None]]) -> list[BaseException]:
    """Run each of `work` ROUNDS times on a connection of its own, every round released at
    once by the gate; the errors raised."""
    start, done = (threading.Barrier(len(work) + 1, timeout=60) for _ in range(2))
    failures: list[BaseException] = []

    def worker(step: Callable[[sa.Connection, int], None]) -> None:
        with engine.connect() as connection:
            for round_ in range(ROUNDS):
                start.wait()
                try:
                    with connection.begin():
                        step(connection, round_)
                except Exception as error:  # collected: the test names the first
                    failures.append(error)
                done.wait()

    threads = [threading.Thread(target=worker, args=(step,)) for step in work]
    for thread in threads:
        thread.start()
    waiting = sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    with engine.connect() as gatekeeper:
        for _ in range(ROUNDS):
            gatekeeper.execute(sa.text(f"SELECT pg_advisory_lock({GATE})"))
            start.wait()
            while gatekeeper.execute(waiting).scalar_one() < len(work):
                pass
            gatekeeper.execute(sa.text(f"SELECT pg_advisory_unlock({GATE})"))
            done.wait()
        gatekeeper.rollback()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def test_opposite_moves_in_one_shard_never_deadlock(engine, shard_mates):
    def mover(ticket_id: int, statuses: tuple[str, str]):
        def step(connection: sa.Connection, round_: int) -> None:
            connection.execute(MOVE, {"status": statuses[round_ % 2], "id": ticket_id})

        return step

    failures = in_lockstep(
        engine, [mover(ticket, moves) for ticket, moves in zip(shard_mates, WRITERS, strict=True)]
    )
    assert not failures, f"{len(failures)} of {ROUNDS * len(WRITERS)} updates failed: {failures[0]}"
    with engine.connect() as connection:
        counted = connection.execute(
            sa.text(
                "SELECT status, sum(tickets) FROM ticket_counts WHERE category = 'technical' "
                "GROUP BY status HAVING sum(tickets) <> 0"
            )
        ).all()
        real = connection.execute(
            sa.text("SELECT status, count(*) FROM tickets GROUP BY status")
        ).all()
    assert sorted(map(tuple, counted)) == sorted(map(tuple, real))
