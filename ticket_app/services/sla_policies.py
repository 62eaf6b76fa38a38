"""Service-level policies (admins): targets per priority, optionally narrowed by category, in
business minutes on a calendar.

Each write of a policy closes its current terms and opens new ones (`models/sla.py`), so a
change applies to tickets opened after it and a ticket's due times can always be replayed from
its own terms. A ticket's terms are those in force when it was opened for its current priority
and category, the policy for its category winning over the one for all categories (`terms_for`).
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from ticket_app.domain import Category, Priority
from ticket_app.models import SlaPolicy, SlaTerms, utc_now
from ticket_app.models.sla import TARGET_COLUMNS, TARGET_MAX_MINUTES
from ticket_app.services import sla_calendars
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.errors import InvalidInput, NotFound
from ticket_app.services.schemas import Timestamp, validated
from ticket_app.services.transaction import transaction

POLICIES = SlaPolicy.__table__
TERMS = SlaTerms.__table__
Minutes = int | None
TARGET_DOC = f"business minutes, 0..{TARGET_MAX_MINUTES:,}; null: no target"


class PolicyData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    priority: Priority
    category: Category | None = Field(default=None, description="null: every category")
    calendar_id: int | None = Field(default=None, description="null: the default calendar")
    first_response_minutes: Minutes = Field(
        default=None, ge=0, le=TARGET_MAX_MINUTES, description=TARGET_DOC
    )
    next_response_minutes: Minutes = Field(
        default=None, ge=0, le=TARGET_MAX_MINUTES, description=TARGET_DOC
    )
    resolution_minutes: Minutes = Field(
        default=None, ge=0, le=TARGET_MAX_MINUTES, description=TARGET_DOC
    )


class PolicyRead(PolicyData):
    id: int
    calendar_id: int | None
    created_at: Timestamp
    updated_at: Timestamp


def validate(data: dict[str, Any]) -> PolicyData:
    return validated(PolicyData, data)


def _read(row: Any) -> PolicyRead:
    return PolicyRead.model_validate(row._mapping)


def _values(connection: Connection, data: PolicyData) -> dict[str, Any]:
    calendar_id = data.calendar_id or sla_calendars.default_id(connection)
    if data.calendar_id is not None:
        try:
            sla_calendars.get_row(connection, data.calendar_id)
        except NotFound:
            raise InvalidInput.single("calendar_id", f"no calendar has id {calendar_id}") from None
    return {
        "priority": data.priority.value,
        "category": data.category.value if data.category else None,
        "calendar_id": calendar_id,
        **{name: getattr(data, name) for name in TARGET_COLUMNS},
    }


def _unique_scope(connection: Connection, values: dict[str, Any], own_id: int | None) -> None:
    query = sa.select(POLICIES.c.id).where(
        POLICIES.c.priority == values["priority"],
        sa.func.coalesce(POLICIES.c.category, "") == (values["category"] or ""),
    )
    if own_id is not None:
        query = query.where(POLICIES.c.id != own_id)
    if connection.execute(query).first() is not None:
        scope = values["priority"] + (f"/{values['category']}" if values["category"] else "")
        raise InvalidInput.single("priority", f"a policy for {scope} exists already; change it")


def _close_terms(connection: Connection, policy_id: int, at: datetime) -> None:
    connection.execute(
        sa.update(TERMS)
        .where(TERMS.c.policy_id == policy_id, TERMS.c.valid_to.is_(None))
        .values(valid_to=at)
    )


def _open_terms(connection: Connection, row: Any, calendar: str, at: datetime) -> None:
    connection.execute(
        sa.insert(TERMS).values(
            policy_id=row.id,
            priority=row.priority,
            category=row.category,
            calendar_id=row.calendar_id,
            calendar=calendar,
            valid_from=at,
            **{name: getattr(row, name) for name in TARGET_COLUMNS},
        )
    )


def _calendar_of(connection: Connection, calendar_id: int) -> str:
    return sla_calendars.definition(sla_calendars.get_row(connection, calendar_id))


def list_policies(actor: Actor) -> list[PolicyRead]:
    require(actor, Permission.MANAGE_SLA)
    with transaction() as connection:
        rows = connection.execute(sa.select(POLICIES).order_by(POLICIES.c.id))
        return [_read(row) for row in rows]


def create_policy(actor: Actor, *, data: PolicyData) -> PolicyRead:
    """Add a policy (admins); it applies to tickets opened from now on."""
    require(actor, Permission.MANAGE_SLA)
    now = utc_now()
    with transaction(write=True) as connection:
        values = _values(connection, data)
        _unique_scope(connection, values, None)
        row = connection.execute(
            sa.insert(POLICIES).values(**values, created_at=now, updated_at=now).returning(POLICIES)
        ).one()
        _open_terms(connection, row, _calendar_of(connection, row.calendar_id), now)
        return _read(row)


def _get(connection: Connection, policy_id: int) -> Any:
    row = connection.execute(sa.select(POLICIES).where(POLICIES.c.id == policy_id)).first()
    if row is None:
        raise NotFound.thing("policy", policy_id)
    return row


def update_policy(actor: Actor, *, policy_id: int, changes: dict[str, Any]) -> PolicyRead:
    """Change a policy (admins): only the fields in `changes`. Tickets opened before keep
    the terms they were opened under."""
    require(actor, Permission.MANAGE_SLA)
    now = utc_now()
    with transaction(write=True) as connection:
        old = _get(connection, policy_id)
        merged = {**_read(old).model_dump(include=set(PolicyData.model_fields)), **changes}
        values = _values(connection, validate(merged))
        _unique_scope(connection, values, policy_id)
        row = connection.execute(
            sa.update(POLICIES)
            .where(POLICIES.c.id == policy_id)
            .values(**values, updated_at=now)
            .returning(POLICIES)
        ).one()
        _close_terms(connection, policy_id, now)
        _open_terms(connection, row, _calendar_of(connection, row.calendar_id), now)
        return _read(row)


def delete_policy(actor: Actor, *, policy_id: int) -> None:
    """Delete a policy (admins): tickets opened from now on have no targets from it; tickets
    opened before keep theirs."""
    require(actor, Permission.MANAGE_SLA)
    with transaction(write=True) as connection:
        _get(connection, policy_id)
        _close_terms(connection, policy_id, utc_now())
        connection.execute(sa.delete(POLICIES).where(POLICIES.c.id == policy_id))


def reissue(connection: Connection, *, calendar_id: int, calendar: str) -> None:
    """New terms for every policy on a calendar whose definition changed."""
    now = utc_now()
    for row in connection.execute(sa.select(POLICIES).where(POLICIES.c.calendar_id == calendar_id)):
        _close_terms(connection, row.id, now)
        _open_terms(connection, row, calendar, now)


def terms_for(
    connection: Connection, *, priority: str, category: str, opened_at: datetime
) -> Any | None:
    """The terms in force at `opened_at` for this priority and category (the category's own
    policy first), or None: no policy covered the ticket when it was opened."""
    query = (
        sa.select(TERMS)
        .where(
            TERMS.c.priority == priority,
            sa.or_(TERMS.c.category == category, TERMS.c.category.is_(None)),
            TERMS.c.valid_from <= opened_at,
            sa.or_(TERMS.c.valid_to.is_(None), TERMS.c.valid_to > opened_at),
        )
        .order_by(TERMS.c.category.is_(None), TERMS.c.valid_from.desc())
        .limit(1)
    )
    return connection.execute(query).first()
