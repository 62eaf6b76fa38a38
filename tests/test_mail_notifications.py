"""Who is told what, as a real SMTP server receives it: headers, both parts, threading,
unsubscribe headers; no mail for notes, to a bounced address, or for one's own action."""

import re

import pytest
import sqlalchemy as sa

from tests.support.api import make_ticket
from tests.support.mail_server import body
from ticket_app.mail import compose, sender
from ticket_app.services import notifications, outbox
from ticket_app.services.errors import InvalidInput
from ticket_app.services.transaction import transaction

LINK = re.compile(r"https?://\S+/auth/link\?token=\S+")


def comment(client, ticket, text, public=True):
    response = client.post(
        f"/api/tickets/{ticket['id']}/comments/", json={"body": text, "public": public}
    )
    assert response.status_code == 201, response.text
    return response.json()


def patch(client, ticket, **change):
    response = client.patch(f"/api/tickets/{ticket['id']}/", json=change)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_agents_reply_reaches_the_requester_threaded_with_both_parts(
    api, agent, requester, smtp
):
    ticket = make_ticket(api(requester), title="Printer\non floor 3")
    comment(api(agent), ticket, "Try <b>turning</b> it off & on.")
    sender.drain()
    (first,) = smtp.recorder.to(requester.actor.email)  # no receipt: they filed it themselves
    number = ticket["id"]
    assert first["Subject"] == f"[#{number}] Printer on floor 3"
    assert first["From"] == "Support Desk <support@desk.example>"
    assert first["Reply-To"] == "support@desk.example"
    assert first["Auto-Submitted"] == "auto-generated"
    assert compose.ticket_of_message_id(first["Message-ID"]) == number
    root = compose.thread_root(number)
    assert first["In-Reply-To"] == root
    assert first["References"] == root
    assert re.fullmatch(r"<https?://\S+/auth/unsubscribe\?token=\S+>", first["List-Unsubscribe"])
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, page = body(first, "plain"), body(first, "html")
    assert "Try <b>turning</b> it off & on." in text
    assert "reply to this mail" in text.lower()
    assert "Try &lt;b&gt;turning&lt;/b&gt; it off &amp; on." in page
    assert "<b>turning" not in page
    assert LINK.search(text)
    assert "marker" not in text
    assert "marker" not in page

    comment(api(agent), ticket, "Did that help?")
    sender.drain()
    second = smtp.recorder.to(requester.actor.email)[1]
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"].split() == [root, first["Message-ID"]]
    text = body(second, "plain")
    assert text.index("Did that help?") < text.index("> Try <b>turning</b>")  # newest first


def test_notes_never_mail_the_requester_and_mentions_reach_staff(
    api, admin, agent, requester, smtp
):
    ticket = make_ticket(api(requester))
    comment(api(admin), ticket, "@alan.agent can you look? Not @nobody, not bob@alan.agent", False)
    comment(api(agent), ticket, "Noted, @alan.agent here.", public=False)  # himself: nothing
    sender.drain()
    assert smtp.recorder.to(requester.actor.email) == []
    (mention,) = smtp.recorder.to(agent.actor.email)
    assert "mentioned you in an internal note" in body(mention, "plain")
    assert f"/tickets/{ticket['id']}" in body(mention, "plain")
    assert not LINK.search(body(mention, "plain"))  # staff get the plain link, never a sign-in
    assert [item.kind for item in notifications.unread(requester.actor)] == []


def test_nobody_is_told_of_their_own_action(api, admin, agent, requester, smtp):
    ticket = make_ticket(api(requester))
    patch(api(agent), ticket, assignee_id=agent.id)
    comment(api(requester), ticket, "Any news?")
    sender.drain()
    (replied,) = smtp.recorder.messages()
    assert replied["To"] == agent.actor.email
    assert "Any news?" in body(replied, "plain")
    patch(api(agent), ticket, status="resolved")
    sender.drain()
    resolved = smtp.recorder.to(requester.actor.email)[-1]
    assert "reply to this mail to reopen" in body(resolved, "plain").lower()
    patch(api(admin), ticket, assignee_id=None)
    patch(api(admin), ticket, assignee_id=agent.id)
    sender.drain()
    assert "assigned" in body(smtp.recorder.to(agent.actor.email)[-1], "plain")
    assert smtp.recorder.to(admin.actor.email) == []


def test_a_bounced_address_gets_no_mail_until_an_admin_clears_it(
    api, admin, agent, requester, smtp
):
    ticket = make_ticket(api(requester))
    with transaction(write=True) as connection:
        assert outbox.mark_bounced(connection, address=requester.actor.email.upper())
    comment(api(agent), ticket, "First answer")
    sender.drain()
    assert smtp.recorder.to(requester.actor.email) == []
    assert [item.kind for item in notifications.unread(requester.actor)] == ["public_reply"]
    outbox.clear_bounce(admin.actor, user_id=requester.id)
    comment(api(agent), ticket, "Second answer")
    sender.drain()
    assert "Second answer" in body(smtp.recorder.to(requester.actor.email)[0], "plain")


def test_participants_are_told_like_the_requester(api, agent, requester, make_person, engine, smtp):
    other = make_person("requester", "Olga Other")
    ticket = make_ticket(api(requester))
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO ticket_participants (ticket_id, user_id) VALUES (:t, :u)"),
            {"t": ticket["id"], "u": other.id},
        )
    patch(api(agent), ticket, status="resolved")
    sender.drain()
    assert {mail["To"] for mail in smtp.recorder.messages()} == {
        requester.actor.email,
        other.actor.email,
    }


def test_preferences_choose_the_channel_per_kind(api, admin, agent, requester, smtp):
    assert notifications.preferences(agent.actor)["new_unassigned"] == "none"
    notifications.set_preference(requester.actor, kind="public_reply", channel="in_app")
    notifications.set_preference(agent.actor, kind="new_unassigned", channel="mail")
    ticket = make_ticket(api(requester))
    comment(api(admin), ticket, "In the app only")
    sender.drain()
    (new,) = smtp.recorder.messages()
    assert new["To"] == agent.actor.email
    assert f"New ticket #{ticket['id']}" in body(new, "plain")
    unread = notifications.unread(requester.actor)
    assert [(item.kind, item.ticket_id) for item in unread] == [("public_reply", ticket["id"])]
    assert notifications.unread_count(requester.actor) == 1
    notifications.mark_ticket_read(requester.actor, ticket_id=ticket["id"])
    assert notifications.unread_count(requester.actor) == 0
    with pytest.raises(InvalidInput) as refused:
        notifications.set_preference(requester.actor, kind="assigned", channel="both")
    assert refused.value.errors[0].field == "kind"
    with pytest.raises(InvalidInput) as refused:
        notifications.set_preference(requester.actor, kind="public_reply", channel="loud")
    assert refused.value.errors[0].field == "channel"


def test_each_active_agent_who_chose_new_tickets_hears_of_one_from_the_next_create(
    api, admin, agent, make_person, requester, smtp
):
    """On PostgreSQL the create asks who wants new unassigned tickets inside its own INSERT:
    every opted-in agent is told, a deactivated one is not, and a choice changed between two
    creates counts from the next one (nothing is kept from one create to the next)."""
    second = make_person("agent", name="Second")
    gone = make_person("agent", name="Gone")
    for person in (agent, second, gone):
        notifications.set_preference(person.actor, kind="new_unassigned", channel="mail")
    api(admin).patch(f"/api/users/{gone.id}/", json={"active": False})
    first = make_ticket(api(requester))
    sender.drain()
    told = sorted(mail["To"] for mail in smtp.recorder.messages())
    assert told == sorted([agent.actor.email, second.actor.email])
    notifications.set_preference(second.actor, kind="new_unassigned", channel="none")
    later = make_ticket(api(requester))
    sender.drain()
    to_agent = [mail["Subject"] for mail in smtp.recorder.to(agent.actor.email)]
    to_second = [mail["Subject"] for mail in smtp.recorder.to(second.actor.email)]
    assert [f"#{later['id']}]" in subject for subject in to_agent] == [False, True]
    assert [f"#{first['id']}]" in subject for subject in to_second] == [True]


def test_a_forged_or_altered_message_id_names_no_ticket(database_url):
    real = compose.message_id(42)
    assert compose.ticket_of_message_id(real) == 42
    assert compose.ticket_of_message_id(real.replace("<t42.", "<t43.")) is None
    assert compose.ticket_of_message_id("<t42.abc.def@desk.example>") is None
    assert compose.ticket_of_message_id("<CAF=abc@mail.gmail.com>") is None
