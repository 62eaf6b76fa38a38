"""The ticket page's similar list and merge dialog: what staff see, what the browser may send,
and a merge that goes through or is refused with nothing changed."""

import pytest

from ticket_app.services import comments, tickets
from ticket_app.ui.state.duplicates import DuplicatesState

from .conftest import at_url, new, run, spec_args, toast_text


def opened(ticket_id: object) -> DuplicatesState:
    state = at_url(new(DuplicatesState), f"/tickets/{ticket_id}")
    run(DuplicatesState.load, state)
    return state


@pytest.fixture
def printers(make_ticket):
    """Two reports of the same printer and one about something else."""
    first = make_ticket("Printer on fire in room 4", "The printer in room 4 smokes and smells.")
    second = make_ticket("Room 4 printer smoking", "Smoke comes out of the room 4 printer.")
    make_ticket("VPN drops hourly", "The VPN disconnects every hour.")
    return first, second


def test_staff_see_the_tickets_like_this_one(printers):
    first, second = printers
    state = opened(second.id)
    assert [row.id for row in state.similar] == [first.id]
    assert "printer" in state.similar[0].reason


def test_a_requester_gets_no_similar_list(make_person, sign_in, make_ticket):
    rita = make_person("requester", "Rita")
    own = make_ticket("Printer smoking", "The printer smokes.", by=rita)
    make_ticket("Printer smoking again", "The printer smokes again.", by=rita)
    sign_in(rita)
    assert opened(own.id).similar == []


@pytest.mark.parametrize("into", [None, "", "abc", -1, 0, 1.5, True, ["1"], {"id": 1}])
def test_a_target_that_is_not_a_ticket_number_opens_no_dialog(printers, into):
    state = opened(printers[1].id)
    run(DuplicatesState.ask_merge, state, into)
    assert state.merge_other == 0
    assert state.merge_error == "Enter the number of the other ticket."


def test_merge_asks_then_moves_the_conversation_and_shows_the_target(viewer, printers):
    first, second = printers
    comments.add_comment(
        viewer.actor,
        ticket_id=second.id,
        data=comments.validate_comment({"body": "Still smoking."}),
    )
    state = opened(second.id)
    run(DuplicatesState.ask_merge, state, first.id)
    assert (state.merge_other, state.merge_other_title) == (first.id, first.title)
    assert (
        tickets.get_ticket(viewer.actor, ticket_id=second.id).merged_into_id is None
    )  # only asked
    redirect, toast = run(DuplicatesState.confirm_merge, state, "other")
    assert spec_args(redirect)["path"] == f"/tickets/{first.id}"
    assert f"#{second.id} was merged into #{first.id}" in toast_text(toast)
    assert tickets.get_ticket(viewer.actor, ticket_id=second.id).merged_into_id == first.id
    moved = comments.list_comments(viewer.actor, ticket_id=first.id, limit=50)
    assert [(c.body, c.origin_ticket_id) for c in moved.items] == [("Still smoking.", second.id)]
    assert (state.merge_other, state.merging) == (0, False)


def test_a_typed_number_is_taken_and_a_refusal_changes_nothing(viewer, printers):
    second = printers[1]
    state = opened(second.id)
    run(DuplicatesState.ask_merge_typed, state, {"other": f" #{second.id} "})
    assert state.merge_other == second.id
    assert run(DuplicatesState.confirm_merge, state, "other") is None
    assert state.merge_error == f"Ticket #{second.id} cannot be merged into itself."
    assert state.merge_other == 0
    assert tickets.get_ticket(viewer.actor, ticket_id=second.id).merged_into_id is None


def test_without_a_session_nothing_is_merged(viewer, printers):
    first, second = printers
    state = opened(second.id)
    run(DuplicatesState.ask_merge, state, first.id)
    state = at_url(state, f"/tickets/{second.id}", secret="")
    redirect = run(DuplicatesState.confirm_merge, state, "other")
    assert spec_args(redirect)["path"].startswith("/login")
    assert tickets.get_ticket(viewer.actor, ticket_id=second.id).merged_into_id is None


def test_the_other_ticket_can_be_merged_into_this_one(viewer, printers):
    first, second = printers
    state = opened(first.id)
    run(DuplicatesState.ask_merge, state, second.id)
    for keep in ("", "into", None, 1, ["this"]):
        assert run(DuplicatesState.confirm_merge, state, keep) is None
    assert tickets.get_ticket(viewer.actor, ticket_id=second.id).merged_into_id is None
    redirect, _ = run(DuplicatesState.confirm_merge, state, "this")
    assert spec_args(redirect)["path"] == f"/tickets/{first.id}"
    assert tickets.get_ticket(viewer.actor, ticket_id=second.id).merged_into_id == first.id
    assert tickets.get_ticket(viewer.actor, ticket_id=first.id).merged_into_id is None
