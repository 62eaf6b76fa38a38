"""Two-factor and sessions in real browsers: an admin requires two-factor of staff (refused
until they have it themselves); an agent signing in with the password is taken to set it up
and can go nowhere else, sets it up from the secret the page shows, then signs in with the
password and a code, and with a recovery code after losing the phone; each sees their other
sessions and ends them. A colleague signs on through the company's OpenID provider (a real
provider process, see the conftest) and lands as an agent because of their group.

The rule is turned off again at the end (the other browser tests sign staff in with a
password alone), and the people here are made for this test, so no one else needs a code.
"""

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.oidc_provider import person

from .conftest import PASSWORD, Api, sign_in

pytestmark = pytest.mark.browser

GRACE = {"name": "Grace Admin", "email": "grace@example.com", "role": "admin"}
DANA = {"name": "Dana Agent", "email": "dana@example.com", "role": "agent"}


def next_code(secret: str) -> str:
    """The code of the next 30-second step: the current one was just used to confirm, and a
    code never works twice (the desk accepts one step ahead for clocks a little apart)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def tab(browser: Browser, app_url: str) -> Page:
    return browser.new_context(base_url=app_url, locale="en-US").new_page()


def enrol(page: Page) -> tuple[str, list[str]]:
    """Set up two-factor on the page the browser is on: (the secret, the recovery codes)."""
    page.get_by_role("button", name="Set up two-factor").click()
    expect(page.get_by_role("img", name="QR code of the authenticator set-up")).to_be_visible()
    secret = page.locator("#two-factor-secret").inner_text()
    page.get_by_label("2. The code the app shows now").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    return secret, codes.all_inner_texts()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/?\?notice=signed-out"))


def with_code(page: Page, email: str, code: str) -> None:
    """Password, then the code step."""
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/login/code"))
    going_to = parse_qs(urlsplit(page.url).query).get("next", ["/"])[0]
    expect(page.locator("input[name=next]")).to_have_value(going_to)  # the page is loaded
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def people(api: Api) -> Iterator[None]:
    for someone in (GRACE, DANA):
        api._call("POST", "/api/users/", {**someone, "password": PASSWORD})
    yield
    api._call("PUT", "/api/sign-in-rules/", {"staff_two_factor_required": False})


def test_required_two_factor_from_enrolment_to_a_recovery_code(browser, app_url, people):
    grace = tab(browser, app_url)
    grace.goto("/admin/users")
    sign_in(grace, GRACE["email"])
    rule = grace.get_by_role("switch", name="Require two-factor for staff")
    rule.click()
    expect(grace.get_by_role("alert")).to_have_text(
        "Set up two-factor for yourself before requiring it of staff."
    )
    expect(rule).not_to_be_checked()
    grace.goto("/account")
    grace.get_by_role("link", name="Set up two-factor").click()
    grace_secret, grace_codes = enrol(grace)
    grace.goto("/admin/users")
    grace.get_by_role("switch", name="Require two-factor for staff").click()
    expect(grace.get_by_role("switch", name="Require two-factor for staff")).to_be_checked()

    # The agent's password leads to the set-up, and nowhere else until it is done.
    dana = tab(browser, app_url)
    dana.goto("/tickets")
    sign_in(dana, DANA["email"])
    expect(dana).to_have_url(re.compile(r"/account/two-factor/?$"))
    expect(dana.get_by_text("Your desk requires two-factor sign-in for staff")).to_be_visible()
    dana.goto("/tickets")
    expect(dana).to_have_url(re.compile(r"/account/two-factor/?$"))
    secret, recovery = enrol(dana)
    dana.get_by_role("link", name="Go to the desk").click()
    expect(dana.get_by_role("link", name=re.compile("^Signed in as Dana Agent"))).to_be_visible()
    sign_out(dana)

    with_code(dana, DANA["email"], "000000")
    expect(dana.get_by_role("alert")).to_contain_text("That code is not right.")
    dana.get_by_label("Code", exact=True).fill(next_code(secret))
    dana.get_by_role("button", name="Continue").click()
    expect(dana.get_by_role("link", name=re.compile("^Signed in as Dana Agent"))).to_be_visible()
    sign_out(dana)

    # The phone is lost: a recovery code, once.
    with_code(dana, DANA["email"], recovery[0])
    expect(dana.get_by_role("link", name=re.compile("^Signed in as Dana Agent"))).to_be_visible()
    other = tab(browser, app_url)
    other.goto("/tickets")
    with_code(other, DANA["email"], recovery[0])
    expect(other.get_by_role("alert")).to_contain_text("That code is not right.")
    other.get_by_label("Code", exact=True).fill(recovery[1])
    other.get_by_role("button", name="Continue").click()
    expect(other).to_have_url(re.compile(r"/tickets/?$"))

    # Each sees their sessions and ends the others.
    dana.goto("/account")
    sessions = dana.get_by_role("region", name="Your sessions").get_by_role("row")
    expect(sessions).to_have_count(3)  # a header and two sessions
    expect(dana.get_by_text("This browser")).to_have_count(1)
    expect(dana.get_by_role("cell", name="Password and two-factor code")).to_have_count(2)
    dana.get_by_role("button", name="Sign out all other sessions").click()
    expect(sessions).to_have_count(2)
    other.reload()
    expect(other).to_have_url(re.compile(r"/login"))

    grace_other = tab(browser, app_url)
    with_code_at(grace_other, "/account", GRACE["email"], grace_codes[0])
    grace.goto("/account")
    grace_sessions = grace.get_by_role("region", name="Your sessions").get_by_role("row")
    expect(grace_sessions).to_have_count(3)
    grace_sessions.filter(has_not_text="This browser").get_by_role(
        "button", name=re.compile("^Sign out your session")
    ).click()
    expect(grace_sessions).to_have_count(2)
    grace_other.reload()
    expect(grace_other).to_have_url(re.compile(r"/login"))
    assert grace_secret
    for page in (grace, dana, other, grace_other):
        page.context.close()


def with_code_at(page: Page, path: str, email: str, code: str) -> None:
    page.goto(path)
    with_code(page, email, code)
    expect(page).to_have_url(re.compile(path + "/?$"))


def test_a_colleague_signs_on_through_the_company_provider_as_an_agent(
    browser, app_url, api, sso_issuer
):
    person(sso_issuer, "cleo", email="cleo@example.com", name="Cleo Colleague", groups=["support"])
    page = tab(browser, app_url)
    page.goto("/tickets")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_role("link", name="Sign in with Company ID").click()
    expect(page).to_have_url(re.compile("^" + re.escape(sso_issuer)))
    page.get_by_placeholder("sub").fill("cleo")  # the provider's own sign-in page
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(re.compile(r"/tickets/?$"))
    expect(
        page.get_by_role("link", name="Signed in as Cleo Colleague Agent, account")
    ).to_be_visible()
    page.goto("/account")
    expect(page.get_by_role("cell", name="Single sign-on")).to_be_visible()

    # A provider's answer that does not belong to a flow started here signs nobody in.
    page.goto("/auth/oidc/callback?state=forged&code=anything")
    expect(page).to_have_url(re.compile(r"/login/?\?error=sso&reason=state"))
    expect(page.get_by_role("alert")).to_have_text(
        "The single sign-on did not start here or took too long. Try again."
    )
    page.context.close()
