"""The query parameters of ticket lists, shared by the list, stats, export and bulk routes.

The patterns only document the values: `parse_filters` checks them, so a wrong one is named in
a 400 problem rather than refused by a regex.
"""

import inspect
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Query

from ticket_app.domain import Category, Priority, SlaFilter, Sort, Status
from ticket_app.services.schemas import (
    PAGE_LIMIT_DEFAULT,
    PAGE_LIMIT_MAX,
    SEARCH_MAX_LENGTH,
    SEARCH_MIN_RUN,
    TicketFilters,
    parse_filters,
)


def _values(enum: type[StrEnum]) -> Any:
    """A comma-list filter parameter over an enum's values."""
    values = [member.value for member in enum]
    one = "(?:" + "|".join(values) + ")"
    return Annotated[
        str | None,
        Query(
            description="One of " + ", ".join(values) + ", or a comma list of them",
            json_schema_extra={"pattern": rf"^\s*(?:{one}\s*(?:,\s*{one}\s*)*)?$"},
        ),
    ]


CategoryFilter = _values(Category)
PriorityFilter = _values(Priority)
StatusFilter = _values(Status)
SearchText = Annotated[
    str | None,
    Query(
        description="Case-insensitive substring of title or description; needs "
        f"{SEARCH_MIN_RUN} letters or digits in a row",
        json_schema_extra={"maxLength": SEARCH_MAX_LENGTH},
    ),
]
AssigneeFilter = Annotated[
    str | None,
    Query(
        description="`me`, `none` (unassigned) or a user id",
        json_schema_extra={"pattern": r"^\s*(?:me|none|[1-9][0-9]{0,9})?\s*$"},
    ),
]
RequesterFilter = Annotated[
    str | None,
    Query(
        description="`me` (tickets you created) or a user id",
        json_schema_extra={"pattern": r"^\s*(?:me|[1-9][0-9]{0,9})?\s*$"},
    ),
]
SortOrder = Annotated[
    str | None,
    Query(
        description="newest (default), oldest, priority (critical first, then newest), "
        "activity (most recent change or comment first) or due (earliest service-level due "
        "time first, tickets with none last)",
        json_schema_extra={"enum": [member.value for member in Sort]},
    ),
]
SlaFilterParam = Annotated[
    str | None,
    Query(
        description="breached (a running target is past its due time) or due_soon (due within "
        "the hour); listed in the order due",
        json_schema_extra={"enum": [member.value for member in SlaFilter]},
    ),
]
PageCursor = Annotated[
    str | None,
    Query(
        description="Opaque; copy it from the previous page's Link header",
        json_schema_extra={"pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"},
    ),
]
PageLimit = Annotated[
    int,
    Query(
        description=f"Page size, 1..{PAGE_LIMIT_MAX}",
        json_schema_extra={"minimum": 1, "maximum": PAGE_LIMIT_MAX},
    ),
]


def ticket_filters(
    category: CategoryFilter = None,
    priority: PriorityFilter = None,
    status: StatusFilter = None,
    search: SearchText = None,
    assignee: AssigneeFilter = None,
    requester: RequesterFilter = None,
    sort: SortOrder = None,
    sla: SlaFilterParam = None,
) -> TicketFilters:
    """The list's filters and order from the query string, or a 400 naming each bad one."""
    return parse_filters(
        category=category,
        priority=priority,
        status=status,
        search=search,
        assignee=assignee,
        requester=requester,
        sort=sort,
        sla=sla,
    )


Filters = Annotated[TicketFilters, Depends(ticket_filters)]


@dataclass(frozen=True)
class PagedFilters:
    filters: TicketFilters
    limit: int


def paged_filters(limit: int = PAGE_LIMIT_DEFAULT, **params: str | None) -> PagedFilters:
    """The list's filters and page size, checked in one pass so one answer names every bad
    parameter (its signature is `ticket_filters`' plus `limit`, set below)."""
    return PagedFilters(parse_filters(**params, limit=limit), limit)


paged_filters.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter(
            "limit",
            inspect.Parameter.KEYWORD_ONLY,
            default=PAGE_LIMIT_DEFAULT,
            annotation=PageLimit,
        ),
        *(
            parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for parameter in inspect.signature(ticket_filters).parameters.values()
        ),
    ]
)
Paged = Annotated[PagedFilters, Depends(paged_filters)]
