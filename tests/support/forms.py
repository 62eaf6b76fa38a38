"""The UI's form posts as a browser sends them: a client of the whole app from a chosen
address that follows no redirects, the app's own Origin, and reading where an answer goes."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from tests.support.passwords import PASSWORD


@contextmanager
def browsers() -> Iterator[Any]:
    """`open_(address="10.0.0.1", agent="...")`: a new browser of the whole app."""
    from ticket_app.api.app import create_api
    from ticket_app.config import get_settings

    app = create_api()
    with ExitStack() as stack:

        def open_(address: str = "10.0.0.1", agent: str = "TestBrowser/1.0") -> TestClient:
            client = TestClient(
                app,
                base_url=get_settings().app_url,
                client=(address, 50000),
                follow_redirects=False,
                headers={"User-Agent": agent},
            )
            return stack.enter_context(client)

        yield open_


def origin() -> dict[str, str]:
    from ticket_app.config import get_settings

    return {"Origin": get_settings().app_url}


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next_: str = "/") -> Any:
    form = {"email": email, "password": password, "next": next_}
    return client.post("/auth/sign-in", data=form, headers=origin())


def post_code(client: TestClient, code: str, next_: str = "/", json: bool = False) -> Any:
    headers = {**origin(), **({"Accept": "application/json"} if json else {})}
    return client.post("/auth/sign-in/code", data={"code": code, "next": next_}, headers=headers)


def redirect(response: Any) -> tuple[str, dict[str, list[str]]]:
    """Where a 303 answer sends the browser: its path and query."""
    assert response.status_code == 303, response.text
    target = urlsplit(response.headers["location"])
    return target.path, parse_qs(target.query)


def set_cookie(response: Any, name: str) -> str | None:
    """The value a response sets for cookie `name` (None when it sets none)."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1].strip('"') or None
    return None
