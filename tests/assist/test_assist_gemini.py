"""Drafts and summaries through the real google-genai SDK against the local fake: what the
model is sent (only redacted sources, no internal notes, the ticket as data) and what happens
when its answer is unusable."""

import json

from tests.classifier.fake_gemini import FakeGemini, Reply, error_reply, gemini_body
from tests.support.api import make_ticket, refused
from tests.test_api_drafts import SECRETS
from ticket_app.assist.writer import DRAFT_INSTRUCTION, SUMMARY_INSTRUCTION

OWN_NOTE = "Internal: this requester is on the watch list"


def sent(fake: FakeGemini, instruction: str) -> list[dict]:
    """What each request with this system instruction sent as its content (the classifier's
    own requests, for the tickets made, are left out)."""
    found = []
    for request in fake.requests:
        parts = request.body["systemInstruction"]["parts"]
        if " ".join(part["text"] for part in parts) == instruction:
            found.append(json.loads(request.body["contents"][0]["parts"][0]["text"]))
    return found


def new_ticket(api, agent, requester):
    ticket = make_ticket(api(requester), "Refund for my order", "Order ORD-1234 never arrived")
    note = {"body": OWN_NOTE, "public": False}
    assert api(agent).post(f"/api/tickets/{ticket['id']}/comments/", json=note).status_code == 201
    return ticket


def test_the_prompt_carries_only_redacted_sources_and_no_notes(
    api,
    agent,
    requester,
    solved,
    fake_gemini,
):
    ticket = new_ticket(api, agent, requester)
    answer = {"body": "Hello Rita, your refund for ORD-1234 is on its way.", "sources": [1]}
    fake_gemini.queue(Reply(body=gemini_body(json.dumps(answer))))
    response = api(agent).post(f"/api/tickets/{ticket['id']}/draft/")
    assert response.status_code == 200, response.text
    draft = response.json()
    assert (draft["source"], draft["used_fallback"]) == ("gemini", False)
    assert draft["body"] == answer["body"]
    assert draft["sources"] == [{"kind": "ticket", "id": solved["id"]}]
    [payload] = sent(fake_gemini, DRAFT_INSTRUCTION)
    assert "ORD-1234" not in DRAFT_INSTRUCTION  # the ticket is data, never instructions
    prompt = json.dumps(payload)
    for secret in SECRETS:
        assert secret not in prompt, secret
    assert "5 business days" in prompt  # the source itself is there, redacted
    assert OWN_NOTE not in prompt
    assert "Internal" not in prompt
    assert payload["conversation"][0] == {
        "from": "customer",
        "text": "Refund for my order\nOrder ORD-1234 never arrived",
    }


def test_an_answer_holding_a_sources_data_falls_back_to_the_local_draft(
    api,
    agent,
    requester,
    solved,
    fake_gemini,
):
    ticket = new_ticket(api, agent, requester)
    answer = {"body": "Like order ORD-88412, yours is refunded.", "sources": [1]}
    fake_gemini.queue(Reply(body=gemini_body(json.dumps(answer))))
    draft = api(agent).post(f"/api/tickets/{ticket['id']}/draft/").json()
    assert (draft["source"], draft["used_fallback"]) == ("local", True)
    assert "88412" not in draft["body"]
    assert draft["sources"] == [{"kind": "ticket", "id": solved["id"]}]


def test_a_failing_gemini_still_gives_a_cited_local_draft(
    api,
    agent,
    requester,
    solved,
    fake_gemini,
):
    ticket = new_ticket(api, agent, requester)
    fake_gemini.queue(error_reply(500), error_reply(500))
    draft = api(agent).post(f"/api/tickets/{ticket['id']}/draft/").json()
    assert (draft["source"], draft["used_fallback"]) == ("local", True)
    assert draft["sources"] == [{"kind": "ticket", "id": solved["id"]}]
    assert "5 business days" in draft["body"]


def long_conversation(api, agent, requester):
    rita, alan = api(requester), api(agent)
    ticket = make_ticket(rita, "VPN drops", "The VPN drops every ten minutes since Monday.")
    lines = [
        (alan, "Please restart the client and tell me if it still drops."),
        (rita, "I tried restarting, it still drops. This is frustrating!"),
        (alan, "I reset your profile on our side."),
        (rita, "Still the same. Is there an outage?"),
        (alan, "No outage. Which version of the client do you run?"),
        (rita, "Version 5.2. Can you send the new installer?"),
    ]
    for client, body in lines:
        assert (
            client.post(f"/api/tickets/{ticket['id']}/comments/", json={"body": body}).status_code
            == 201
        )
    note = {"body": "Internal: suspect her laptop is jailbroken", "public": False}
    alan.post(f"/api/tickets/{ticket['id']}/comments/", json=note)
    return ticket


def test_a_summary_is_stored_per_version_and_never_sees_notes(api, agent, requester, fake_gemini):
    ticket = long_conversation(api, agent, requester)
    alan = api(agent)
    fake_gemini.queue(Reply(body=gemini_body(json.dumps({"summary": "Request: VPN drops"}))))
    first = alan.get(f"/api/tickets/{ticket['id']}/summary/").json()
    assert first["summary"] == "Request: VPN drops"
    assert first["source"] == "gemini"
    [payload] = sent(fake_gemini, SUMMARY_INSTRUCTION)
    assert "jailbroken" not in json.dumps(payload)
    assert len(payload["messages"]) == 7
    assert alan.get(f"/api/tickets/{ticket['id']}/summary/").json() == first
    assert len(sent(fake_gemini, SUMMARY_INSTRUCTION)) == 1  # the stored one: not asked again
    api(requester).post(f"/api/tickets/{ticket['id']}/comments/", json={"body": "Any news?"})
    fake_gemini.queue(Reply(body=gemini_body(json.dumps({"summary": "Request: VPN; waiting"}))))
    again = alan.get(f"/api/tickets/{ticket['id']}/summary/").json()
    assert again["summary"] == "Request: VPN; waiting"
    assert again["version"] > first["version"]


def test_the_offline_summary_is_extractive_and_staff_only(api, agent, requester):
    ticket = long_conversation(api, agent, requester)
    summary = api(agent).get(f"/api/tickets/{ticket['id']}/summary/").json()
    assert summary["source"] == "local"
    text = summary["summary"]
    assert text.startswith("Request: VPN drops; The VPN drops every ten minutes since Monday.")
    assert "Open: Can you send the new installer?" in text
    assert "Mood: frustrated" in text
    assert "jailbroken" not in text
    refused(api(requester).get(f"/api/tickets/{ticket['id']}/summary/"), 403)
