"""What the service accepts and returns, validated the same way for the API and the UI.

The REST routes use these models as request bodies; the Reflex state validates browser input
through `validate_create`/`validate_patch`/`parse_filters`, so both refuse the same things with
the same messages.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ticket_app.domain import (
    DESCRIPTION_MAX_LENGTH,
    MAX_TICKET_ID,
    TITLE_MAX_LENGTH,
    Category,
    Priority,
    SlaFilter,
    Sort,
    Status,
)
from ticket_app.services.errors import FieldError, InvalidInput, NotFound

PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200
SEARCH_MAX_LENGTH = 200
SEARCH_MIN_RUN = 3  # letters or digits in a row: the shortest text a trigram index serves
COUNT_CAP = 10_000  # counts that cannot come from the counters stop here
READ_ONLY_FIELDS = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "suggested_category",
        "suggested_priority",
        "created_by",
        "version",
        "comment_count",
        "note_count",
        "merged_into_id",
    }
)

EnumT = TypeVar("EnumT", Category, Priority, Status)
ModelT = TypeVar("ModelT", bound=BaseModel)

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_storable(value: str) -> str:
    """Refuse NUL characters and lone surrogates, which PostgreSQL cannot store."""
    found = _UNSTORABLE.search(value)
    if found:
        kind = "NUL characters" if found.group() == "\x00" else "lone surrogate characters"
        raise ValueError(f"must not contain {kind}")
    return value


def _title(value: str) -> str:
    value = check_storable(value).strip()
    if not value:
        raise ValueError("must not be blank")
    if len(value) > TITLE_MAX_LENGTH:
        raise ValueError(f"must be at most {TITLE_MAX_LENGTH} characters (got {len(value)})")
    return value


def _description(value: str) -> str:
    check_storable(value)
    if not value.strip():
        raise ValueError("must not be blank")
    if len(value) > DESCRIPTION_MAX_LENGTH:
        raise ValueError(
            f"must be at most {DESCRIPTION_MAX_LENGTH:,} characters (got {len(value):,})"
        )
    return value


def _text_schema(max_length: int) -> WithJsonSchema:
    """What the OpenAPI document says of a required text: not blank (some non-space
    character), bounded. Only documented there: the validators above give the messages."""
    return WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S"}
    )


def _with_offset(value: datetime) -> str:
    return value.isoformat()


Timestamp = Annotated[
    datetime,
    PlainSerializer(_with_offset, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time as every answer sends it: ISO 8601 with an explicit `+00:00` (pydantic's own `Z`
is not read by every client's parser)."""

Title = Annotated[str, AfterValidator(_title), _text_schema(TITLE_MAX_LENGTH)]
Description = Annotated[str, AfterValidator(_description), _text_schema(DESCRIPTION_MAX_LENGTH)]


def _optional_not_null(schema: dict[str, Any]) -> None:
    """A partial update's schema: each field may be left out but never sent as null, and at
    least one must be sent (the model's validators enforce both)."""
    for field in schema["properties"].values():
        choices = field.pop("anyOf", [])
        field.update(next((c for c in choices if c.get("type") != "null"), {}))
        field.pop("default", None)
    schema["minProperties"] = 1


class TicketCreate(BaseModel):
    """A new ticket; category and priority are suggested by the classifier when missing."""

    model_config = ConfigDict(extra="forbid")

    title: Title = Field(description=f"1..{TITLE_MAX_LENGTH} characters, not blank")
    description: Description = Field(
        description=f"Not blank, at most {DESCRIPTION_MAX_LENGTH:,} characters"
    )
    category: Category | None = Field(
        default=None, description="Classified when missing; agents and admins only"
    )
    priority: Priority | None = Field(
        default=None, description="Classified when missing; agents and admins only"
    )
    status: Status | None = Field(
        default=None,
        description="Open when missing; agents and admins only (to import from another desk)",
    )


class TicketPatch(BaseModel):
    """A partial update: only the fields sent are written."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_optional_not_null)

    title: Title | None = None
    description: Description | None = None
    category: Category | None = None
    priority: Priority | None = None
    status: Status | None = None
    assignee_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_TICKET_ID,
        description="An active agent or admin; null unassigns",
        json_schema_extra={"nullable": True},
    )

    @field_validator("title", "description", "category", "priority", "status", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep its value")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one of: " + ", ".join(type(self).model_fields))
        return self

    def changes(self) -> dict[str, str | int | None]:
        """The fields the client sent, as values ready to store."""
        return {
            name: value if name == "assignee_id" else str(value)
            for name, value in self.model_dump(exclude_unset=True).items()
        }


class Participant(BaseModel):
    """Someone besides the requester who reads a ticket and replies to it."""

    id: int
    name: str


class AttachmentRead(BaseModel):
    """A file on a ticket or comment, as the API lists it (its bytes: `GET
    /api/attachments/{id}/`)."""

    id: int
    ticket_id: int
    comment_id: int | None = Field(description="Null for the files that came with the ticket")
    filename: str
    size: int = Field(description="Bytes")
    content_type: str = Field(description="Read from the content, not from the name")
    sha256: str
    state: str = Field(description="stored; pending: waits for a virus scan, not served yet")
    thumbnail: bool = Field(description="A thumbnail is served (raster images only)")
    created_at: Timestamp


class SlaRead(BaseModel):
    """A ticket's service levels (staff only; null for requesters): the due times of running
    targets (null: met, paused, stopped or no target), whether the clock is paused (waiting on
    the requester) and the targets breached (never cleared once recorded)."""

    policy_id: int | None = Field(description="null: no policy covered the ticket when opened")
    first_response_due_at: Timestamp | None
    next_response_due_at: Timestamp | None
    resolution_due_at: Timestamp | None
    paused: bool
    breached: list[Literal["first_response", "next_response", "resolution"]]


class TicketRead(BaseModel):
    """A ticket as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    category: Category
    priority: Priority
    status: Status
    created_at: Timestamp
    updated_at: Timestamp
    suggested_category: Category | None
    suggested_priority: Priority | None
    created_by: int | None = Field(description="The requester's user id; null for old tickets")
    assignee_id: int | None
    version: int = Field(description="Moves on every change; the ETag")
    comment_count: int = Field(description="Public replies")
    note_count: int | None = Field(description="Internal notes; null for requesters")
    merged_into_id: int | None = Field(description="The ticket this one was merged into")
    participants: list[Participant] = Field(
        default_factory=list,
        description="People besides the requester who read this ticket's public part and "
        "reply to it: requesters of tickets merged into it, shared when it was merged, and "
        "people copied (Cc) on the mail that opened it or on its requester's later mail",
    )
    attachments: list[AttachmentRead] = Field(
        default_factory=list, description="The files that came with the ticket itself"
    )
    sla: SlaRead | None = Field(
        default=None, description="Service levels; null for requesters (see /sla/ to explain)"
    )


class Stats(BaseModel):
    """Dashboard numbers; every breakdown key is always present."""

    total_tickets: int
    open_tickets: int
    avg_tickets_per_day: float
    priority_breakdown: dict[Priority, int]
    category_breakdown: dict[Category, int]
    status_breakdown: dict[Status, int]
    capped: bool = Field(
        default=False,
        description=f"True when more than {COUNT_CAP:,} tickets matched a search (or a "
        "requester's own tickets) and the figures cover the newest of them only",
    )


@dataclass(frozen=True)
class TicketFilters:
    """Which tickets a list, count, export or stats covers, and in which order.

    Empty values mean no restriction. `assignee` is "", "me", "none" or a user id in digits;
    `requester` is "", "me" or a user id: "me" is resolved against the acting user by the
    service, so a saved view "my open tickets" means each user's own.
    """

    category: tuple[Category, ...] = ()
    priority: tuple[Priority, ...] = ()
    status: tuple[Status, ...] = ()
    search: str = ""
    assignee: str = ""
    requester: str = ""
    sort: Sort = Sort.NEWEST
    sla: SlaFilter | None = None

    def fingerprint(self) -> str:
        """A stable text of the filters, so a cursor can be tied to the list it came from."""
        parts = [
            ",".join(sorted(v.value for v in self.category)),
            ",".join(sorted(v.value for v in self.priority)),
            ",".join(sorted(v.value for v in self.status)),
            self.search,
            self.assignee,
            self.requester,
            self.sort.value,
            self.sla.value if self.sla else "",
        ]
        return "\x1f".join(parts)

    def query_params(self) -> dict[str, str]:
        """The filters in their text form (the inverse of `parse_filters`), empty ones left out."""
        params = {
            "category": ",".join(v.value for v in self.category),
            "priority": ",".join(v.value for v in self.priority),
            "status": ",".join(v.value for v in self.status),
            "search": self.search,
            "assignee": self.assignee,
            "requester": self.requester,
            "sort": "" if self.sort == Sort.NEWEST else self.sort.value,
            "sla": self.sla.value if self.sla else "",
        }
        return {key: value for key, value in params.items() if value}


FILTER_PARAMETERS = (
    "category",
    "priority",
    "status",
    "search",
    "assignee",
    "requester",
    "sort",
    "sla",
)
_SEARCHABLE = re.compile(rf"[^\W_]{{{SEARCH_MIN_RUN}}}")


def _search(raw: str | None, errors: list[FieldError]) -> str:
    """The search text, trimmed; it must hold a run of SEARCH_MIN_RUN letters or digits,
    which is what a trigram index can look up (a shorter one would read every ticket)."""
    text = (raw or "").strip()
    try:
        check_storable(text)
    except ValueError as error:
        errors.append(FieldError("search", str(error)))
        return text
    if len(text) > SEARCH_MAX_LENGTH:
        errors.append(FieldError("search", f"must be at most {SEARCH_MAX_LENGTH} characters"))
    elif text and not _SEARCHABLE.search(text):
        errors.append(
            FieldError(
                "search",
                f"needs at least {SEARCH_MIN_RUN} letters or digits in a row (like 'vpn'); "
                "shorter searches are not supported",
            )
        )
    return text


def _person(field: str, raw: str | None, words: tuple[str, ...], errors: list[FieldError]) -> str:
    """An assignee or requester filter: one of `words` or a user id."""
    text = (raw or "").strip().lower()
    if not text or text in words or (text.isdigit() and 1 <= int(text) <= MAX_TICKET_ID):
        return text
    expected = ", ".join(repr(word) for word in words)
    errors.append(FieldError(field, f"must be {expected} or a user id (got {raw!r})"))
    return ""


def _sort(raw: str | None, errors: list[FieldError]) -> Sort:
    text = (raw or "").strip().lower()
    if not text:
        return Sort.NEWEST
    try:
        return Sort(text)
    except ValueError:
        expected = ", ".join(member.value for member in Sort)
        errors.append(FieldError("sort", f"unknown value {raw!r}; expected one of {expected}"))
        return Sort.NEWEST


def _sla(raw: str | None, sort: str | None, errors: list[FieldError]) -> SlaFilter | None:
    """`sla=breached|due_soon`; such a list is read in the order `due` (the due index serves
    the filter and the order together), so another order is refused by name."""
    text = (raw or "").strip().lower()
    if not text:
        return None
    try:
        value = SlaFilter(text)
    except ValueError:
        expected = ", ".join(member.value for member in SlaFilter)
        errors.append(FieldError("sla", f"unknown value {raw!r}; expected one of {expected}"))
        return None
    if (sort or "").strip().lower() not in ("", Sort.DUE.value):
        errors.append(FieldError("sort", "a list filtered by sla is sorted by due; leave sort out"))
    return value


def _parse_values(
    field: str, raw: str | None, enum: type[EnumT], errors: list[FieldError]
) -> tuple[EnumT, ...]:
    if raw is None or raw.strip() == "":
        return ()
    values: list[EnumT] = []
    for item in raw.split(","):
        item = item.strip()
        try:
            value = enum(item)
        except ValueError:
            expected = ", ".join(member.value for member in enum)
            errors.append(FieldError(field, f"unknown value {item!r}; expected one of {expected}"))
            continue
        if value not in values:
            values.append(value)
    return tuple(values)


def parse_filters(
    *,
    category: str | None = None,
    priority: str | None = None,
    status: str | None = None,
    search: str | None = None,
    assignee: str | None = None,
    requester: str | None = None,
    sort: str | None = None,
    sla: str | None = None,
    limit: int | None = None,
) -> TicketFilters:
    """Filters from their text form (comma lists), refusing unknown values by name.

    `limit`, when given, is checked in the same pass so one answer names every bad parameter.
    """
    errors: list[FieldError] = []
    if limit is not None and (limit_error := _limit_error(limit)):
        errors.append(limit_error)
    service_level = _sla(sla, sort, errors)
    filters = TicketFilters(
        category=_parse_values("category", category, Category, errors),
        priority=_parse_values("priority", priority, Priority, errors),
        status=_parse_values("status", status, Status, errors),
        search=_search(search, errors),
        assignee=_person("assignee", assignee, ("me", "none"), errors),
        requester=_person("requester", requester, ("me",), errors),
        sort=Sort.DUE if service_level else _sort(sort, errors),
        sla=service_level,
    )
    if errors:
        raise InvalidInput(errors)
    return filters


def _limit_error(limit: int) -> FieldError | None:
    if 1 <= limit <= PAGE_LIMIT_MAX:
        return None
    return FieldError("limit", f"must be between 1 and {PAGE_LIMIT_MAX} (got {limit})")


def check_limit(limit: int) -> int:
    """The page size, or InvalidInput naming it."""
    if limit_error := _limit_error(limit):
        raise InvalidInput([limit_error])
    return limit


def field_errors(
    items: Iterable[Mapping[str, Any]], drop_prefix: tuple[str, ...] = ()
) -> list[FieldError]:
    """Pydantic's error dicts as FieldErrors with messages a person can act on."""
    result: list[FieldError] = []
    for item in items:
        location = [str(part) for part in item["loc"]]
        if location and location[0] in drop_prefix:  # where it came from: body, query, path
            location.pop(0)
        field = ".".join(location) or "body"
        kind = item["type"]
        if kind == "extra_forbidden":
            message = (
                "is read-only and cannot be set"
                if field in READ_ONLY_FIELDS
                else "is not a known field"
            )
        elif kind == "missing":
            message = "is required"
        else:
            message = item["msg"].removeprefix("Value error, ")
        result.append(FieldError(field, message))
    return result


def validated(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """`model` from untrusted data, or InvalidInput naming each bad field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise InvalidInput(field_errors(error.errors())) from None


def validate_create(data: Mapping[str, Any]) -> TicketCreate:
    """A TicketCreate from untrusted data, or InvalidInput naming each bad field."""
    return validated(TicketCreate, data)


def validate_patch(data: Mapping[str, Any]) -> TicketPatch:
    """A TicketPatch from untrusted data, or InvalidInput naming each bad field."""
    return validated(TicketPatch, data)


def validate_ticket_id(value: Any) -> int:
    """A ticket id from untrusted input (e.g. a browser event argument): InvalidInput unless
    it is a positive whole number, NotFound past the id column's range (never a database
    error)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput.single("id", "must be a positive whole number")
    if value > MAX_TICKET_ID:
        raise NotFound.ticket(value)
    return value
