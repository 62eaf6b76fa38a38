"""Tabs at the same revision share one query per view, and never across what actors may see."""

import asyncio
import time

import pytest

from ticket_app.services import tickets
from ticket_app.services.schemas import validate_patch
from ticket_app.ui.live import shared_reads
from ticket_app.ui.live.revision import get_watcher
from ticket_app.ui.live.shared_reads import SharedReads, at_revision, audience
from ticket_app.ui.state.dashboard import DashboardState
from ticket_app.ui.state.tickets import TicketsState

from .conftest import at_url, new, run


def counting(calls: list[str], value: str):
    def query() -> str:
        calls.append(value)
        return value

    return query


def test_tabs_at_one_revision_share_one_query():
    reads, calls = SharedReads(), []

    async def scenario() -> list[str]:
        with at_revision(7):
            return await asyncio.gather(
                *(reads.read("view", counting(calls, "rows")) for _ in range(50))
            )

    assert asyncio.run(scenario()) == ["rows"] * 50
    assert calls == ["rows"]
    assert (reads.queries, reads.shared) == (1, 49)


def test_a_new_revision_or_a_handler_of_its_own_reads_afresh():
    reads, calls = SharedReads(), []

    async def scenario() -> None:
        with at_revision(1):
            await reads.read("view", counting(calls, "first"))
        with at_revision(2):
            await reads.read("view", counting(calls, "second"))
        await reads.read("view", counting(calls, "outside"))  # a filter change, paging

    asyncio.run(scenario())
    assert calls == ["first", "second", "outside"]


def test_a_failed_read_is_not_shared():
    reads, attempts = SharedReads(), []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database busy")
        return "rows"

    async def scenario() -> str:
        with at_revision(1):
            with pytest.raises(RuntimeError):
                await reads.read("view", flaky)
            return await reads.read("view", flaky)

    assert asyncio.run(scenario()) == "rows"


def test_a_tab_that_goes_away_does_not_cancel_the_query_others_wait_for():
    reads = SharedReads()

    def slow() -> str:
        time.sleep(0.1)
        return "rows"

    async def scenario() -> str:
        with at_revision(1):
            first = asyncio.create_task(reads.read("view", slow))
            await asyncio.sleep(0.01)
            second = asyncio.create_task(reads.read("view", lambda: "never run"))
            await asyncio.sleep(0.01)
            first.cancel()  # its tab navigated away
            return await second

    assert asyncio.run(scenario()) == "rows"


def test_staff_share_and_each_requester_has_an_audience_of_their_own(
    admin, agent, requester, make_person
):
    other = make_person("requester", "Ravi Requester")
    assert audience(admin.actor) == audience(agent.actor)
    assert audience(requester.actor) != audience(admin.actor)
    assert audience(requester.actor) != audience(other.actor)


def test_a_requester_loading_with_staff_at_one_revision_sees_only_their_own(
    make_ticket, requester, sign_in, monkeypatch
):
    reads = SharedReads()
    monkeypatch.setattr(shared_reads, "get_shared_reads", lambda: reads)
    monkeypatch.setattr("ticket_app.ui.state.tickets.get_shared_reads", lambda: reads)
    monkeypatch.setattr("ticket_app.ui.state.dashboard.get_shared_reads", lambda: reads)
    make_ticket("Staff only")
    make_ticket("Rita's own", by=requester)
    staff_list = at_url(new(TicketsState), "/tickets")
    staff_numbers = at_url(new(DashboardState), "/dashboard")
    run(TicketsState.load, staff_list)
    run(DashboardState.load, staff_numbers)
    secret = sign_in(requester)
    own_list = at_url(new(TicketsState), "/tickets", secret)
    own_numbers = at_url(new(DashboardState), "/dashboard", secret)
    run(TicketsState.load, own_list)
    run(DashboardState.load, own_numbers)
    assert sorted(row.title for row in staff_list.rows) == ["Rita's own", "Staff only"]
    assert [row.title for row in own_list.rows] == ["Rita's own"]
    assert (staff_numbers.total_tickets, own_numbers.total_tickets) == (2, 1)
    assert reads.shared == 0  # nothing the staff read was handed to the requester


def test_a_tab_whose_view_reads_the_same_is_unchanged_until_it_acts():
    reads, value = SharedReads(), ["rows"]

    async def scenario() -> list[bool]:
        with at_revision(1):
            await reads.read("view", lambda: value[0], tab="tab-1")
        same = await reads.unchanged("tab-1", 2)  # another ticket changed
        value[0] = "new rows"
        moved = await reads.unchanged("tab-1", 3)  # this view changed
        with at_revision(3):
            await reads.read("view", lambda: value[0], tab="tab-1")
        reads.forget("tab-1")  # the tab clicked something
        acted = await reads.unchanged("tab-1", 4)
        return [same, moved, acted, await reads.unchanged("never-read", 4)]

    assert asyncio.run(scenario()) == [True, False, False, False]


def test_a_view_saved_in_one_tab_is_listed_by_the_next_page_load(monkeypatch):
    reads = SharedReads()
    monkeypatch.setattr(shared_reads, "get_shared_reads", lambda: reads)
    monkeypatch.setattr("ticket_app.ui.state.tickets.get_shared_reads", lambda: reads)

    # The poller runs and has a revision, read before the save below.
    monkeypatch.setattr(get_watcher(), "latest", "before the save")
    first = at_url(new(TicketsState), "/tickets?priority=high")
    run(TicketsState.load, first)
    run(TicketsState.save_view, first, {"name": "High ones"})
    again = at_url(new(TicketsState), "/tickets")  # no ticket changed since the first load
    run(TicketsState.load, again)
    assert "High ones" in [view.name for view in again.saved_views]


def test_view_counts_are_read_once_for_all_staff_my_tickets_too(
    make_ticket, admin, agent, sign_in, monkeypatch
):
    reads = SharedReads()
    monkeypatch.setattr(shared_reads, "get_shared_reads", lambda: reads)
    monkeypatch.setattr("ticket_app.ui.state.tickets.get_shared_reads", lambda: reads)
    monkeypatch.setattr(get_watcher(), "latest", "one revision")  # both load at one revision
    for title in ("Agent's first", "Agent's second"):
        ticket = make_ticket(title)
        tickets.update_ticket(
            admin.actor, ticket_id=ticket.id, patch=validate_patch({"assignee_id": agent.id})
        )
    make_ticket("Nobody's")
    lists = [at_url(new(TicketsState), "/tickets"), at_url(new(TicketsState), "/tickets")]
    lists.append(at_url(new(TicketsState), "/tickets", sign_in(agent)))
    queries = []
    for page in lists:
        before = reads.queries
        run(TicketsState.load, page)
        queries.append(reads.queries - before)
    counts = [{view.name: view.count for view in page.saved_views} for page in lists]
    assert counts[0]["My open tickets"] == "0"
    assert counts[2]["My open tickets"] == "2"
    assert counts[0]["Unassigned"] == counts[2]["Unassigned"] == "1"
    # The admin's second tab shares everything; the agent reads only its own list of views:
    # "mine" was counted for every assignee at once, from the counters.
    assert queries[1] == 0
    assert queries[2] == 1
