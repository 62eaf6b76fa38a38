"""The attacks of the security review (issue 21) on signing in, setting up and changing a
password, each reproduced: locking someone else out, racing the sign-in limit, posting a huge
body to the forms, holding the write lock with password checks, signing someone out from
another site (in test_signin_forms.py) and racing the first-admin setup.

Passwords use Argon2id at its least cost (`cheap_passwords`) unless a test makes
verifying slow on purpose, to open the window a race needs.
"""

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import reset_caches
from tests.support.api import make_ticket
from tests.support.database import count_rows
from tests.support.passwords import PASSWORD, cheap_passwords
from tests.test_signin_forms import (
    _fail,
    assert_throttled,
    browser,  # noqa: F401 (a fixture)
    origin,
    redirect,
    session_cookie,
    sign_in,
)
from ticket_app.config import get_settings
from ticket_app.services import passwords, setup, users
from ticket_app.services.errors import InvalidInput, NotFound, Throttled

SLOWDOWN = 0.6  # seconds: SIGN_IN_SLOWDOWN_SECONDS here
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def password_hash(monkeypatch) -> str:
    return cheap_passwords(monkeypatch)


@pytest.fixture(autouse=True)
def short_slowdown(monkeypatch: pytest.MonkeyPatch, engine) -> Iterator[None]:
    monkeypatch.setenv("SIGN_IN_SLOWDOWN_SECONDS", str(SLOWDOWN))
    reset_caches()
    yield
    monkeypatch.undo()
    reset_caches()


def slow_verification(monkeypatch: pytest.MonkeyPatch, seconds: float) -> list[str]:
    """Every password check takes `seconds` (as real Argon2 takes ~0.4 s); returns the list
    each check appends to, so a test can count how many passwords were really checked."""
    checked: list[str] = []
    real = passwords._hasher()

    class Slow:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, password: str, password_hash: str) -> bool:
            checked.append(password)
            time.sleep(seconds)
            return real.verify(password, password_hash)

    monkeypatch.setattr(passwords, "_hasher", lambda: Slow())
    return checked


def all_at_once(count: int, attempt: Callable[[int], Any]) -> list[Any]:
    """`attempt(n)` for n in range(count), in `count` threads released together; each
    result, or the exception it raised."""
    barrier = threading.Barrier(count)

    def run(n: int) -> Any:
        barrier.wait()
        try:
            return attempt(n)
        except Exception as error:  # the outcome is what the test looks at
            return error

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


# 1. Anyone could lock any account.


def test_a_strangers_failures_never_refuse_the_owner_from_another_address(browser, admin):  # noqa: F811
    email = admin.actor.email
    for attacker in ("10.9.0.1", "10.9.0.2", "10.9.0.3"):
        _fail(browser, [email] * 5, [attacker] * 5)
        assert_throttled(browser, attacker, email)  # the guessing addresses are refused
    started = time.monotonic()
    response = sign_in(browser("10.9.9.9"), email)
    assert session_cookie(response) is not None
    assert time.monotonic() - started >= SLOWDOWN  # slowed down, never refused


def test_an_account_with_many_failures_is_slowed_down_not_locked(browser, agent):  # noqa: F811
    email = agent.actor.email
    started = time.monotonic()
    _fail(browser, [email] * 5, [f"10.8.0.{n}" for n in range(5)])
    assert time.monotonic() - started < SLOWDOWN  # no slowdown before the failures
    started = time.monotonic()
    wrong = sign_in(browser("10.8.1.1"), email, "still wrong", json=True)
    assert wrong.status_code == 401  # a wrong password from a new address: no lockout
    assert time.monotonic() - started >= SLOWDOWN
    assert session_cookie(sign_in(browser("10.8.1.2"), email)) is not None
    started = time.monotonic()
    sign_in(browser("10.8.1.3"), email, "wrong again", json=True)
    assert time.monotonic() - started < SLOWDOWN  # the right password forgot the failures


# 2. The sign-in limit raced: 40 simultaneous guesses were all checked.


def test_forty_simultaneous_guesses_check_at_most_the_limit(browser, monkeypatch, agent):  # noqa: F811
    checked = slow_verification(monkeypatch, 0.3)
    client = browser("10.7.0.1")
    answers = all_at_once(
        40, lambda n: sign_in(client, agent.actor.email, f"guess {n}", json=True).status_code
    )
    limit = get_settings().sign_in_max_failures
    assert len(checked) <= limit
    assert sorted(answers) == [401] * len(checked) + [429] * (40 - len(checked))


def test_forty_simultaneous_guesses_on_many_accounts_from_one_address(browser, monkeypatch):  # noqa: F811
    checked = slow_verification(monkeypatch, 0.3)
    client = browser("10.7.0.2")
    answers = all_at_once(
        40, lambda n: sign_in(client, f"user{n}@example.com", "guess", json=True).status_code
    )
    assert len(checked) <= get_settings().sign_in_address_max_failures
    assert answers.count(429) == 40 - len(checked)


# 3. `/auth/*` had no body limit.


def post_streamed(path: str, chunks: int, chunk: int = 4096, length: int | None = None):
    """POST `chunks` chunks of `chunk` bytes to the whole app as a server hands them over,
    one `receive()` at a time; (status, chunks the app pulled)."""
    from ticket_app.api.app import create_api

    app = create_api()
    headers = [
        (b"host", b"localhost:8000"),
        (b"origin", get_settings().app_url.encode()),
        (b"content-type", b"application/x-www-form-urlencoded"),
    ]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("10.6.0.1", 50000),
        "server": ("localhost", 8000),
    }
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= chunks:
            return {"type": "http.disconnect"}
        pulled += 1
        return {"type": "http.request", "body": b"a" * chunk, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    import asyncio

    asyncio.run(app(scope, receive, send))
    starts = [message["status"] for message in sent if message["type"] == "http.response.start"]
    assert len(starts) == 1, sent
    return starts[0], pulled


@pytest.mark.parametrize("path", ["/auth/sign-in", "/auth/setup"])
def test_a_huge_form_post_is_refused_before_it_is_read(engine, path):
    status, pulled = post_streamed(path, 2048)  # 8 MiB in 4 KiB chunks, no Content-Length
    assert status == 413
    assert pulled <= get_settings().form_max_body_bytes // 4096 + 1


@pytest.mark.parametrize("path", ["/auth/sign-in", "/auth/setup", "/auth/sign-out", "/", "/x"])
def test_every_path_refuses_a_huge_declared_body_without_reading_it(engine, path):
    assert post_streamed(path, 2048, length=500_000_000) == (413, 0)
    _, pulled = post_streamed(path, 2048)  # read or not, never past the small limit
    assert pulled <= get_settings().form_max_body_bytes // 4096 + 1


def test_the_api_keeps_its_own_larger_limit(engine):
    status, pulled = post_streamed("/api/tickets/", 2048)
    assert status == 413
    assert pulled <= get_settings().max_body_bytes // 4096 + 1
    assert get_settings().max_body_bytes > get_settings().form_max_body_bytes


def test_a_small_form_post_still_signs_in(browser, agent):  # noqa: F811
    assert session_cookie(sign_in(browser(), agent.actor.email)) is not None


# 4. A password change held the write lock while Argon2 ran, and was not throttled.


@pytest.fixture
def hashing_watch(monkeypatch) -> list[int]:
    """Each Argon2 verify or hash records how many database connections were checked out of
    the pool at that moment (only this test's thread is using the database)."""
    from ticket_app.db import get_engine

    seen: list[int] = []
    real = passwords._hasher()

    class Watching:
        def hash(self, password: str) -> str:
            seen.append(get_engine().pool.checkedout())
            return real.hash(password)

        def verify(self, password: str, password_hash: str) -> bool:
            seen.append(get_engine().pool.checkedout())
            return real.verify(password, password_hash)

    monkeypatch.setattr(passwords, "_hasher", lambda: Watching())
    return seen


def test_a_password_change_hashes_outside_any_transaction(hashing_watch, requester, api, admin):
    users.change_own_password(requester.actor, current=PASSWORD, new=NEW_PASSWORD)
    with pytest.raises(InvalidInput):
        users.change_own_password(
            requester.actor, current="not the password", new="another new passphrase"
        )
    response = api(admin).patch(
        f"/api/users/{requester.id}/", json={"password": "an admin's fresh passphrase"}
    )
    assert response.status_code == 200, response.text
    users.set_password(email=requester.actor.email, password="the command line's passphrase")
    assert len(hashing_watch) == 5  # verify+hash, verify, hash, hash
    assert hashing_watch == [0] * 5


def test_wrong_current_passwords_do_not_hold_up_other_writers(monkeypatch, api, agent, requester):
    agents = api(agent)
    make_ticket(agents)  # warm: the first create loads the classifier's model
    slow_verification(monkeypatch, 2.0)

    def guess() -> None:
        with pytest.raises(InvalidInput):
            users.change_own_password(requester.actor, current="guess", new=NEW_PASSWORD)

    guessing = threading.Thread(target=guess)
    guessing.start()
    time.sleep(0.2)  # the guess is being verified now
    started = time.monotonic()
    make_ticket(agents)
    took = time.monotonic() - started
    guessing.join()
    # Held up behind the verification, the create would take at least 1.8 s more; on a busy
    # CI machine an unhindered one has taken over half a second.
    assert took < 1.0


def test_current_password_guesses_are_throttled(requester):
    limit = get_settings().sign_in_max_failures
    for n in range(limit):
        with pytest.raises(InvalidInput):
            users.change_own_password(requester.actor, current=f"guess {n}", new=NEW_PASSWORD)
    with pytest.raises(Throttled):
        users.change_own_password(requester.actor, current=PASSWORD, new=NEW_PASSWORD)


def test_simultaneous_current_password_guesses_check_at_most_the_limit(monkeypatch, requester):
    checked = slow_verification(monkeypatch, 0.3)
    outcomes = all_at_once(
        40,
        lambda n: users.change_own_password(
            requester.actor, current=f"guess {n}", new=NEW_PASSWORD
        ),
    )
    assert len(checked) <= get_settings().sign_in_max_failures
    assert sum(isinstance(outcome, Throttled) for outcome in outcomes) == 40 - len(checked)


def test_a_password_changed_meanwhile_is_not_overwritten(monkeypatch, requester, engine):
    real_hash = passwords.hash_password

    def meanwhile(password: str) -> str:  # someone else changes it while this one hashes
        if password == NEW_PASSWORD:
            users.set_password(email=requester.actor.email, password="set meanwhile by the cli")
        return real_hash(password)

    monkeypatch.setattr(passwords, "hash_password", meanwhile)
    with pytest.raises(InvalidInput) as refused:
        users.change_own_password(requester.actor, current=PASSWORD, new=NEW_PASSWORD)
    assert refused.value.errors[0].field == "current_password"
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT password_hash FROM users WHERE id = :id"), {"id": requester.id}
        ).scalar_one()
    assert passwords.verify("set meanwhile by the cli", stored)


# 6. Suspected: workers starting at once, or people using the links at once, make two admins.


def test_three_workers_starting_at_once_print_one_address(engine):
    addresses = all_at_once(3, lambda _: setup.pending_address())
    assert len(set(addresses)) == 1
    assert addresses[0] is not None
    assert count_rows(engine, "setup_links") == 1


def test_racing_setup_links_make_at_most_one_first_admin(monkeypatch, engine):
    """Three links (as three workers could once make on PostgreSQL), spent at the same moment:
    the "no admin yet" check ran before the transaction, so all three made an admin."""
    from datetime import timedelta

    from ticket_app.models import utc_now

    with engine.begin() as connection:
        for n in range(3):
            connection.execute(
                setup.LINKS.insert().values(
                    nonce=f"nonce-{n}",
                    created_at=utc_now(),
                    expires_at=utc_now() + timedelta(hours=1),
                )
            )
    prepare = users.prepare_password

    def slow_prepare(data: Any) -> str:  # hashing takes time: every racer is past the checks
        time.sleep(0.3)
        return prepare(data)

    monkeypatch.setattr(users, "prepare_password", slow_prepare)
    outcomes = all_at_once(
        3,
        lambda n: setup.create_first_admin(
            token=setup._token(f"nonce-{n}"),
            email=f"admin{n}@example.com",
            name=f"Admin {n}",
            password="a long passphrase",
        ),
    )
    assert count_rows(engine, "users", "role = 'admin'") == 1
    assert sum(isinstance(outcome, NotFound) for outcome in outcomes) == 2
    assert setup.pending_address() is None


def test_setup_and_a_bootstrap_admin_at_once_make_one_admin(monkeypatch, engine):
    address = setup.pending_address()
    monkeypatch.setenv("ADMIN_EMAIL", "boot@example.com")
    monkeypatch.setenv("ADMIN_PASSWORD", "a bootstrap passphrase")
    reset_caches()
    token = address.split("token=", 1)[1]
    outcomes = all_at_once(
        3,
        lambda n: (
            setup.bootstrap_admin()
            if n
            else setup.create_first_admin(
                token=token, email="first@example.com", name="First", password="a long passphrase"
            )
        ),
    )
    assert count_rows(engine, "users", "role = 'admin'") == 1, outcomes


def test_setup_form_still_works(api, engine):
    address = setup.pending_address()
    response = api().post(
        "/auth/setup",
        data={
            "token": address.split("token=", 1)[1],
            "email": "first@example.com",
            "name": "First Admin",
            "password": "a long passphrase",
        },
        headers=origin(),
        follow_redirects=False,
    )
    assert redirect(response)[0] == "/"
