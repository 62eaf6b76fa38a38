"""Similar tickets: the existing tickets most like a text, for the form while a ticket is
written and for a ticket's own page, each with a score (0..1) and the words it shares.

The index (`similar_terms`, see `similarity.terms` and docs/similar.md) holds each ticket's
unit-length term vector; a query weighs its own terms by how rare they are now (idf) and
scores tickets by the cosine of the two. Every step is a bounded walk of an index, so the
cost does not grow with the number of tickets:

1. How common each query term is: its postings counted up to EXACT_CAP; past that, SAMPLE x
   its postings among every SAMPLE-th ticket (a partial index), counted up to SAMPLE_CAP.
2. Candidates: the WALKED heaviest query terms each give their NEWEST postings (newest
   tickets first); the partial scores pick the RESCORED best, which are then scored exactly
   over every query term. A requester's candidates are their own newest OWN_CANDIDATES
   tickets instead: they only ever see their own.
3. A requester's query weighs its terms by their frequency in the query alone, without idf:
   how rare a word is across the desk is a count of other people's tickets (a score moved
   with it, so a requester could tell how many tickets say "lawsuit"). Their scores and
   shared words, and so their order, depend on their own tickets and the query only.
4. Tickets merged into another are never offered (a merge drops their terms, and the final
   filter checks); the ticket a page is about is left out; MIN_SCORE keeps out tickets that
   share little more than a word or two.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Self

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator
from sqlalchemy.engine import Connection

from ticket_app.domain import DESCRIPTION_MAX_LENGTH, DONE_STATUSES, TITLE_MAX_LENGTH, Status
from ticket_app.models import SimilarTerm, TicketCount
from ticket_app.models.similar import SAMPLE, SAMPLED
from ticket_app.services.access import Actor, Permission, visible_tickets
from ticket_app.services.errors import InvalidInput
from ticket_app.services.schemas import check_storable
from ticket_app.services.tickets import TICKETS, visible
from ticket_app.services.transaction import transaction
from ticket_app.similarity.terms import count, key, log_tf

TERMS = SimilarTerm.__table__
COUNTS = TicketCount.__table__
LIMIT_MAX = 10
QUERY_TERMS = 16  # a long description keeps its most frequent terms
WALKED = 10
NEWEST = 256
RESCORED = 64
OWN_CANDIDATES = 200
EXACT_CAP = 256
SAMPLE_CAP = 2048
MIN_SCORE = 0.2
REASON_WORDS = 3


def _bounded(maximum: int) -> Any:
    def check(value: str) -> str:
        check_storable(value)
        if len(value) > maximum:
            raise ValueError(f"must be at most {maximum:,} characters (got {len(value):,})")
        return value

    return Annotated[
        str, AfterValidator(check), WithJsonSchema({"type": "string", "maxLength": maximum})
    ]


class SimilarQuery(BaseModel):
    """A ticket being written: its title, its description, or both so far."""

    model_config = ConfigDict(extra="forbid")

    title: _bounded(TITLE_MAX_LENGTH) = ""  # type: ignore[valid-type]
    description: _bounded(DESCRIPTION_MAX_LENGTH) = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not (self.title.strip() or self.description.strip()):
            raise ValueError("send a title or a description (or both)")
        return self


class SimilarTicket(BaseModel):
    """An existing ticket like the one asked about, most similar first."""

    id: int
    title: str
    status: Status
    created_at: datetime
    score: float = Field(
        ge=0,
        le=1,
        description="Cosine similarity of the two texts' terms (for requesters without the "
        "desk-wide rarity of words: their own tickets and the text alone decide it)",
    )
    reason: str = Field(description='One line, e.g. "same words: refund, charged, twice"')


@dataclass(frozen=True)
class _Query:
    """The query's terms: key -> weight (unit length, idf applied) and key -> a word of it."""

    weights: dict[int, float]
    words: dict[int, str]


def _counted(query: sa.Select[Any]) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count()).select_from(query.subquery()).scalar_subquery()


@lru_cache(maxsize=QUERY_TERMS)
def _frequency_statement(terms: int) -> sa.Select[Any]:
    """Tickets in all, then per term `t<i>` its capped count and its capped sampled count.

    Statements are built once per shape, with the terms as parameters: building dozens of
    subqueries on every keystroke would cost more than running them.
    """
    columns: list[Any] = [
        sa.select(sa.func.coalesce(sa.func.sum(COUNTS.c.tickets), 0)).scalar_subquery()
    ]
    for index in range(terms):
        postings = sa.select(sa.literal(1)).where(TERMS.c.term == sa.bindparam(f"t{index}"))
        columns.append(_counted(postings.limit(EXACT_CAP)))
        columns.append(_counted(postings.where(SAMPLED).limit(SAMPLE_CAP)))
    return sa.select(*columns)


def _frequencies(connection: Connection, keys: list[int]) -> tuple[int, list[int]]:
    """(tickets in all, estimated tickets holding each term), in one round trip."""
    parameters = {f"t{index}": term for index, term in enumerate(keys)}
    row = connection.execute(_frequency_statement(len(keys)), parameters).one()
    total, counts = int(row[0]), row[1:]
    estimates = []
    for exact, sampled in zip(counts[::2], counts[1::2], strict=True):
        estimates.append(exact if exact < EXACT_CAP else max(EXACT_CAP, SAMPLE * sampled))
    return total, estimates


def _query(connection: Connection, title: str, description: str, desk_wide: bool) -> _Query:
    """The query's weighted terms: with the desk's idf when `desk_wide` (staff), else by
    the query's own term frequencies only (see the module's docstring)."""
    counted = count(title, description)
    terms = counted.counts.most_common(QUERY_TERMS)
    keys = [key(term) for term, _ in terms]
    if not keys:
        return _Query({}, {})
    raw = {term_key: log_tf(tf) for term_key, (_, tf) in zip(keys, terms, strict=True)}
    if desk_wide:
        total, frequencies = _frequencies(connection, keys)
        for term_key, frequency in zip(keys, frequencies, strict=True):
            raw[term_key] *= math.log(1 + max(total, 1) / max(frequency, 1))
    norm = math.sqrt(sum(weight * weight for weight in raw.values())) or 1.0
    words = {term_key: counted.words[term] for term_key, (term, _) in zip(keys, terms, strict=True)}
    return _Query({term_key: weight / norm for term_key, weight in raw.items()}, words)


def _walked(terms: int) -> sa.Select[Any]:
    """The best RESCORED tickets by their partial scores over the NEWEST postings of terms
    `w<i>`, each weighing `q<i>`."""
    walks = [
        sa.select(
            sa.select(TERMS.c.ticket_id, (TERMS.c.weight * sa.bindparam(f"q{index}")).label("part"))
            .where(TERMS.c.term == sa.bindparam(f"w{index}"))
            .order_by(TERMS.c.ticket_id.desc())
            .limit(NEWEST)
            .subquery()
        )
        for index in range(terms)
    ]
    walk = sa.union_all(*walks).subquery("walk")
    return (
        sa.select(walk.c.ticket_id)
        .group_by(walk.c.ticket_id)
        .order_by(sa.func.sum(walk.c.part).desc())
        .limit(RESCORED)
    )


@lru_cache(maxsize=8 * WALKED)
def _score_statement(walked: int, staff: bool, done: bool = False) -> sa.Select[Any]:
    """Each query term's weight in each candidate ticket (`terms`: the query's keys).

    Staff candidates come from the walk; everyone else's are their own newest tickets
    (`me`), which is what `access.visible_tickets` lets them see and no more. Merged
    tickets and the ticket `exclude` (0: none) never are candidates; `done` keeps to
    resolved and closed tickets (the sources of a suggested reply).
    """
    wanted = [TICKETS.c.merged_into_id.is_(None), TICKETS.c.id != sa.bindparam("exclude")]
    if done:
        wanted.append(TICKETS.c.status.in_(sorted(DONE_STATUSES)))
    if staff:
        candidates = sa.select(TICKETS.c.id).where(TICKETS.c.id.in_(_walked(walked)), *wanted)
    else:
        candidates = (
            sa.select(TICKETS.c.id)
            .where(TICKETS.c.created_by == sa.bindparam("me"), *wanted)
            .order_by(TICKETS.c.created_at.desc(), TICKETS.c.id.desc())
            .limit(OWN_CANDIDATES)
        )
    chosen = candidates.subquery()
    return sa.select(TERMS.c.ticket_id, TERMS.c.term, TERMS.c.weight).where(
        TERMS.c.ticket_id.in_(sa.select(chosen.c.id)),
        TERMS.c.term.in_(sa.bindparam("terms", expanding=True)),
    )


def _scores(
    connection: Connection, actor: Actor, query: _Query, exclude_id: int | None, done: bool
) -> dict[int, dict[int, float]]:
    """Per candidate ticket, each shared term's share of its score."""
    staff = actor.can(Permission.READ_ALL)
    if staff and visible_tickets(actor):
        raise AssertionError("staff see every ticket; the walk would need their rules")
    heaviest = sorted(query.weights.items(), key=lambda item: -item[1])[:WALKED]
    parameters: dict[str, Any] = {
        "terms": list(query.weights),
        "exclude": exclude_id or 0,
        "me": actor.id,
    }
    for index, (term, weight) in enumerate(heaviest):
        parameters[f"w{index}"], parameters[f"q{index}"] = term, weight
    statement = _score_statement(len(heaviest) if staff else 0, staff, done)
    shares: dict[int, dict[int, float]] = {}
    for ticket_id, term, weight in connection.execute(statement, parameters):
        shares.setdefault(ticket_id, {})[term] = weight * query.weights[term]
    return shares


def _reason(query: _Query, shares: dict[int, float]) -> str:
    heaviest = sorted(shares, key=lambda term: -shares[term])[:REASON_WORDS]
    return "same words: " + ", ".join(query.words[term] for term in heaviest)


def _similar(
    connection: Connection,
    actor: Actor,
    title: str,
    description: str,
    exclude_id: int | None,
    limit: int,
    done: bool = False,
) -> list[SimilarTicket]:
    query = _query(connection, title, description, actor.can(Permission.READ_ALL))
    if not query.weights:
        return []
    shares = _scores(connection, actor, query, exclude_id, done)
    scored = sorted(
        ((min(1.0, sum(parts.values())), ticket_id) for ticket_id, parts in shares.items()),
        reverse=True,
    )
    best = [(score, ticket_id) for score, ticket_id in scored[:limit] if score >= MIN_SCORE]
    if not best:
        return []
    rows = connection.execute(
        sa.select(TICKETS.c.id, TICKETS.c.title, TICKETS.c.status, TICKETS.c.created_at).where(
            TICKETS.c.id.in_([ticket_id for _, ticket_id in best])
        )
    )
    found = {row.id: row for row in rows}
    return [
        SimilarTicket(
            id=ticket_id,
            title=found[ticket_id].title,
            status=found[ticket_id].status,
            created_at=found[ticket_id].created_at,
            score=round(score, 3),
            reason=_reason(query, shares[ticket_id]),
        )
        for score, ticket_id in best
    ]


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= LIMIT_MAX:
        raise InvalidInput.single("limit", f"must be between 1 and {LIMIT_MAX} (got {limit})")
    return limit


def find(
    actor: Actor,
    *,
    title: str,
    description: str,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[SimilarTicket]:
    """Up to `limit` (at most LIMIT_MAX) tickets the actor may see that are most like this
    text, most similar first; none for a text without a distinctive word."""
    with transaction() as connection:
        return _similar(connection, actor, title, description, exclude_id, _check_limit(limit))


def for_ticket(actor: Actor, *, ticket_id: int, limit: int = 5) -> list[SimilarTicket]:
    """The tickets most like ticket `ticket_id` (NotFound unless the actor may see it)."""
    with transaction() as connection:
        ticket = visible(connection, actor, ticket_id=ticket_id)
        return _similar(
            connection, actor, ticket.title, ticket.description, ticket.id, _check_limit(limit)
        )


def resolved_like(
    connection: Connection, actor: Actor, *, ticket: Any, limit: int
) -> list[SimilarTicket]:
    """The resolved or closed tickets most like `ticket` (a row), for a suggested reply."""
    return _similar(
        connection, actor, ticket.title, ticket.description, ticket.id, limit, done=True
    )
