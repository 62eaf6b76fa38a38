"""Every message of the corpus (tests/mail_corpus/manifest.json) through the pipeline, on a
desk with one mailed-in ticket: what it became (created / appended / ignored / quarantined),
on which ticket, the text kept and the text stripped, as staff see it through the API; and the
same message a second time changes nothing."""

from typing import Any

import pytest

from tests.support.database import count_rows
from tests.support.mail_corpus import manifest, seed

CASES = manifest()


def _bounced(engine: Any) -> set[str]:
    import sqlalchemy as sa

    with engine.connect() as connection:
        query = sa.text("SELECT email FROM users WHERE mail_bounced_at IS NOT NULL")
        return set(connection.execute(query).scalars())


def test_the_corpus_is_large_and_covers_every_outcome():
    assert len(CASES) >= 40
    assert {case["action"] for case in CASES} == {"created", "appended", "ignored", "quarantined"}


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_corpus_message(case, engine, api, make_person):
    from ticket_app.models import InboundSource
    from ticket_app.services import inbound

    agent = api(make_person("agent", "Alan Agent"))
    admin = api(make_person("admin", "Ada Admin"))
    desk = seed(engine)
    before = agent.get(f"/api/tickets/{desk.ticket_id}/").json()
    tickets = count_rows(engine, "tickets")
    mails = count_rows(engine, "mail_outbox")
    raw = desk.load(case["file"])

    outcome = inbound.ingest(raw=raw, source=InboundSource.PIPE)

    assert outcome.action == case["action"], outcome
    if "reason" in case:
        assert case["reason"] in outcome.reason
    on_ticket = case.get("on_ticket", True if case["action"] == "appended" else None)
    if on_ticket is True:
        assert outcome.ticket_id == desk.ticket_id
    elif on_ticket is False or case["action"] == "created":
        assert outcome.ticket_id not in (None, desk.ticket_id)
    else:
        assert outcome.ticket_id is None

    kept = ""
    if case["action"] == "created":
        ticket = agent.get(f"/api/tickets/{outcome.ticket_id}/").json()
        kept = ticket["description"]
        assert count_rows(engine, "tickets") == tickets + 1
        if "title" in case:
            assert ticket["title"] == case["title"]
        requester = admin.get(f"/api/users/{ticket['created_by']}/").json()
        assert requester["role"] == "requester"
        if "requester" in case:
            assert requester["email"] == case["requester"]
        if "requester_name" in case:
            assert requester["name"] == case["requester_name"]
        if "participants" in case:
            names = {person["id"] for person in ticket["participants"]}
            emails = {admin.get(f"/api/users/{user}/").json()["email"] for user in names}
            assert emails == set(case["participants"])
    elif case["action"] == "appended":
        comments = agent.get(f"/api/tickets/{desk.ticket_id}/comments/").json()
        kept = comments[-1]["body"]
        assert comments[-1]["public"] is True
    else:
        assert count_rows(engine, "tickets") == tickets
        assert count_rows(engine, "mail_outbox") == mails  # nothing sent for it
        after = agent.get(f"/api/tickets/{desk.ticket_id}/").json()
        assert (after["comment_count"], after["status"]) == (
            before["comment_count"],
            before["status"],
        )
    for text in case.get("text", []):
        assert text in kept
    for text in case.get("not_text", []):
        assert text not in kept
    if "bounced" in case:
        assert _bounced(engine) == set(case["bounced"])
    if outcome.ticket_id == desk.ticket_id:  # staff see the decision on the ticket
        lines = agent.get(f"/api/tickets/{desk.ticket_id}/mail/").json()
        assert lines[-1]["reason"] == outcome.reason

    again = inbound.ingest(raw=raw, source=InboundSource.PIPE)
    assert (again.action, again.ticket_id) == ("ignored", outcome.ticket_id)
    assert "duplicate" in again.reason
    assert count_rows(engine, "tickets") == tickets + (case["action"] == "created")
