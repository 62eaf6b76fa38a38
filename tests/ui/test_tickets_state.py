"""The ticket list's handlers: URL filters to service calls, paging, inline status."""

import pytest

from ticket_app.domain import Category, Priority, Status
from ticket_app.services import tickets
from ticket_app.services.errors import DatabaseUnavailable
from ticket_app.services.schemas import TicketFilters, validate_patch
from ticket_app.ui.routes import list_url
from ticket_app.ui.state.filters import read_filters
from ticket_app.ui.state.tickets import PAGE_SIZE, TicketsState

from .conftest import at_url, new, run, spec_args, toast_text


def loaded(path: str = "/tickets") -> TicketsState:
    state = at_url(new(TicketsState), path)
    assert run(TicketsState.load, state) == TicketsState.watch_changes
    return state


def test_url_parameters_become_the_services_filters():
    filters, kept, warning = read_filters(
        {"category": "billing,account", "status": "open", "search": " printer ", "page": "9"}
    )
    assert filters == TicketFilters(
        category=(Category.BILLING, Category.ACCOUNT), status=(Status.OPEN,), search="printer"
    )
    assert kept == {"category": "billing,account", "status": "open", "search": " printer "}
    assert warning == ""


def test_bad_url_parameters_are_ignored_with_a_warning():
    filters, kept, warning = read_filters({"status": "open,nonsense", "priority": "high"})
    assert filters == TicketFilters(priority=(Priority.HIGH,))
    assert kept == {"priority": "high"}
    assert warning.startswith("Ignored from the link: Status unknown value 'nonsense'")


def test_the_url_keeps_only_set_filters_in_a_stable_order():
    assert list_url({"search": "", "status": ""}) == "/tickets"
    assert (
        list_url({"search": "printer jam", "status": "open,closed", "category": "billing"})
        == "/tickets?category=billing&status=open,closed&search=printer%20jam"
    )


def test_load_passes_the_url_filters_to_the_service(viewer, monkeypatch):
    calls = []
    real = tickets.list_tickets

    def spy(actor, *, filters, limit, cursor):
        calls.append((actor.id, filters, limit, cursor))
        return real(actor, filters=filters, limit=limit, cursor=cursor)

    monkeypatch.setattr(tickets, "list_tickets", spy)
    state = loaded("/tickets?priority=high,critical&search=vpn")
    wanted = TicketFilters(priority=(Priority.HIGH, Priority.CRITICAL), search="vpn")
    assert calls == [(viewer.id, wanted, PAGE_SIZE, None)]
    assert (state.priority_filter, state.search, state.has_filters) == (
        "high,critical",
        "vpn",
        True,
    )


def test_filters_and_search_narrow_the_list(make_ticket):
    make_ticket("VPN drops", "The VPN drops every hour.", category=Category.TECHNICAL)
    make_ticket("Refund", "Refund the VPN licence.", category=Category.BILLING)
    make_ticket("Printer", "Out of toner.", category=Category.TECHNICAL)
    state = loaded("/tickets?category=technical&search=vpn")
    assert [row.title for row in state.rows] == ["VPN drops"]
    assert state.total == 1
    assert state.range_text == "Showing 1–1 of 1 ticket"
    everything = loaded()
    assert [row.title for row in everything.rows] == ["Printer", "Refund", "VPN drops"]


def replaced_url(spec) -> str:
    """The address a filter change put in the browser's history entry."""
    script = spec_args(spec)["javascript_code"]
    assert script.startswith("window.history.replaceState(")
    return script.split(", '', ", 1)[1].rstrip(")").strip('"')


def test_changing_a_filter_shows_the_rows_and_keeps_the_address_in_one_round_trip(
    make_ticket, viewer
):
    make_ticket("VPN drops", "The VPN drops.")
    moving = make_ticket("VPN slow", "The VPN is slow.")
    tickets.update_ticket(
        viewer.actor, ticket_id=moving.id, patch=validate_patch({"status": "in_progress"})
    )
    state = loaded("/tickets?search=vpn")
    assert state.total == 2
    spec = run(TicketsState.set_status_filter, state, "in_progress")
    assert replaced_url(spec) == "/tickets?status=in_progress&search=vpn"
    assert [row.title for row in state.rows] == ["VPN slow"]
    spec = run(TicketsState.set_status_filter, state, "all")
    assert replaced_url(spec) == "/tickets?search=vpn"
    assert state.total == 2


def test_a_search_for_the_word_all_is_a_search():
    spec = run(TicketsState.set_search, at_url(new(TicketsState), "/tickets"), "all")
    assert replaced_url(spec) == "/tickets?search=all"


def test_the_assignee_filter_and_an_inline_assignment(make_ticket, make_person, viewer):
    alan = make_person("agent", "Alan Agent")
    mine = make_ticket("Mine")
    make_ticket("Not yet anybody's")
    state = loaded()
    assert {person["name"] for person in state.assignees} == {"Ada Admin", "Alan Agent"}
    toast = run(TicketsState.change_assignee, state, mine.id, str(alan.id))
    assert "assigned to Alan Agent" in toast_text(toast)
    assert tickets.get_ticket(viewer.actor, ticket_id=mine.id).assignee_id == alan.id
    run(TicketsState.set_assignee_filter, state, str(alan.id))
    assert [row.title for row in state.rows] == ["Mine"]
    assert state.rows[0].assignee_name == "Alan Agent"
    run(TicketsState.set_assignee_filter, state, "none")
    assert [row.title for row in state.rows] == ["Not yet anybody's"]
    toast = run(TicketsState.change_assignee, state, mine.id, "nobody")
    assert tickets.get_ticket(viewer.actor, ticket_id=mine.id).assignee_id is None
    for bad in ("x", "-1", None, 5):
        assert "error" in toast_text(run(TicketsState.change_assignee, state, mine.id, bad))


def test_a_requester_sees_only_their_own_tickets(make_ticket, make_person, sign_in):
    rita = make_person("requester", "Rita")
    make_ticket("Someone else's")
    make_ticket("Rita's", by=rita)
    sign_in(rita)
    state = loaded()
    assert [row.title for row in state.rows] == ["Rita's"]
    assert state.total == 1
    assert state.assignees == []
    toast = run(TicketsState.change_status, state, state.rows[0].id, "resolved")
    assert "error" in toast_text(toast)  # requesters may only close


def test_their_tickets_link_names_the_requester_and_can_be_taken_away(make_ticket, make_person):
    rita = make_person("requester", "Rita")
    make_ticket("Someone else's")
    make_ticket("Rita's", by=rita)
    state = loaded(f"/tickets?requester={rita.id}")
    assert [row.title for row in state.rows] == ["Rita's"]
    assert (state.requester_name, state.has_filters) == ("Rita", True)
    assert f"requester={rita.id}" in state.filter_query  # export and saved views keep it
    run(TicketsState.clear_requester_filter, state)
    assert (state.requester_filter, state.requester_name) == ("", "")
    assert sorted(row.title for row in state.rows) == ["Rita's", "Someone else's"]


def test_a_requester_is_not_told_whose_an_id_is(make_ticket, make_person, sign_in):
    rita, otto = make_person("requester", "Rita"), make_person("requester", "Otto")
    make_ticket("Otto's", by=otto)
    sign_in(rita)
    state = at_url(new(TicketsState), f"/tickets?requester={otto.id}")
    run(TicketsState.load, state)
    assert state.requester_name == f"#{otto.id}"
    assert state.rows == []


@pytest.mark.parametrize(
    ("handler", "value"),
    [
        (TicketsState.set_category_filter, "hardware"),
        (TicketsState.set_priority_filter, "urgent,low"),
        (TicketsState.set_status_filter, 7),
        (TicketsState.set_search, "x" * 201),
        (TicketsState.set_search, "nul\x00byte"),
        (TicketsState.set_search, ["list"]),
        (TicketsState.set_search, "ab"),
        (TicketsState.set_assignee_filter, "someone"),
        (TicketsState.set_sort_order, "random"),
    ],
)
def test_bad_filter_values_are_refused_like_the_api(handler, value):
    state = at_url(new(TicketsState), "/tickets")
    assert run(handler, state, value) is None
    if isinstance(value, str):
        assert state.filter_error


def test_pages_walk_the_cursor_and_come_back(make_ticket):
    for number in range(PAGE_SIZE + 5):
        make_ticket(f"Ticket {number}")
    state = loaded()
    first_page = [row.id for row in state.rows]
    assert len(first_page) == PAGE_SIZE
    assert state.has_next
    assert state.range_text == f"Showing 1–{PAGE_SIZE} of {PAGE_SIZE + 5} tickets"
    run(TicketsState.next_page, state)
    assert state.page == 2
    assert not state.has_next
    assert [row.title for row in state.rows] == [f"Ticket {n}" for n in range(4, -1, -1)]
    run(TicketsState.next_page, state)  # nothing further: stays
    assert state.page == 2
    run(TicketsState.previous_page, state)
    assert [row.id for row in state.rows] == first_page


def test_a_page_that_emptied_goes_back_to_the_first(make_ticket, viewer):
    made = [make_ticket(f"Ticket {number}") for number in range(PAGE_SIZE + 2)]
    state = loaded()
    run(TicketsState.next_page, state)
    for ticket in made[:2]:
        tickets.delete_ticket(viewer.actor, ticket_id=ticket.id)
    run(TicketsState.retry, state)
    assert state.page == 1
    assert len(state.rows) == PAGE_SIZE


def test_rows_carry_an_excerpt_not_the_whole_description(make_ticket):
    make_ticket("Long", "word " * 2000)
    (row,) = loaded().rows
    assert len(row.excerpt) <= 161
    assert row.excerpt.endswith("…")


def test_inline_status_change_sends_only_the_status(make_ticket, monkeypatch, viewer):
    ticket = make_ticket()
    state = loaded()
    patches = []
    real = tickets.update_ticket

    def spy(actor, *, ticket_id, patch, expected_version=None):
        patches.append((ticket_id, patch.model_fields_set))
        return real(actor, ticket_id=ticket_id, patch=patch, expected_version=expected_version)

    monkeypatch.setattr(tickets, "update_ticket", spy)
    toast = run(TicketsState.change_status, state, ticket.id, "resolved")
    assert patches == [(ticket.id, {"status"})]
    assert "is now resolved" in toast_text(toast)
    assert state.rows[0].status == "resolved"
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).status == Status.RESOLVED


@pytest.mark.parametrize(
    ("ticket_id", "status"),
    [
        ("abc", "closed"),
        (-1, "closed"),
        (True, "closed"),
        (2**40, "closed"),
        (1, "done"),
        (1, None),
    ],
)
def test_inline_status_change_refuses_bad_arguments(make_ticket, viewer, ticket_id, status):
    ticket = make_ticket()
    toast = run(TicketsState.change_status, loaded(), ticket_id, status)
    assert "error" in toast_text(toast)
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).status == Status.OPEN


def test_a_missing_ticket_is_reported_not_raised(viewer):
    toast = run(TicketsState.change_status, at_url(new(TicketsState), "/tickets"), 999, "closed")
    assert "No ticket has id 999" in toast_text(toast)


def test_an_unreachable_database_shows_a_message(viewer, monkeypatch):
    def unavailable(*args, **kwargs):
        raise DatabaseUnavailable()

    monkeypatch.setattr(tickets, "list_tickets", unavailable)
    state = loaded()
    assert state.error.startswith("The database is unavailable")
    assert not state.loaded
