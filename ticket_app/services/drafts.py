"""Suggested replies: a draft for the agent to edit, grounded in solved tickets and the canned
replies, never sent by itself, and never carrying another customer's data.

Sources are the public replies that staff wrote on resolved or closed tickets like this one
(found by the similar-tickets index) and the canned replies the agent may use. Internal notes
of other tickets are never read. Before a ticket source goes anywhere, its customer's data is
redacted (`assist.redact`, knowing that customer's name and message). Gemini, when
configured, writes from this ticket's public conversation and the redacted sources; offline,
and whenever Gemini fails or its answer holds a source's data, the best source is adapted to
this ticket (`assist.writer.adapt`). Every draft is stored with its sources, so the agent's
verdict and how much of it survived into the reply they sent can be recorded against it;
`draft_totals` keeps the sums the dashboard shows.
"""

import difflib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ticket_app.assist import placeholders, redact, writer
from ticket_app.assist.writer import Message, Source
from ticket_app.classifier.gemini import GeminiError
from ticket_app.config import get_settings
from ticket_app.domain import STAFF_ROLES
from ticket_app.models import CannedReply, DraftTotals, ReplyDraft, TicketComment, User, utc_now
from ticket_app.services import similar
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.errors import NotFound
from ticket_app.services.tickets import visible
from ticket_app.services.transaction import transaction
from ticket_app.similarity.terms import document

logger = logging.getLogger("ticket_app.assist")

DRAFTS = ReplyDraft.__table__
TOTALS = DraftTotals.__table__
COMMENTS = TicketComment.__table__
CANNED = CannedReply.__table__
USERS = User.__table__
TICKET_SOURCES = 3
CANNED_SOURCES = 2
CANNED_READ = 200
CONVERSATION = 30  # this ticket's latest public messages the draft answers
REPLIES_PER_SOURCE = 2
MIN_CANNED_SCORE = 0.15
STAFF = [role.value for role in STAFF_ROLES]


class DraftSource(BaseModel):
    kind: Literal["ticket", "canned"]
    id: int


class DraftRead(BaseModel):
    """A suggested reply; `id` is what feedback on it names."""

    id: int
    body: str
    sources: list[DraftSource]
    source: Literal["gemini", "local"]
    used_fallback: bool


class DraftFeedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    helpful: bool = Field(description="Whether the draft helped")


class DraftFigures(BaseModel):
    """Over every draft: how many, the verdicts, and how much of them survived when sent."""

    drafts: int
    helpful: int
    not_helpful: int
    sent: int
    kept_average: float | None = Field(description="Mean share of a draft's words kept (0..1)")


@dataclass(frozen=True)
class _Material:
    ticket: Any
    requester_name: str
    messages: list[Message]
    sources: list[Source]
    unredacted: list[str]


def messages_of(connection: Connection, ticket: Any) -> list[Message]:
    """The ticket's description and its latest public replies, oldest first (never notes)."""
    rows = connection.execute(
        sa.select(COMMENTS.c.body, USERS.c.role)
        .join(USERS, USERS.c.id == COMMENTS.c.author_id)
        .where(COMMENTS.c.ticket_id == ticket.id, COMMENTS.c.public.is_(True))
        .order_by(COMMENTS.c.id.desc())
        .limit(CONVERSATION)
    ).all()
    replies = [Message(staff=row.role in STAFF, text=row.body) for row in reversed(rows)]
    return [Message(staff=False, text=f"{ticket.title}\n{ticket.description}"), *replies]


def _ticket_sources(
    connection: Connection, actor: Actor, ticket: Any, keep: str
) -> tuple[list[Source], list[str]]:
    """Redacted staff replies of the most similar solved tickets, and their raw texts (for
    the check of Gemini's answer)."""
    found = similar.resolved_like(connection, actor, ticket=ticket, limit=TICKET_SOURCES)
    if not found:
        return [], []
    ids = [item.id for item in found]
    replies = connection.execute(
        sa.select(COMMENTS.c.ticket_id, COMMENTS.c.body, COMMENTS.c.id)
        .join(USERS, USERS.c.id == COMMENTS.c.author_id)
        .where(
            COMMENTS.c.ticket_id.in_(ids),
            COMMENTS.c.public.is_(True),
            USERS.c.role.in_(STAFF),
        )
        .order_by(COMMENTS.c.ticket_id, COMMENTS.c.id)
    ).all()
    customers = connection.execute(
        sa.select(
            similar.TICKETS.c.id,
            similar.TICKETS.c.title,
            similar.TICKETS.c.description,
            USERS.c.name,
        )
        .outerjoin(USERS, USERS.c.id == similar.TICKETS.c.created_by)
        .where(similar.TICKETS.c.id.in_(ids))
    ).all()
    theirs = {row.id: row for row in customers}
    by_ticket: dict[int, list[str]] = {}
    for row in replies:
        by_ticket.setdefault(row.ticket_id, []).append(row.body)
    sources, raw = [], []
    for item in found:
        texts = by_ticket.get(item.id, [])[-REPLIES_PER_SOURCE:]
        if not texts:
            continue  # solved without a public answer: nothing to draw on
        customer = theirs[item.id]
        text = "\n\n".join(texts)
        safe = redact.redact(
            text,
            names=[customer.name] if customer.name else [],
            customer_text=f"{customer.title}\n{customer.description}",
            keep=keep,
        )
        sources.append(Source("ticket", item.id, item.score, safe))
        raw.append(text)
    return sources, raw


@lru_cache(maxsize=2 * CANNED_READ)
def _canned_vector(name: str, body: str) -> Mapping[int, float]:
    """A canned reply's term vector, kept while its text is the same: the same few hundred
    replies are scored for every draft (recomputed, a sixth of a draft's time in bench.assist)."""
    return MappingProxyType(document(name, body))


def _canned_sources(
    connection: Connection, actor: Actor, ticket: Any, values: dict[str, str]
) -> list[Source]:
    """The canned replies most like this ticket (cosine of the index's term vectors)."""
    rows = connection.execute(
        sa.select(CANNED.c.id, CANNED.c.name, CANNED.c.body)
        .where(sa.or_(CANNED.c.owner_id == actor.id, CANNED.c.shared.is_(True)))
        .order_by(CANNED.c.id.desc())
        .limit(CANNED_READ)
    ).all()
    if not rows:
        return []
    query = document(ticket.title, ticket.description)
    scored = []
    for row in rows:
        vector = _canned_vector(row.name, row.body)
        score = sum(weight * vector.get(term, 0.0) for term, weight in query.items())
        if score >= MIN_CANNED_SCORE:
            scored.append(Source("canned", row.id, score, placeholders.fill(row.body, values)))
    return sorted(scored, key=lambda source: -source.score)[:CANNED_SOURCES]


def _gather(actor: Actor, ticket_id: int) -> _Material:
    with transaction() as connection:
        ticket = visible(connection, actor, ticket_id=ticket_id)
        requester = connection.execute(
            sa.select(USERS.c.name).where(USERS.c.id == ticket.created_by)
        ).scalar()
        messages = messages_of(connection, ticket)
        keep = "\n".join(message.text for message in messages if not message.staff)
        tickets, raw = _ticket_sources(connection, actor, ticket, keep)
        values = placeholders.values(
            ticket_id=ticket.id,
            title=ticket.title,
            requester_name=requester or "",
            agent_name=actor.name,
        )
        canned = _canned_sources(connection, actor, ticket, values)
    sources = sorted(tickets + canned, key=lambda source: -source.score)
    return _Material(ticket, requester or "", messages, sources, raw)


def _local(material: _Material) -> tuple[str, list[Source]]:
    keep = "\n".join(message.text for message in material.messages if not message.staff)
    first_name = placeholders.values(
        ticket_id=0, title="", requester_name=material.requester_name, agent_name=""
    )["requester.first_name"]
    if not material.sources:
        greeting = f"Hello {first_name}," if first_name else "Hello,"
        return f"{greeting}\n\nThank you for your message. ", []
    best = material.sources[0]
    return writer.adapt(best.text, ticket_text=keep, first_name=first_name), [best]


def _write(material: _Material) -> tuple[str, list[Source], str, bool]:
    """(body, sources cited, "gemini" | "local", whether Gemini failed)."""
    settings = get_settings()
    if not settings.gemini_api_key:
        return (*_local(material), "local", False)
    keep = "\n".join(message.text for message in material.messages if not message.staff)
    try:
        body, cited = writer.gemini_draft(
            settings, messages=material.messages, sources=material.sources
        )
        if writer.leaks(body, unredacted=material.unredacted, ticket_text=keep):
            raise GeminiError("the answer held a source's data")
        body = writer.adapt(body, ticket_text=keep, first_name="")
        return body, cited, "gemini", False
    except GeminiError as error:
        logger.warning("Gemini draft failed (%s); drafting locally", error)
        return (*_local(material), "local", True)


def _bump(connection: Connection, **deltas: float) -> None:
    """Add to the running totals (the one row is made by the first draft)."""
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(
        TOTALS
    )
    zero = {"drafts": 0, "helpful": 0, "not_helpful": 0, "sent": 0, "kept_sum": 0.0}
    statement = insert.values(id=1, **{**zero, **deltas}).on_conflict_do_update(
        index_elements=[TOTALS.c.id],
        set_={name: getattr(TOTALS.c, name) + value for name, value in deltas.items()},
    )
    connection.execute(statement)


def suggest(actor: Actor, *, ticket_id: int) -> DraftRead:
    """A draft reply to ticket `ticket_id` for the agent to edit (staff); nothing is sent."""
    require(actor, Permission.ASSIST)
    material = _gather(actor, ticket_id)
    body, cited, source, failed = _write(material)
    sources = [DraftSource(kind=item.kind, id=item.id) for item in cited]
    with transaction(write=True) as connection:
        draft_id = connection.execute(
            sa.insert(DRAFTS)
            .values(
                ticket_id=material.ticket.id,
                author_id=actor.id,
                body=body,
                sources=json.dumps([item.model_dump() for item in sources]),
                source=source,
                used_fallback=failed,
                created_at=utc_now(),
            )
            .returning(DRAFTS.c.id)
        ).scalar_one()
        _bump(connection, drafts=1)
    return DraftRead(id=draft_id, body=body, sources=sources, source=source, used_fallback=failed)


def give_feedback(actor: Actor, *, ticket_id: int, draft_id: int, helpful: bool) -> None:
    """Record whether a draft helped (its author only; a second verdict replaces the first)."""
    require(actor, Permission.ASSIST)
    with transaction(write=True) as connection:
        visible(connection, actor, ticket_id=ticket_id)
        row = connection.execute(
            sa.select(DRAFTS.c.helpful)
            .where(
                DRAFTS.c.id == draft_id,
                DRAFTS.c.ticket_id == ticket_id,
                DRAFTS.c.author_id == actor.id,
            )
            .with_for_update()
        ).first()
        if row is None:
            raise NotFound.thing("draft of yours on this ticket", draft_id)
        if row.helpful == helpful:
            return
        connection.execute(sa.update(DRAFTS).where(DRAFTS.c.id == draft_id).values(helpful=helpful))
        deltas = {"helpful": 1} if helpful else {"not_helpful": 1}
        if row.helpful is not None:
            deltas["not_helpful" if helpful else "helpful"] = -1
        _bump(connection, **deltas)


_WORDS = re.compile(r"\w+")


def kept_share(draft: str, sent: str) -> float:
    """The share of the draft's words that survived, in order, into the reply sent."""
    ours, theirs = _WORDS.findall(draft.lower()), _WORDS.findall(sent.lower())
    if not ours:
        return 0.0
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    return min(1.0, sum(block.size for block in matcher.get_matching_blocks()) / len(ours))


def record_sent(
    connection: Connection, actor: Actor, *, ticket_id: int, comment_id: int, body: str
) -> None:
    """A staff reply was sent: how much of the agent's latest unsent draft on this ticket it
    kept (called by `comments.add_comment`, in its transaction)."""
    if not actor.is_staff:
        return
    draft = connection.execute(
        sa.select(DRAFTS.c.id, DRAFTS.c.body)
        .where(
            DRAFTS.c.ticket_id == ticket_id,
            DRAFTS.c.author_id == actor.id,
            DRAFTS.c.comment_id.is_(None),
        )
        .order_by(DRAFTS.c.id.desc())
        .limit(1)
    ).first()
    if draft is None:
        return
    kept = round(kept_share(draft.body, body), 4)
    connection.execute(
        sa.update(DRAFTS).where(DRAFTS.c.id == draft.id).values(kept=kept, comment_id=comment_id)
    )
    _bump(connection, sent=1, kept_sum=kept)


def figures(actor: Actor) -> DraftFigures:
    """The dashboard's draft figures, from the running totals (staff)."""
    require(actor, Permission.READ_ALL)
    with transaction() as connection:
        row = connection.execute(sa.select(TOTALS).where(TOTALS.c.id == 1)).first()
    if row is None:
        return DraftFigures(drafts=0, helpful=0, not_helpful=0, sent=0, kept_average=None)
    return DraftFigures(
        drafts=row.drafts,
        helpful=row.helpful,
        not_helpful=row.not_helpful,
        sent=row.sent,
        kept_average=round(row.kept_sum / row.sent, 3) if row.sent else None,
    )
