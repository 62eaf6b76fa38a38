"""Summaries of long conversations, for staff taking a ticket over.

A summary covers the ticket's public conversation only (internal notes never: the same
summary is shown to every agent, and a note's content is not the conversation), is written by
Gemini when configured (offline, or when it fails: `assist.summarize`, extractive) and is
stored with the ticket version it was made from. Reading it again costs one primary-key probe;
only a ticket that has changed since (a reply, an edit) gets a new one.
"""

import logging
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql, sqlite

from ticket_app.assist import writer
from ticket_app.assist.summarize import summarize
from ticket_app.classifier.gemini import GeminiError
from ticket_app.config import get_settings
from ticket_app.models import TicketSummary, utc_now
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.drafts import messages_of
from ticket_app.services.tickets import visible
from ticket_app.services.transaction import transaction

logger = logging.getLogger("ticket_app.assist")

SUMMARIES = TicketSummary.__table__
LONG = 6  # a conversation of more messages than this opens with its summary


class SummaryRead(BaseModel):
    summary: str
    source: Literal["gemini", "local"]
    version: int


def is_long(comment_count: int) -> bool:
    """Whether a conversation (the description and `comment_count` public replies) is long."""
    return comment_count + 1 > LONG


def _write(messages: list[writer.Message]) -> tuple[str, str]:
    settings = get_settings()
    if settings.gemini_api_key:
        try:
            return writer.gemini_summary(settings, messages=messages), "gemini"
        except GeminiError as error:
            logger.warning("Gemini summary failed (%s); summarising locally", error)
    return summarize(messages), "local"


def get_summary(actor: Actor, *, ticket_id: int) -> SummaryRead:
    """The summary of the ticket as it is now (staff): the stored one when the ticket has not
    changed since, else a new one, stored."""
    require(actor, Permission.ASSIST)
    with transaction() as connection:
        ticket = visible(connection, actor, ticket_id=ticket_id)
        stored = connection.execute(
            sa.select(SUMMARIES).where(SUMMARIES.c.ticket_id == ticket.id)
        ).first()
        if stored is not None and stored.version == ticket.version:
            return SummaryRead(summary=stored.summary, source=stored.source, version=stored.version)
        messages = messages_of(connection, ticket)
    summary, source = _write(messages)
    values = {
        "ticket_id": ticket.id,
        "version": ticket.version,
        "summary": summary,
        "source": source,
        "created_at": utc_now(),
    }
    with transaction(write=True) as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(SUMMARIES).values(**values)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[SUMMARIES.c.ticket_id],
                set_={name: statement.excluded[name] for name in values if name != "ticket_id"},
                where=SUMMARIES.c.version < statement.excluded.version,
            )
        )
    return SummaryRead(summary=summary, source=source, version=ticket.version)
