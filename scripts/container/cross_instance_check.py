"""Several app instances behind the proxy: a change reaches tabs on every instance, and the
tabs of a stopped instance move to another, signed in and on the same page.

    python scripts/container/cross_instance_check.py --url http://localhost:18000 \\
        --email check@example.com --password-stdin --token TOKEN --stop CONTAINER_ID

Run by scripts/container-check against `docker compose up --scale app=2` (from the host,
with the project's virtualenv): it signs in through the real form, opens TABS list tabs
through the proxy (which spreads their websockets over the instances), creates a ticket
through the API and requires every tab to show it within PUSH_LIMIT seconds; then stops one
instance's container (`docker stop`), reopens every tab that lost its socket (each with its
own token, as a browser reconnects) and requires it back within RECONNECT_LIMIT seconds,
signed in, on its page, and shown the next ticket in time too. Prints one line per finding;
exits 1 on the first failure.
"""

import argparse
import asyncio
import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.ui_tabs import Agent, reopen
from tests.support.reflex_client import ReflexTab

TABS = 6
PUSH_LIMIT = 5.0
# The proxy gives up on the stopped instance's address within its proxy_connect_timeout
# and passes the handshake to the next instance: a tab is back in a few seconds.
RECONNECT_LIMIT = 15.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def sign_in(url: str, email: str, password: str) -> str:
    """The Cookie header a browser holds after the sign-in form."""
    request = urllib.request.Request(  # noqa: S310 - the stack's own http URL
        f"{url}/auth/sign-in",
        data=urllib.parse.urlencode({"email": email, "password": password, "next": "/"}).encode(),
        headers={"Origin": url},
        method="POST",
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=15) as answer:
            headers = answer.headers
    except urllib.error.HTTPError as answer:  # the 303, not followed
        headers = answer.headers
    cookie = headers.get("set-cookie", "")
    if not cookie:
        raise SystemExit(f"sign-in gave no session cookie ({headers})")
    return cookie.split(";", 1)[0]


def create(url: str, token: str, title: str) -> tuple[int, float]:
    body = json.dumps({"title": title, "description": f"{title}: checking the push."}).encode()
    request = urllib.request.Request(  # noqa: S310 - the stack's own http URL
        f"{url}/api/tickets/",
        data=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        method="POST",
    )
    sent = time.perf_counter()
    with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
        return json.load(answer)["id"], sent


def fail(message: str) -> None:
    print(f"  FAIL  {message}", flush=True)
    raise SystemExit(1)


async def every_tab_shows(agents: list[Agent], ticket_id: int, sent: float) -> list[float]:
    deadline = time.perf_counter() + PUSH_LIMIT + 5
    while time.perf_counter() < deadline:
        if all(ticket_id in agent.seen for agent in agents):
            return [agent.seen[ticket_id] - sent for agent in agents]
        await asyncio.sleep(0.05)
    missing = sum(ticket_id not in agent.seen for agent in agents)
    fail(f"{missing} of {len(agents)} tabs never showed ticket #{ticket_id}")
    return []


async def main(args: argparse.Namespace, password: str) -> None:
    cookie = sign_in(args.url, args.email, password)
    agents = []
    for _ in range(TABS):
        tab = ReflexTab(args.url, cookie=cookie)
        agent = Agent("list", "/tickets", {}, tab)
        tab.listener = agent.listen
        await tab.open("/tickets")
        agent.connect_seconds = 0.0
        agents.append(agent)
    if not all(agent.signed_in for agent in agents):
        fail("a tab opened with the session cookie is not signed in")
    print(f"  ok    {TABS} list tabs open through the proxy, signed in", flush=True)

    ident, sent = create(args.url, args.token, "Pushed to every instance")
    delays = await every_tab_shows(agents, ident, sent)
    if max(delays) > PUSH_LIMIT:
        fail(f"the slowest tab showed #{ident} after {max(delays):.1f} s")
    print(f"  ok    ticket #{ident} reached all {TABS} tabs within {max(delays):.1f} s", flush=True)

    subprocess.run(["docker", "stop", args.stop], check=True, capture_output=True)  # noqa: S603, S607
    await asyncio.sleep(1)
    dropped = [agent for agent in agents if not agent.tab.connected]
    if not dropped or len(dropped) == TABS:
        fail(f"{len(dropped)} of {TABS} tabs lost their socket: the tabs were not spread")
    print(
        f"  ok    stopping one instance dropped {len(dropped)} of {TABS} tabs: the others "
        "were on another instance, so the ticket crossed instances",
        flush=True,
    )
    started = time.monotonic()
    results = await asyncio.gather(*(reopen(agent, started + RECONNECT_LIMIT) for agent in dropped))
    took = time.monotonic() - started
    if not all(ok for ok, _ in results) or took > RECONNECT_LIMIT:
        fail(f"the dropped tabs took {took:.1f} s to reconnect (limit {RECONNECT_LIMIT:.0f} s)")
    if not all(agent.signed_in and agent.tab.path == "/tickets" for agent in dropped):
        fail("a moved tab is not signed in on its page")
    print(
        f"  ok    {len(dropped)} tabs reconnected to the remaining instance in {took:.1f} s, "
        "signed in and on /tickets",
        flush=True,
    )
    ident, sent = create(args.url, args.token, "Pushed after the stop")
    delays = await every_tab_shows(agents, ident, sent)
    print(f"  ok    ticket #{ident} reached all {TABS} tabs within {max(delays):.1f} s", flush=True)
    for agent in agents:
        await agent.tab.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password-stdin", action="store_true", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--stop", required=True, help="the container of one instance")
    arguments = parser.parse_args()
    asyncio.run(main(arguments, sys.stdin.readline().rstrip("\n")))
