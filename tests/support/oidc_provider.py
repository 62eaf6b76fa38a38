"""A real OpenID provider process on loopback (`oidc-provider-mock`), for the single sign-on
tests over HTTP and in browsers: it signs good ID tokens for any client, and says who a
subject is once a test told it (`person`)."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def oidc_provider() -> Iterator[str]:
    """The issuer URL of a provider process of its own, stopped afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(issuer + "/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the provider process stopped"
            assert time.monotonic() < deadline, "the provider did not start in time"
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        process.wait(10)


def person(issuer: str, sub: str, **claims: Any) -> None:
    """Who `sub` is at the provider (a verified address unless `email_verified` says not)."""
    claims = {"email_verified": True, **claims}
    assert httpx.put(f"{issuer}/users/{sub}", json=claims).status_code == 204
