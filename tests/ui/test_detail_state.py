"""The ticket page's handlers: the id from the URL, one-field edits, the suggestion verdict."""

import pytest

from ticket_app.classifier import Suggestion
from ticket_app.domain import Category, Priority, Status
from ticket_app.services import tickets
from ticket_app.ui.state.detail import DetailState

from .conftest import at_url, new, run, toast_text


def opened(ticket_id: object) -> DetailState:
    state = at_url(new(DetailState), f"/tickets/{ticket_id}")
    run(DetailState.load, state)
    return state


def test_the_page_shows_the_whole_ticket_as_text(make_ticket):
    ticket = make_ticket("XSS?", "<script>alert(1)</script>\nsecond line")
    state = opened(ticket.id)
    assert state.found
    assert state.loaded
    assert state.ticket.description == "<script>alert(1)</script>\nsecond line"
    assert state.ticket.created_at == ticket.created_at.isoformat()


@pytest.mark.parametrize("ticket_id", ["999", "abc", "0", "-3", "1.5", str(2**40)])
def test_a_missing_or_malformed_id_shows_not_found(database_url, ticket_id):
    state = opened(ticket_id)
    assert state.loaded
    assert not state.found
    assert state.error == ""


@pytest.mark.parametrize(
    ("handler", "field", "value"),
    [
        (DetailState.set_status, "status", "in_progress"),
        (DetailState.set_category, "category", "account"),
        (DetailState.set_priority, "priority", "critical"),
    ],
)
def test_each_edit_sends_only_its_field(make_ticket, monkeypatch, handler, field, value):
    ticket = make_ticket()
    state = opened(ticket.id)
    sent = []
    real = tickets.update_ticket

    def spy(ticket_id, patch):
        sent.append((ticket_id, patch.model_fields_set))
        return real(ticket_id, patch)

    monkeypatch.setattr(tickets, "update_ticket", spy)
    toast = run(handler, state, value)
    assert sent == [(ticket.id, {field})]
    assert "success" in toast_text(toast)
    assert getattr(state.ticket, field) == value


@pytest.mark.parametrize("value", ["urgent", "", None, 1, "Open"])
def test_bad_values_are_refused_like_the_api(make_ticket, value):
    ticket = make_ticket()
    state = opened(ticket.id)
    assert "error" in toast_text(run(DetailState.set_status, state, value))
    assert tickets.get_ticket(ticket.id).status == Status.OPEN


def test_editing_a_ticket_deleted_meanwhile_says_so(make_ticket):
    ticket = make_ticket()
    state = opened(ticket.id)
    tickets.delete_ticket(ticket.id)
    assert "deleted" in toast_text(run(DetailState.set_status, state, "closed"))
    assert not state.found


def test_the_verdict_compares_final_values_with_the_suggestion(make_ticket):
    suggested = Suggestion(Category.BILLING, Priority.HIGH, "local", False, 0.8)
    kept = make_ticket(category=Category.BILLING, priority=Priority.HIGH, suggestion=suggested)
    changed = make_ticket(category=Category.ACCOUNT, priority=Priority.HIGH, suggestion=suggested)
    none = make_ticket()
    assert "match the suggestion" in opened(kept.id).suggestion_verdict
    assert opened(changed.id).suggestion_verdict == (
        "The final category differs from the suggestion."
    )
    assert opened(none.id).suggestion_verdict == "No suggestion was stored for this ticket."
