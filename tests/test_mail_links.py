"""Links in mail: a requester's one-use sign-in link (a GET shows a button, only its POST
signs in; never for staff), asking for one by address, and the one-click unsubscribe."""

import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from tests.support.api import make_ticket
from tests.support.mail_server import body
from ticket_app.config import get_settings
from ticket_app.mail import sender
from ticket_app.services import notifications, sessions, signin_links
from ticket_app.services.transaction import transaction

LINK = re.compile(r"https?://\S+(/auth/link\?token=\S+)")


def origin() -> dict[str, str]:
    return {"Origin": get_settings().app_url}


def reply_and_send(api, agent, ticket, text="Here is your answer"):
    response = api(agent).post(f"/api/tickets/{ticket['id']}/comments/", json={"body": text})
    assert response.status_code == 201, response.text
    sender.drain()


def test_a_sign_in_link_signs_its_requester_in_once(api, agent, requester, smtp):
    ticket = make_ticket(api(requester))
    reply_and_send(api, agent, ticket)
    mail = smtp.recorder.to(requester.actor.email)[0]
    path = LINK.search(body(mail, "plain")).group(1)
    assert path in body(mail, "html")
    browser = api()
    page = browser.get(path)
    assert page.status_code == 200
    assert page.text.count("<button") == 1
    assert "set-cookie" not in page.headers  # a link scanner's GET signs nobody in
    # The token never leaves for another site, but the button's post must carry its Origin:
    # under `no-referrer` Chromium sends `Origin: null` and the origin check refused it.
    assert page.headers["referrer-policy"] == "same-origin"
    token = path.split("token=")[1]
    signed_in = browser.post(
        "/auth/link", data={"token": token}, headers=origin(), follow_redirects=False
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"/tickets/{ticket['id']}"
    cookie = signed_in.cookies[sessions.COOKIE_NAME]
    assert sessions.resolve(cookie).id == requester.id
    again = api().post(
        "/auth/link", data={"token": token}, headers=origin(), follow_redirects=False
    )
    assert again.status_code == 303
    assert again.headers["location"] == "/login?error=link"
    assert sessions.COOKIE_NAME not in again.cookies


def test_a_link_never_signs_staff_in_nor_works_forged_or_from_elsewhere(
    api, engine, agent, requester
):
    with transaction(write=True) as connection:
        token = signin_links.issue(connection, user_id=requester.id, target="/")
        try:
            signin_links.issue(connection, user_id=agent.id, target="/")
        except ValueError:
            pass
        else:
            raise AssertionError("a link was made for staff")
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert api().get(f"/auth/link?token={forged}").status_code == 404
    foreign = api().post(
        "/auth/link",
        data={"token": token},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert foreign.headers["location"] == "/login?error=origin"
    with engine.begin() as connection:  # promoted after the link was mailed
        connection.execute(
            sa.text("UPDATE users SET role = 'agent' WHERE id = :id"), {"id": requester.id}
        )
    promoted = api().post(
        "/auth/link", data={"token": token}, headers=origin(), follow_redirects=False
    )
    assert promoted.headers["location"] == "/login?error=link"


def test_asking_for_a_link_answers_the_same_and_mails_requesters_only(api, agent, requester, smtp):
    answers = []
    for address in (requester.actor.email, "nobody@example.com", agent.actor.email):
        response = api().post("/auth/link/request", json={"email": address}, headers=origin())
        answers.append((response.status_code, response.json()))
    assert len(set(map(str, answers))) == 1
    assert answers[0][0] == 202
    sender.drain()
    (mail,) = smtp.recorder.messages()
    assert mail["To"] == requester.actor.email
    assert mail["List-Unsubscribe"] is None
    assert LINK.search(body(mail, "plain"))
    limit = get_settings().signin_link_requests_per_hour
    for _ in range(limit + 2):
        api().post("/auth/link/request", json={"email": requester.actor.email}, headers=origin())
    sender.drain()
    # This client already asked 3 times above: limit - 3 more are mailed, then nothing.
    assert len(smtp.recorder.messages()) == 1 + (limit - 3)


def test_one_click_unsubscribe_turns_that_kind_of_mail_off(api, agent, requester, smtp):
    ticket = make_ticket(api(requester))
    reply_and_send(api, agent, ticket)
    mail = smtp.recorder.to(requester.actor.email)[0]
    url = urlsplit(mail["List-Unsubscribe"].strip("<>"))
    address = f"{url.path}?{url.query}"
    looked = api().get(address)
    assert looked.status_code == 200
    assert notifications.preferences(requester.actor)["public_reply"] == "both"
    clicked = api().post(
        address,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert clicked.status_code == 200
    assert notifications.preferences(requester.actor)["public_reply"] == "in_app"
    reply_and_send(api, agent, ticket, "Second answer")
    assert len(smtp.recorder.to(requester.actor.email)) == 1
    assert notifications.unread_count(requester.actor) == 2
    forged = address.replace("public_reply", "ticket_resolved")
    assert api().post(forged, content=b"List-Unsubscribe=One-Click").status_code == 404


def test_the_login_pages_form_asks_for_a_link_with_the_same_answer_for_everyone(
    api, agent, requester, engine
):
    answers = []
    for address in (requester.actor.email, "nobody@example.com", agent.actor.email):
        response = api().post(
            "/auth/link/request",
            data={"email": address},
            headers=origin(),
            follow_redirects=False,
        )
        answers.append((response.status_code, response.headers["location"]))
    assert answers == [(303, "/login?notice=link-sent")] * 3
    with engine.connect() as connection:
        sent = connection.execute(sa.text("SELECT recipient, kind FROM mail_outbox")).all()
    assert [tuple(row) for row in sent] == [(requester.actor.email, "signin_link")]


def test_a_link_asked_for_from_another_site_is_not_mailed(api, requester, engine):
    response = api().post(
        "/auth/link/request",
        data={"email": requester.actor.email},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/login?error=origin")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM mail_outbox")).scalar() == 0


def test_a_link_asks_a_requester_who_turned_two_factor_on_for_a_code(api, requester):
    """The link replaces the password, never the second factor its owner chose."""
    from tests.test_two_factor import code_at, enrol
    from ticket_app.api.signin import CODE_COOKIE

    secret, _codes = enrol(requester.actor)
    with transaction(write=True) as connection:
        token = signin_links.issue(connection, user_id=requester.id, target="/")
    answer = api().post(
        "/auth/link", data={"token": token}, headers=origin(), follow_redirects=False
    )
    assert answer.headers["location"].startswith("/login/code")
    assert sessions.COOKIE_NAME not in answer.cookies
    assert CODE_COOKIE in answer.headers.get("set-cookie", "")
    assert code_at(secret, 1)  # the step's page takes the app's next code as usual
