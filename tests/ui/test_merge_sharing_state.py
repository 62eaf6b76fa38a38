"""The ticket page's merge dialog, across two requesters: the first click merges nothing and
says who would read what; only "Share and merge" merges, and then the ticket page shows the
other requester as a participant. Cancelling shares nothing."""

from ticket_app.services import tickets
from ticket_app.services.errors import NotFound
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.duplicates import DuplicatesState

from .conftest import at_url, new, run, spec_args


def opened(state_class, ticket_id: int):
    state = at_url(new(state_class), f"/tickets/{ticket_id}")
    run(state_class.load, state)
    return state


def two_requesters(make_person, make_ticket):
    rita, sam = make_person("requester", "Rita Requester"), make_person("requester", "Sam Sample")
    ritas = make_ticket("Printer smokes in room 4", "Room 4 printer smokes.", by=rita)
    sams = make_ticket("Room 4 printer on fire", "The room 4 printer burns.", by=sam)
    return rita, sam, ritas, sams


def readable(person, ticket_id: int) -> bool:
    try:
        tickets.get_ticket(person.actor, ticket_id=ticket_id)
    except NotFound:
        return False
    return True


def test_the_dialog_names_what_is_shared_and_merges_only_when_confirmed(
    viewer, make_person, make_ticket, sign_in
):
    rita, _, ritas, sams = two_requesters(make_person, make_ticket)
    state = opened(DuplicatesState, ritas.id)
    run(DuplicatesState.ask_merge, state, sams.id)
    assert run(DuplicatesState.confirm_merge, state, "other") is None
    assert state.merge_sharing == (
        f"Rita Requester (of #{ritas.id}) would read #{sams.id} (its description and public "
        f"replies, also those to come) and reply to it; Sam Sample (of #{sams.id}) would read "
        f"the public replies of #{ritas.id}. Internal notes stay with the staff."
    )
    assert state.merge_other == sams.id  # the dialog stays open on the question
    assert tickets.get_ticket(viewer.actor, ticket_id=ritas.id).merged_into_id is None
    assert not readable(rita, sams.id)

    redirect, _ = run(DuplicatesState.confirm_sharing, state)
    assert spec_args(redirect)["path"] == f"/tickets/{sams.id}"
    assert (state.merge_other, state.merge_sharing) == (0, "")
    assert tickets.get_ticket(viewer.actor, ticket_id=ritas.id).merged_into_id == sams.id
    assert readable(rita, sams.id)
    assert opened(DetailState, sams.id).ticket.participant_names == "Rita Requester"
    sign_in(rita)
    assert opened(DetailState, sams.id).ticket.participant_names == "Rita Requester"


def test_cancelling_the_sharing_question_shares_nothing(viewer, make_person, make_ticket):
    rita, sam, ritas, sams = two_requesters(make_person, make_ticket)
    state = opened(DuplicatesState, ritas.id)
    run(DuplicatesState.ask_merge, state, sams.id)
    run(DuplicatesState.confirm_merge, state, "this")  # Sam's into Rita's: asks too
    assert f"Sam Sample (of #{sams.id}) would read #{ritas.id}" in state.merge_sharing
    run(DuplicatesState.cancel_merge, state)
    assert run(DuplicatesState.confirm_sharing, state) is None  # nothing left to confirm
    assert tickets.get_ticket(viewer.actor, ticket_id=sams.id).merged_into_id is None
    assert not readable(rita, sams.id)
    assert not readable(sam, ritas.id)
