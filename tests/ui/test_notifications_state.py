"""The bell in the header, the notification choices of the account page and the admins' mail
page, driven through their handlers as the browser's events would."""

import asyncio

import pytest
import sqlalchemy as sa

from ticket_app.api.mail_links import LINK_ANSWER
from ticket_app.services import comments, notifications, outbox, revisions, tickets
from ticket_app.services.schemas import validate_patch
from ticket_app.services.transaction import transaction
from ticket_app.ui.live import shared_reads
from ticket_app.ui.live.revision import RevisionWatcher
from ticket_app.ui.state import live as live_state
from ticket_app.ui.state.account import AccountState
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.mail_admin import MailAdminState
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.state.signin import SignInState
from ticket_app.ui.state.tickets import TicketsState

from .conftest import at_url, new, run, toast_text

FAIL = "UPDATE mail_outbox SET state = 'failed', next_try_at = NULL, last_error = :error"


def assign(admin, ticket_id: int, person) -> None:
    patch = validate_patch({"assignee_id": person.actor.id})
    tickets.update_ticket(admin.actor, ticket_id=ticket_id, patch=patch)


def opened(state_class, path: str):
    """A page as a tab opens it: the guard (which reads the bell), then the page's load."""
    state = at_url(new(state_class), path)
    assert run(SessionState.guard, state) is None
    return state


def test_every_page_shows_the_unread_notifications_in_the_bell(make_ticket, admin, agent, sign_in):
    ticket = make_ticket("Printer on floor 3")
    assign(admin, ticket.id, agent)
    sign_in(agent)
    state = opened(AccountState, "/account")
    assert state.bell_count == "1"
    (line,) = state.bell_lines
    assert line.text == f"Ada Admin assigned you #{ticket.id} Printer on floor 3"
    assert line.href == f"/tickets/{ticket.id}"
    sign_in(admin)  # who acted is not told
    assert opened(AccountState, "/account").bell_count == ""


def test_opening_a_ticket_marks_its_notifications_read(make_ticket, admin, agent, sign_in):
    first, second = make_ticket("First"), make_ticket("Second")
    for ticket in (first, second):
        assign(admin, ticket.id, agent)
    sign_in(agent)
    listed = opened(TicketsState, "/tickets")  # another tab, live: its bell read is shared
    run(TicketsState.load, listed)
    assert listed.bell_count == "2"
    before = revisions.current()
    state = opened(DetailState, f"/tickets/{first.id}")
    assert state.bell_count == "2"
    run(DetailState.load, state)
    assert state.bell_count == "1"
    assert [line.href for line in state.bell_lines] == [f"/tickets/{second.id}"]
    assert notifications.unread_count(agent.actor) == 1
    assert revisions.current().notices == before.notices + 1  # the other tab's bell wakes
    run(DetailState.load, state)  # nothing left to read there: no write, no wake-up
    assert revisions.current().notices == before.notices + 1


def test_a_live_page_rings_when_only_the_bell_changed(
    make_ticket, admin, agent, sign_in, monkeypatch
):
    """The agent reads ticket A, nobody touches it, and ticket B is assigned to them: the
    page's own view is unchanged (the watch loop would skip the tab), the bell is not."""
    watcher = RevisionWatcher(revisions.current, lambda: 0.02)  # the real revision
    monkeypatch.setattr(live_state, "get_watcher", lambda: watcher)
    shown, other = make_ticket("Shown"), make_ticket("Elsewhere")
    sign_in(agent)
    state = opened(DetailState, f"/tickets/{shown.id}")
    run(DetailState.load, state)
    assert state.bell_count == ""

    async def scenario() -> None:
        loop = asyncio.create_task(
            anext(aiter(DetailState.watch_changes.fn(state)), None)  # type: ignore[arg-type]
        )
        await asyncio.sleep(0.1)
        await asyncio.to_thread(assign, admin, other.id, agent)
        for _ in range(100):
            await asyncio.sleep(0.02)
            if state.bell_count:
                break
        loop.cancel()

    asyncio.run(scenario())
    assert state.bell_count == "1"
    assert [line.href for line in state.bell_lines] == [f"/tickets/{other.id}"]
    shared_reads.get_shared_reads().forget(state.router.session.client_token)


def test_the_account_page_offers_the_kinds_that_reach_the_role(agent, requester, sign_in):
    sign_in(requester)
    state = opened(AccountState, "/account")
    run(AccountState.load, state)
    assert [row["kind"] for row in state.preferences] == [
        "ticket_received",
        "public_reply",
        "ticket_resolved",
    ]
    toast = run(AccountState.set_channel, state, "public_reply", "in_app")
    assert "success" in toast_text(toast)
    assert notifications.preferences(requester.actor)["public_reply"] == "in_app"
    assert {row["kind"]: row["channel"] for row in state.preferences}["public_reply"] == "in_app"
    refused = run(AccountState.set_channel, state, "assigned", "mail")  # a staff kind
    assert "error" in toast_text(refused)
    assert "assigned" not in notifications.preferences(requester.actor)
    assert run(AccountState.set_channel, state, ["public_reply"], "none") is None
    sign_in(agent)
    state = opened(AccountState, "/account")
    run(AccountState.load, state)
    kinds = {row["kind"]: row["channel"] for row in state.preferences}
    assert kinds == {
        "assigned": "both",
        "requester_replied": "both",
        "mentioned": "both",
        "new_unassigned": "none",
        "sla_warning": "both",  # service levels: warnings before and at a breach
    }


@pytest.fixture
def mail(make_ticket, admin, requester, agent):
    """One mail in the outbox: an agent's reply to a requester's ticket."""
    ticket = make_ticket("Mail <b>me</b>", by=requester)
    reply = comments.CommentCreate(body="Try <i>this</i>", public=True)
    comments.add_comment(agent.actor, ticket_id=ticket.id, data=reply)
    (queued,) = outbox.outbox_page(admin.actor).items
    return ticket, queued


def test_admins_open_a_mail_as_text_and_never_as_html_of_the_desk(mail):
    ticket, queued = mail
    state = opened(MailAdminState, "/admin/mail")
    run(MailAdminState.load, state)
    assert [(row.id, row.state) for row in state.mails] == [(queued.id, "queued")]
    run(MailAdminState.open_mail, state, str(queued.id))
    headers = {header["name"]: header["value"] for header in state.shown.headers}
    assert headers["Subject"] == f"[#{ticket.id}] Mail <b>me</b>"
    assert "Try <i>this</i>" in state.shown.text
    assert "ONE-USE-TOKEN-MADE-WHEN-SENT" in state.shown.text  # never a usable link
    assert "Try &lt;i&gt;this&lt;/i&gt;" in state.shown.html  # escaped by the composer
    run(MailAdminState.close_mail, state)
    assert state.shown.id == 0
    for bad in ("abc", "-1", "1" * 40, None):
        assert run(MailAdminState.open_mail, state, bad) is None


def test_admins_retry_a_failed_mail_and_filter_by_state(mail, engine):
    _, queued = mail
    with engine.begin() as connection:
        connection.execute(sa.text(FAIL), {"error": "550 no such user"})
    state = opened(MailAdminState, "/admin/mail")
    run(MailAdminState.show_state, state, "failed")
    assert [(row.id, row.failed, row.last_error) for row in state.mails] == [
        (queued.id, True, "550 no such user")
    ]
    toast = run(MailAdminState.retry, state, str(queued.id))
    assert "success" in toast_text(toast)
    assert state.mails == []  # no longer failed
    run(MailAdminState.show_state, state, "queued")
    assert [row.id for row in state.mails] == [queued.id]
    assert run(MailAdminState.show_state, state, "burnt") is None
    assert state.state_filter == "queued"
    refused = run(MailAdminState.retry, state, str(queued.id))  # queued, not failed
    assert "error" in toast_text(refused)


def test_admins_let_mail_go_again_to_a_bounced_address(requester, admin):
    with transaction(write=True) as connection:
        assert outbox.mark_bounced(connection, address=requester.actor.email)
    state = opened(MailAdminState, "/admin/mail")
    run(MailAdminState.load, state)
    assert [(row.id, row.email) for row in state.bounced] == [
        (requester.actor.id, requester.actor.email)
    ]
    toast = run(MailAdminState.clear_bounce, state, str(requester.actor.id))
    assert "success" in toast_text(toast)
    assert state.bounced == []
    assert outbox.bounced(admin.actor) == []


def test_the_mail_page_shows_and_does_nothing_for_an_agent(mail, agent, sign_in, engine):
    _, queued = mail
    sign_in(agent)
    state = opened(MailAdminState, "/admin/mail")
    run(MailAdminState.load, state)
    assert state.mails == []
    assert state.error
    refused = run(MailAdminState.open_mail, state, str(queued.id))
    assert "error" in toast_text(refused)
    assert state.shown.id == 0
    with engine.begin() as connection:
        connection.execute(sa.text(FAIL), {"error": "550"})
    run(MailAdminState.retry, state, str(queued.id))
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT state FROM mail_outbox")).scalar() == "failed"


def test_the_login_page_says_a_link_is_on_its_way_or_was_used():
    state = at_url(new(SignInState), "/login?notice=link-sent")
    run(SignInState.load, state)
    assert state.notice == LINK_ANSWER
    state = at_url(new(SignInState), "/login?error=link")
    run(SignInState.load, state)
    assert state.message.startswith("That sign-in link was used already or has expired")
