"""The quarantine's handlers on /admin/mail are public input: any websocket client may call
them with any arguments. An agent's tab that calls them (reprocess, ask and confirm a delete)
is refused by the service and changes nothing; an admin's tab lists, reprocesses and deletes."""

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from typing import Any

import pytest

from tests.served_app import ROOT, ServedApp
from tests.support.reflex_client import ReflexTab, event_name
from ticket_app.ui.state.quarantine import QuarantineState

from .conftest import Desk, run

pytestmark = pytest.mark.served

SMALL_LIMIT = "1024"  # MAIL_MAX_BYTES of the one delivery that is to be held (the minimum)


def hold(app: ServedApp) -> tuple[int, str]:
    """Deliver an oversized mail through the pipe (a limit of 1 KiB for that delivery only):
    (its row in the quarantine, its subject)."""
    word = uuid.uuid4().hex[:8]
    subject = f"Crash logs {word}"
    raw = (
        f"From: Quentin <quentin-{word}@customer.example>\r\nTo: support@localhost\r\n"
        f"Subject: {subject}\r\nMessage-ID: <held-{word}@customer.example>\r\n\r\n"
        + "log line\r\n"
        * 200
    ).encode()
    database = app.log_path.parent / "tickets.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "MAIL_MAX_BYTES": SMALL_LIMIT}
    done = subprocess.run(
        [sys.executable, "-m", "ticket_app.manage", "ingest-mail"],
        cwd=ROOT,
        env=env,
        input=raw,
        capture_output=True,
        check=True,
    )
    assert json.loads(done.stdout)["action"] == "quarantined"
    return outcome(app, f"<held-{word}@customer.example>")[0], subject


def outcome(app: ServedApp, message_id: str) -> tuple[int, str] | tuple[None, None]:
    with sqlite3.connect(app.log_path.parent / "tickets.db") as connection:
        row = connection.execute(
            "SELECT id, outcome FROM inbound_mails WHERE message_id = ?", (message_id,)
        ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def state_of(app: ServedApp, mail_id: int) -> str | None:
    with sqlite3.connect(app.log_path.parent / "tickets.db") as connection:
        row = connection.execute(
            "SELECT outcome FROM inbound_mails WHERE id = ?", (mail_id,)
        ).fetchone()
    return row[0] if row else None


def frames(tab: ReflexTab, since: int = 0) -> str:
    return json.dumps([(u.delta, u.events) for u in tab.updates[since:]], default=str)


async def work(tab: ReflexTab, *calls: tuple[Any, dict[str, Any]]) -> str:
    """Send the handlers' events as a client would, and what came back."""
    before = len(tab.updates)
    for handler, payload in calls:
        await tab.send(event_name(handler), payload)
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.5)  # let every answer arrive
    return frames(tab, before)


def test_an_agent_tab_calling_the_quarantine_handlers_is_refused(live_app, desk: Desk):
    mail_id, subject = hold(live_app)

    async def scenario() -> tuple[str, str]:
        async with ReflexTab(live_app.url, cookie=desk.cookies["agent"]) as tab:
            await tab.open("/admin/mail")
            listed = frames(tab)
            answers = await work(
                tab,
                (QuarantineState.reprocess, {"value": str(mail_id)}),
                (QuarantineState.reprocess, {"value": mail_id}),
                (QuarantineState.ask_delete, {"value": str(mail_id)}),
                (QuarantineState.confirm_delete, {}),
                (QuarantineState.show_more_held, {}),
            )
            return listed, answers

    listed, answers = run(scenario())
    assert subject not in listed  # the page's load was refused too: nothing listed
    assert subject not in answers
    assert answers.count("may not manage users") >= 3  # each call got the service's refusal
    assert state_of(live_app, mail_id) == "quarantined"  # neither reprocessed nor deleted


def test_an_admin_tab_reprocesses_and_deletes_and_bad_ids_change_nothing(live_app, desk: Desk):
    kept, subject = hold(live_app)
    gone, _ = hold(live_app)

    async def scenario() -> tuple[str, str]:
        async with ReflexTab(live_app.url, cookie=desk.cookies["admin"]) as tab:
            await tab.open("/admin/mail")
            listed = frames(tab)
            answers = await work(
                tab,
                *[
                    (QuarantineState.reprocess, {"value": bad})
                    for bad in ("-1", "1e3", "<reflex.Var>1</reflex.Var>", None, "9" * 30, True)
                ],
                (QuarantineState.reprocess, {"value": str(kept)}),
                (QuarantineState.ask_delete, {"value": str(gone)}),
                (QuarantineState.confirm_delete, {}),
            )
            return listed, answers

    listed, answers = run(scenario())
    assert subject in listed
    assert answers.count("That is not a message of the quarantine.") == 6
    assert f"Mail {kept} was reprocessed: created" in answers
    assert f"Mail {gone} was deleted." in answers
    assert state_of(live_app, kept) == "created"  # no size limit when an admin reprocesses
    assert state_of(live_app, gone) is None
