"""The list's selection, bulk changes and saved views, through its handlers."""

from ticket_app.domain import Priority, Status
from ticket_app.services import tickets
from ticket_app.services.schemas import TicketFilters
from ticket_app.ui.state.tickets import TicketsState

from .conftest import at_url, new, run, toast_text


def loaded(path: str = "/tickets") -> TicketsState:
    state = at_url(new(TicketsState), path)
    run(TicketsState.load, state)
    return state


def test_ticking_rows_then_a_confirmed_bulk_change(make_ticket, viewer):
    made = [make_ticket(f"T{n}") for n in range(4)]
    state = loaded()
    run(TicketsState.toggle, state, made[0].id)
    run(TicketsState.toggle, state, made[1].id)
    run(TicketsState.toggle, state, 999_999)  # not on the page: ignored
    assert state.selection_text == "2 tickets selected"
    run(TicketsState.ask_bulk, state, "status", "resolved")
    assert state.pending_text == "Set the status of 2 tickets to Resolved?"
    assert (
        tickets.get_ticket(viewer.actor, ticket_id=made[0].id).status == Status.OPEN
    )  # asked, not done
    toast = run(TicketsState.run_bulk, state)
    assert "2 tickets moved to resolved." in toast_text(toast)
    assert {tickets.get_ticket(viewer.actor, ticket_id=t.id).status for t in made[:2]} == {
        Status.RESOLVED
    }
    assert tickets.get_ticket(viewer.actor, ticket_id=made[2].id).status == Status.OPEN
    assert state.selected == []
    assert state.pending_field == ""


def test_all_matching_uses_the_filters_not_the_page(make_ticket, viewer):
    for n in range(30):
        make_ticket(f"High {n}", priority=Priority.HIGH)
    make_ticket("Low one", priority=Priority.LOW)
    state = loaded("/tickets?priority=high")
    assert len(state.rows) == 25
    assert state.total == 30
    run(TicketsState.select_all_matching, state)
    assert state.selection_text == "All 30 tickets matching these filters"
    run(TicketsState.ask_bulk, state, "priority", "critical")
    assert "30 tickets set to critical." in toast_text(run(TicketsState.run_bulk, state))
    page = tickets.list_tickets(viewer.actor, filters=TicketFilters(priority=(Priority.CRITICAL,)))
    assert page.total == 30


def test_bad_bulk_choices_ask_nothing(make_ticket):
    ticket = make_ticket()
    state = loaded()
    run(TicketsState.ask_bulk, state, "status", "resolved")
    assert state.pending_field == ""  # nothing selected
    run(TicketsState.toggle, state, ticket.id)
    for field, value in (("status", "done"), ("colour", "red"), ("assignee_id", "x")):
        run(TicketsState.ask_bulk, state, field, value)
        assert state.pending_field == ""
    assert run(TicketsState.run_bulk, state) is None


def test_an_agent_cannot_bulk_delete_even_by_a_crafted_event(
    make_ticket, make_person, sign_in, viewer
):
    ticket = make_ticket()
    sign_in(make_person("agent", "Alan"))
    state = loaded()
    run(TicketsState.toggle, state, ticket.id)
    run(TicketsState.ask_bulk, state, "delete", "")
    assert "error" in toast_text(run(TicketsState.run_bulk, state))
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).id == ticket.id


def test_saving_a_view_and_its_live_count(make_ticket):
    make_ticket("One", priority=Priority.HIGH)
    state = loaded("/tickets?priority=high&sort=oldest")
    names = [view.name for view in state.saved_views]
    assert names == [
        "My open tickets",
        "Unassigned",
        "Critical and open",
        "Breached",
        "Due within an hour",
    ]
    toast = run(TicketsState.save_view, state, {"name": "Old high ones"})
    assert "saved" in toast_text(toast)
    mine = state.saved_views[0]
    assert (mine.name, mine.url, mine.count, mine.current) == (
        "Old high ones",
        "/tickets?priority=high&sort=oldest",
        "1",
        True,
    )
    make_ticket("Two", priority=Priority.HIGH)
    run(TicketsState.retry, state)
    assert state.saved_views[0].count == "2"
    run(TicketsState.save_view, state, {"name": "old HIGH ones"})
    assert "already have a view" in state.view_error
    run(TicketsState.delete_view, state, mine.id)
    assert next(view.name for view in state.saved_views) == "My open tickets"


def test_an_admin_shares_a_view_and_an_agent_cannot(make_person, sign_in):
    state = loaded("/tickets?priority=critical")
    run(TicketsState.save_view, state, {"name": "Fires"})
    fires = state.saved_views[0]
    assert "Everyone now sees" in toast_text(run(TicketsState.share_view, state, fires.id, True))
    alan = make_person("agent", "Alan")
    sign_in(alan)
    theirs = loaded("/tickets")
    shared = next(view for view in theirs.saved_views if view.name == "Fires")
    assert (shared.shared, shared.own) == (True, False)
    assert "error" in toast_text(run(TicketsState.share_view, theirs, fires.id, False))
    run(TicketsState.save_view, theirs, {"name": "Mine"})
    mine = next(view for view in theirs.saved_views if view.name == "Mine")
    assert "error" in toast_text(run(TicketsState.share_view, theirs, mine.id, True))
    again = loaded("/tickets")
    shared_now = {view.name: view.shared for view in again.saved_views}
    assert (shared_now["Fires"], shared_now["Mine"]) == (True, False)
