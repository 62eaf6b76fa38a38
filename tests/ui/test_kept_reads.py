"""An open ticket page checks whether its ticket changed by a small mark, not by reading it
again (`ui/live/kept_reads.py`): another ticket's change leaves it standing without a read,
a change of its own ticket is read and shown."""

import asyncio

from ticket_app.services import comments
from ticket_app.services.comments import CommentCreate
from ticket_app.ui.live.kept_reads import get_kept_reads
from ticket_app.ui.live.shared_reads import get_shared_reads
from ticket_app.ui.state.detail import DetailState

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
