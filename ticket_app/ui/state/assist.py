"""Reply assistance on the ticket page (staff): canned replies searched by name and text or
by typing `/name` in the reply box, "Suggest a reply", feedback on a draft, and the summary
of a long conversation. A mixin of `DetailState`, whose ticket it works on; every action goes
through the services (`_act`), and text reaches the reply box only through `browser`.
"""

from typing import Any

import reflex as rx

from ticket_app.services import canned_replies, drafts, summaries
from ticket_app.ui import browser
from ticket_app.ui.state.session import Refused

REPLY_BOX = "reply"
PICKER_SIZE = 8


def with_inserted(typed: str, body: str) -> str:
    """The reply box after inserting `body`: in place of a trailing `/shortcut`, else after
    what the agent wrote."""
    stripped = typed.rstrip()
    last = stripped.rsplit(None, 1)[-1] if stripped else ""
    if last.startswith("/"):
        return stripped[: len(stripped) - len(last)] + body
    return f"{stripped}\n\n{body}" if stripped else body


class ReplyAssistState(rx.State, mixin=True):
    """The reply box's helpers; `_ticket_id` and `_act` come from the page state."""

    canned_query: str = ""
    canned_open: bool = False
    canned_items: list[dict[str, str]] = rx.field(default_factory=list)
    draft_id: int = 0
    draft_sources: list[str] = rx.field(default_factory=list)
    draft_origin: str = ""
    draft_verdict: str = ""
    summary: str = ""
    summary_source: str = ""
    _typed: str = ""  # the reply box's text as last typed (where an insert goes)

    async def _search(self, query: str) -> None:
        self.canned_query = query
        found = await self._act(canned_replies.list_canned, read=True, search=query)
        if isinstance(found, Refused):
            self.canned_items = []
            self.canned_open = False
            return
        self.canned_items = [
            {
                "id": str(item.id),
                "name": item.name,
                "preview": item.body[:80],
                "macro": "macro" if item.status or item.priority or item.assignee_id else "",
            }
            for item in found[:PICKER_SIZE]
        ]

    @rx.event
    async def search_canned(self, query: str) -> None:
        """The picker's search box: canned replies whose name or text holds `query`."""
        self.canned_open = True
        await self._search(query)

    @rx.event
    async def typed(self, text: str) -> None:
        """The reply box's shortcut: a last word starting with "/" opens the picker on it
        (staff only: a requester's reply box has no shortcuts)."""
        if not self.can_assist:
            return
        self._typed = text
        word = text.rsplit(None, 1)[-1] if text.strip() else ""
        if word.startswith("/") and len(word) > 1:
            self.canned_open = True
            await self._search(word[1:])
        elif self.canned_open and not word.startswith("/"):
            self.canned_open = False

    @rx.event
    def close_canned(self) -> None:
        self.canned_open = False

    @rx.event
    async def insert_canned(self, canned_id: str) -> Any:
        """Fill the reply box with a canned reply for this ticket (a macro's actions are
        applied now, through the ticket service)."""
        done = await self._act(
            canned_replies.insert_canned,
            canned_id=int(canned_id),
            ticket_id=self._ticket_id,
        )
        if isinstance(done, Refused):
            return done.event
        self.canned_open = False
        self._typed = with_inserted(self._typed, done.body)
        events = [browser.fill_field(REPLY_BOX, self._typed)]
        if done.ticket is not None:
            await self._reload()
            events.append(browser.success("Canned reply inserted; its actions were applied."))
        return events

    @rx.event
    async def suggest(self) -> Any:
        """Fill the reply box with a suggested draft; nothing is sent."""
        done = await self._act(drafts.suggest, read=True, ticket_id=self._ticket_id)
        if isinstance(done, Refused):
            return done.event
        self.draft_id = done.id
        self.draft_verdict = ""
        self.draft_sources = [
            f"#{source.id}" if source.kind == "ticket" else f"canned reply {source.id}"
            for source in done.sources
        ]
        self.draft_origin = "Gemini" if done.source == "gemini" else "offline"
        self._typed = done.body
        return browser.fill_field(REPLY_BOX, done.body)

    @rx.event
    async def rate_draft(self, helpful: bool) -> Any:
        done = await self._act(
            drafts.give_feedback,
            ticket_id=self._ticket_id,
            draft_id=self.draft_id,
            helpful=helpful,
        )
        if isinstance(done, Refused):
            return done.event
        self.draft_verdict = "helpful" if helpful else "not helpful"
        return None

    @rx.event
    async def load_summary(self) -> None:
        """The summary of a long conversation (staff; stored per ticket version)."""
        ticket = self.ticket
        if not (self.can_assist and summaries.is_long(ticket.comment_count)):
            self.summary = ""
            return
        done = await self._act(summaries.get_summary, read=True, ticket_id=self._ticket_id)
        if isinstance(done, Refused):
            return
        self.summary = done.summary
        self.summary_source = "Gemini" if done.source == "gemini" else "offline"
