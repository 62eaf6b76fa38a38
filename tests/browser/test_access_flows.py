"""Signing in and what each role sees, in real browsers against the real app."""

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import ADMIN, PASSWORD, PEOPLE, Api, api_as, sign_in, ticket_rows

pytestmark = pytest.mark.browser

LIVE_WITHIN = 5_000


def fresh_browser(browser: Browser, app_url: str) -> Page:
    context = browser.new_context(base_url=app_url)
    return context.new_page()


def test_a_visit_without_a_session_goes_to_login_and_back_after_it(browser, app_url, api):
    page = fresh_browser(browser, app_url)
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/login\?next=/dashboard$"))
    sign_in(page, ADMIN["email"], "not the password")
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    sign_in(page, "nobody@example.com")
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    sign_in(page, ADMIN["email"])
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    expect(page.get_by_role("link", name=re.compile("^Signed in as Ada Admin"))).to_be_visible()
    page.context.close()


def test_the_setup_address_is_gone_once_an_admin_exists(browser, app_url, api, setup_address):
    page = fresh_browser(browser, app_url)
    response = page.goto(setup_address)
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text("There is no setup to do here")).to_be_visible()
    page.context.close()


def test_a_requester_sees_only_their_own_tickets(open_page, app_url, api: Api):
    word = "own-" + uuid.uuid4().hex[:8]
    rita = api_as(app_url, "requester")
    mine = rita.create(f"My laptop will not boot ({word})")
    api.create(f"Someone else's printer ({word})", category="technical", priority="low")
    page = open_page(f"/tickets?search={word}", who="requester")
    expect(page.get_by_role("heading", level=1)).to_have_text("My tickets")
    expect(ticket_rows(page)).to_have_count(1)
    expect(page.get_by_role("link", name=mine["title"])).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    other = api.create(f"Not yours ({word})", category="general", priority="low")
    page.goto(f"/tickets/{other['id']}")
    expect(page.get_by_text("Ticket not found")).to_be_visible()
    page.goto("/")
    expect(page.get_by_label("Category", exact=True)).to_have_count(0)  # the desk triages


def test_signing_out_in_one_tab_ends_the_session_in_the_other(open_page, browser):
    first = open_page("/tickets", who="agent")
    second = first.context.new_page()  # same browser, same cookie
    second.goto("/dashboard")
    expect(second.get_by_role("heading", level=1)).to_have_text("Dashboard")
    first.get_by_role("button", name="Sign out").click()
    expect(first).to_have_url(re.compile(r"/login/?\?notice=signed-out$"))
    expect(first.get_by_text("You are signed out.")).to_be_visible()
    expect(second).to_have_url(re.compile(r"/login"), timeout=LIVE_WITHIN)


def test_an_admin_adds_an_agent_who_can_then_sign_in(open_page, browser, app_url):
    email = f"new-{uuid.uuid4().hex[:6]}@example.com"
    page = open_page("/admin/users")
    page.get_by_label("Name").fill("Nora New")
    page.get_by_label("Email").fill(email)
    page.get_by_label("First password").fill(PASSWORD)
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Nora New can now sign in as agent.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Nora New"))).to_be_visible()

    nora = fresh_browser(browser, app_url)
    nora.goto("/tickets")
    sign_in(nora, email)
    expect(nora.get_by_role("heading", level=1)).to_have_text("Tickets")
    expect(nora.get_by_role("link", name="Users")).to_have_count(0)
    nora.goto("/admin/users")
    expect(nora.get_by_role("heading", level=1)).to_have_text("Users")
    expect(nora.get_by_text("may not manage users")).to_be_visible()  # the service said no
    nora.context.close()


def test_an_api_token_made_on_the_account_page_works_once_shown(open_page, app_url):
    page = open_page("/account", who="agent_b")
    page.get_by_label("Name").fill("laptop script")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("sdt_")
    status, _, me = Api(app_url, secret).call("GET", "/api/me/")
    assert (status, me["email"]) == (200, PEOPLE["agent_b"]["email"])
    page.get_by_role("button", name="Revoke the token laptop script").click()
    expect(page.get_by_text("Token “laptop script” revoked.")).to_be_visible()
    assert Api(app_url, secret).call("GET", "/api/me/")[0] == 401
