"""Timers replayed from history equal the stored due columns, for tickets with generated
histories (replies by both sides, status and priority changes, a policy change half-way)
written through the services under a moving frozen clock. `python -m bench.sla replay` runs
the same at 10,000 tickets."""

from bench.sla import differences, generate, set_up_desk


def test_timers_replayed_from_history_equal_the_stored_ones(admin, agent, requester) -> None:
    set_up_desk(admin.actor)
    ids = generate(40, admin=admin.actor, agent=agent.actor, requester=requester.actor)
    assert differences(ids) == []
