"""The ticket page's reply assistance: the `/name` shortcut and the picker insert a canned
reply into the reply box (editable, after what was typed), "Suggest a reply" fills it with a
cited draft, a long conversation opens with its summary, and requesters get none of it."""

from ticket_app.services import canned_replies, comments
from ticket_app.services.canned_replies import CannedReplyCreate
from ticket_app.services.comments import CommentCreate
from ticket_app.ui.state.assist import with_inserted
from ticket_app.ui.state.detail import DetailState

from .conftest import at_url, new, run, spec_args


def opened(ticket_id: int) -> DetailState:
    state = at_url(new(DetailState), f"/tickets/{ticket_id}")
    run(DetailState.load, state)
    return state


def box_text(spec) -> str:
    """What a set_value event puts in the reply box."""
    args = spec_args(spec)
    assert args["ref"].endswith("reply")
    return args["value"]


def test_typing_a_shortcut_inserts_the_canned_reply_in_place(make_ticket, viewer):
    canned_replies.create_canned(
        viewer.actor,
        data=CannedReplyCreate(name="thanks", body="Thank you, {{requester.first_name}}!"),
    )
    ticket = make_ticket()
    state = opened(ticket.id)
    run(DetailState.typed, state, "We fixed it. /than")
    assert state.canned_open
    assert [item["name"] for item in state.canned_items] == ["thanks"]
    [event] = run(DetailState.insert_canned, state, state.canned_items[0]["id"])
    assert box_text(event) == "We fixed it. Thank you, Ada!"
    assert not state.canned_open


def test_the_picker_searches_by_text_and_appends(make_ticket, viewer):
    canned_replies.create_canned(
        viewer.actor, data=CannedReplyCreate(name="Reset", body="Use the reset link.")
    )
    state = opened(make_ticket().id)
    run(DetailState.search_canned, state, "RESET LINK")
    assert [item["name"] for item in state.canned_items] == ["Reset"]
    assert with_inserted("Hello,", "Use the reset link.") == "Hello,\n\nUse the reset link."


def test_suggest_fills_the_box_and_names_its_sources(make_ticket, viewer):
    solved = make_ticket("VPN drops", "The VPN drops every ten minutes")
    comments.add_comment(
        viewer.actor,
        ticket_id=solved.id,
        data=CommentCreate(body="Update the VPN client to 5.3, that fixes the drops."),
    )
    from ticket_app.services import tickets
    from ticket_app.services.schemas import TicketPatch

    tickets.update_ticket(
        viewer.actor, ticket_id=solved.id, patch=TicketPatch.model_validate({"status": "resolved"})
    )
    state = opened(make_ticket("VPN keeps dropping", "My VPN drops all the time").id)
    event = run(DetailState.suggest, state)
    assert "5.3" in box_text(event)
    assert state.draft_sources == [f"#{solved.id}"]
    run(DetailState.rate_draft, state, True)
    assert state.draft_verdict == "helpful"


def test_a_long_conversation_opens_with_its_summary(make_ticket, viewer):
    ticket = make_ticket("Printer", "The printer jams on every page.")
    for number in range(6):
        comments.add_comment(
            viewer.actor, ticket_id=ticket.id, data=CommentCreate(body=f"Update {number}.")
        )
    state = opened(ticket.id)
    run(DetailState.load_summary, state)
    assert state.summary.startswith("Request: Printer; The printer jams on every page.")


def test_requesters_get_no_assistance(make_ticket, make_person, sign_in):
    rita = make_person("requester", "Rita")
    ticket = make_ticket("Mine", "my own ticket", by=rita)
    for number in range(6):
        comments.add_comment(rita.actor, ticket_id=ticket.id, data=CommentCreate(body=f"{number}"))
    sign_in(rita)
    state = opened(ticket.id)
    assert not state.can_assist
    run(DetailState.load_summary, state)
    assert state.summary == ""
    run(DetailState.search_canned, state, "")
    assert state.canned_items == []
    run(DetailState.typed, state, "Thanks /th")
    assert not state.canned_open
    run(DetailState.suggest, state)
    assert state.draft_id == 0
