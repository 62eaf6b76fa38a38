"""The API as `reflex run` serves it, where Reflex mounts the compiled pages beneath our routes:
every address under /api must still answer like the API, not like the pages."""

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.browser


def call(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_an_unknown_api_path_is_a_problem_not_the_page(app_url):
    status, headers, body = call(f"{app_url}/api/no-such-thing/")
    assert status == 404
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["detail"] == "There is nothing at this address."


def test_a_wrong_method_is_a_problem_listing_the_allowed_ones(app_url):
    status, headers, body = call(f"{app_url}/api/tickets/", method="PUT", body=b"{}")
    assert status == 405
    assert headers["allow"] == "GET, POST"
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 405


def test_the_issue_curl_command_classifies(app_url, api):
    """`curl -X POST .../classify/ -d '{...}'`: curl labels the body as form data."""
    status, _, body = call(
        f"{app_url}/api/tickets/classify/",
        method="POST",
        body=b'{"description":"I was charged twice this month"}',
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Bearer {api.token}",
        },
    )
    assert status == 200
    answer = json.loads(body)
    assert (answer["suggested_category"], answer["source"]) == ("billing", "local")


def test_without_a_token_the_api_answers_401_and_says_how_to_sign(app_url):
    status, headers, body = call(f"{app_url}/api/tickets/")
    assert status == 401
    assert headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in json.loads(body)["detail"]
