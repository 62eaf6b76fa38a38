"""The ticket page's handlers: the id from the URL, one-field edits, the suggestion verdict."""

import pytest

from ticket_app.classifier import Suggestion
from ticket_app.domain import Category, Priority, Status
from ticket_app.services import merge, tickets
from ticket_app.services.schemas import TicketFilters, validate_patch
from ticket_app.ui.state.detail import DetailState

from .conftest import at_url, new, run, spec_args, toast_text


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
def test_a_missing_or_malformed_id_shows_not_found(viewer, ticket_id):
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

    def spy(actor, *, ticket_id, patch, expected_version=None):
        sent.append((ticket_id, patch.model_fields_set, expected_version))
        return real(actor, ticket_id=ticket_id, patch=patch, expected_version=expected_version)

    monkeypatch.setattr(tickets, "update_ticket", spy)
    toast = run(handler, state, value)
    assert sent == [(ticket.id, {field}, ticket.version)]  # based on the version shown
    assert "success" in toast_text(toast)
    assert getattr(state.ticket, field) == value


@pytest.mark.parametrize("value", ["urgent", "", None, 1, "Open"])
def test_bad_values_are_refused_like_the_api(make_ticket, viewer, value):
    ticket = make_ticket()
    state = opened(ticket.id)
    assert "error" in toast_text(run(DetailState.set_status, state, value))
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).status == Status.OPEN


def test_editing_a_ticket_deleted_meanwhile_says_so(make_ticket, viewer):
    ticket = make_ticket()
    state = opened(ticket.id)
    tickets.delete_ticket(viewer.actor, ticket_id=ticket.id)
    assert "gone" in toast_text(run(DetailState.set_status, state, "closed"))
    assert not state.found


def test_a_change_of_another_field_meanwhile_is_kept(make_ticket, make_person, viewer):
    ticket = make_ticket()
    state = opened(ticket.id)
    bea = make_person("agent", "Bea")
    tickets.update_ticket(
        bea.actor, ticket_id=ticket.id, patch=validate_patch({"priority": "critical"})
    )
    toast = run(DetailState.set_status, state, "in_progress")
    assert "success" in toast_text(toast)
    final = tickets.get_ticket(viewer.actor, ticket_id=ticket.id)
    assert (final.status, final.priority) == (Status.IN_PROGRESS, Priority.CRITICAL)
    assert state.conflict_field == ""


def test_the_same_field_changed_meanwhile_asks_before_overwriting(make_ticket, make_person, viewer):
    ticket = make_ticket()
    state = opened(ticket.id)
    bea = make_person("agent", "Bea")
    tickets.update_ticket(
        bea.actor, ticket_id=ticket.id, patch=validate_patch({"status": "resolved"})
    )
    toast = run(DetailState.set_status, state, "in_progress")
    assert "warning" in toast_text(toast)
    assert (state.conflict_field, state.conflict_theirs) == ("status", "Resolved")
    assert state.ticket.status == "resolved"  # their value is shown
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).status == Status.RESOLVED
    run(DetailState.overwrite, state)
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).status == Status.IN_PROGRESS
    assert state.conflict_field == ""


def test_a_reply_and_a_note_appear_in_the_timeline_newest_first(make_ticket):
    ticket = make_ticket()
    state = opened(ticket.id)
    _, toast = run(
        DetailState.send_reply, state, {"reply": "We are on it.\nhttps://status.example.com"}
    )
    assert "Reply sent" in toast_text(toast)
    run(DetailState.set_internal, state, True)
    _, toast = run(DetailState.send_reply, state, {"reply": "Looks like the VPN."})
    assert "Internal note" in toast_text(toast)
    note, reply, created = state.items[:3]
    assert (note.internal, note.body_parts[0]["text"]) == (True, "Looks like the VPN.")
    assert reply.summary == "replied"
    assert reply.body_parts[1] == {
        "text": "https://status.example.com",
        "href": "https://status.example.com",
    }
    assert created.kind == "created"
    assert state.ticket.comment_count == 1
    assert state.ticket.note_count == 1


@pytest.mark.parametrize("body", ["", "   ", None, "x" * 20_001, "nul\x00", ["list"]])
def test_a_bad_reply_is_refused_and_nothing_is_written(make_ticket, viewer, body):
    ticket = make_ticket()
    state = opened(ticket.id)
    assert run(DetailState.send_reply, state, {"reply": body}) is None
    assert state.reply_error
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).comment_count == 0


def test_a_requester_cannot_write_a_note_nor_see_one(make_ticket, make_person, sign_in, viewer):
    rita = make_person("requester", "Rita")
    ticket = make_ticket("Rita's", by=rita)
    staff_view = opened(ticket.id)
    run(DetailState.set_internal, staff_view, True)
    run(DetailState.send_reply, staff_view, {"reply": "Internal: she is a VIP."})
    sign_in(rita)
    state = opened(ticket.id)
    assert all("VIP" not in str(item.body_parts) for item in state.items)
    assert state.ticket.note_count == 0
    run(DetailState.set_internal, state, True)  # a hostile client flips the switch
    run(DetailState.send_reply, state, {"reply": "Let me in"})
    comments = tickets.get_ticket(viewer.actor, ticket_id=ticket.id)
    assert (comments.comment_count, comments.note_count) == (1, 1)  # sent as a public reply


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


def test_take_it_assigns_the_ticket_to_the_agent_who_clicks(make_ticket, make_person, sign_in):
    alan = make_person("agent", "Alan")
    ticket = make_ticket("Printer on fire")
    sign_in(alan)
    state = opened(ticket.id)
    assert state.can_take
    assert "success" in toast_text(run(DetailState.take, state))
    assert tickets.get_ticket(alan.actor, ticket_id=ticket.id).assignee_id == alan.id
    assert state.ticket.assignee_name == "Alan"
    assert not state.can_take  # already his


def test_a_requester_cannot_take_a_ticket(make_ticket, make_person, sign_in, viewer):
    rita = make_person("requester", "Rita")
    ticket = make_ticket("Rita's", by=rita)
    sign_in(rita)
    state = opened(ticket.id)
    assert not state.can_take
    assert "error" in toast_text(run(DetailState.take, state))  # a hostile client calls it
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).assignee_id is None


def test_an_admin_deletes_a_ticket_after_saying_yes(make_ticket, viewer):
    ticket = make_ticket("Spam")
    state = opened(ticket.id)
    run(DetailState.ask_delete, state, True)
    assert state.confirming_delete
    done = run(DetailState.delete_ticket, state)
    assert spec_args(done[0])["path"] == "/tickets"
    assert "deleted" in toast_text(done[1])
    assert not state.confirming_delete
    assert tickets.list_tickets(viewer.actor, filters=TicketFilters(), limit=10).total == 0


def test_an_agent_cannot_delete_and_a_merge_target_is_kept(make_ticket, make_person, sign_in):
    kept, duplicate = make_ticket("Kept"), make_ticket("Duplicate")
    merge.merge(make_person("agent", "Ann").actor, source_id=duplicate.id, into_id=kept.id)
    state = opened(kept.id)
    assert "error" in toast_text(run(DetailState.delete_ticket, state))  # others point here
    alan = make_person("agent", "Alan")
    sign_in(alan)
    theirs = opened(duplicate.id)
    assert "error" in toast_text(run(DetailState.delete_ticket, theirs))
    assert tickets.get_ticket(alan.actor, ticket_id=duplicate.id).merged_into_id == kept.id
