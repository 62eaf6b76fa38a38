"""Open pages check what they show by small marks, not by reading it again
(`ui/live/kept_reads.py`): a ticket page, a bell and the saved views stand through changes
that do not touch them, and are read again (and shown) when one does."""

import asyncio

from ticket_app.services import comments, notifications, revisions, tickets, views
from ticket_app.services.comments import CommentCreate
from ticket_app.services.schemas import validate_patch
from ticket_app.ui.live.kept_reads import get_kept_reads
from ticket_app.ui.live.shared_reads import at_revision, get_shared_reads
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.live import bell_tab
from ticket_app.ui.state.tickets import TicketsState

from .conftest import at_url, new, run


def test_a_ticket_page_rereads_only_when_its_own_ticket_changed(make_ticket, admin):
    shown = make_ticket("Printer on fire")
    other = make_ticket("Coffee machine")
    state = at_url(new(DetailState), f"/tickets/{shown.id}")
    run(DetailState.load, state)
    token, reads, kept = state.router.session.client_token, get_shared_reads(), get_kept_reads()
    read_before = kept.reads

    comments.add_comment(admin.actor, ticket_id=other.id, data=CommentCreate(body="Descaled."))
    assert asyncio.run(reads.unchanged(token, ("revision", 2)))
    assert kept.reads == read_before  # the mark stood: nothing of this ticket was read

    comments.add_comment(admin.actor, ticket_id=shown.id, data=CommentCreate(body="Unplugged."))
    assert not asyncio.run(reads.unchanged(token, ("revision", 3)))
    assert kept.reads == read_before + 1
    run(DetailState.retry, state)
    assert any("Unplugged." in str(item) for item in state.items)


def test_a_bell_is_read_again_only_when_a_notification_is_made_or_read(
    make_ticket, admin, agent, sign_in
):
    theirs = make_ticket("Printer on floor 3")
    sign_in(agent)
    state = at_url(new(TicketsState), "/tickets")
    run(TicketsState.load, state)
    token, reads = state.router.session.client_token, get_shared_reads()
    bell = bell_tab(token)

    make_ticket("Someone else's laptop")  # a change that tells the agent nothing
    assert asyncio.run(reads.unchanged(bell, revisions.current()))

    patch = validate_patch({"assignee_id": agent.actor.id})
    tickets.update_ticket(admin.actor, ticket_id=theirs.id, patch=patch)  # tells the agent
    revision = revisions.current()
    assert not asyncio.run(reads.unchanged(bell, revision))
    with at_revision(revision):  # the watch loop's whole reload at that revision
        asyncio.run(state._reload_with_bell())
    assert state.bell_count == "1"

    [unread] = notifications.unread(agent.actor)
    notifications.mark_read(agent.actor, notification_id=unread.id)
    assert not asyncio.run(reads.unchanged(bell, revisions.current()))


def test_saved_views_are_read_again_when_a_view_changes(make_ticket, admin):
    state = at_url(new(TicketsState), "/tickets")
    run(TicketsState.load, state)
    token, reads = state.router.session.client_token, get_shared_reads()
    make_ticket("Counted in the views")
    assert not asyncio.run(reads.unchanged(token, revisions.current()))  # the rows moved
    reads.forget(token)  # what the gate does for any event of the tab, before its handler
    run(TicketsState.retry, state)
    assert asyncio.run(reads.unchanged(token, revisions.current()))
    views.create_view(
        admin.actor, data=views.validate_view({"name": "Urgent", "query": "priority=critical"})
    )
    assert not asyncio.run(reads.unchanged(token, revisions.current()))
    reads.forget(token)
    run(TicketsState.retry, state)
    assert "Urgent" in [view.name for view in state.saved_views]
