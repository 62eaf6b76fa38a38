"""CSV export of a ticket list: its filters, search and order, streamed a page at a time.

Rows are read by the same keyset walk as the list, EXPORT_PAGE at a time, each page in a short
transaction of its own, so memory stays flat at a million rows and the first bytes leave at
once. RFC 4180 quoting (the csv module), UTF-8 with a byte-order mark (so spreadsheet programs
read it as UTF-8), and cells that a spreadsheet would run as a formula (starting with `=`, `+`,
`-`, `@`, a tab or a carriage return) get a leading apostrophe. Requesters export only their
own tickets, and never internal counts; nothing from a comment is ever exported.
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

from ticket_app.services import listing, users
from ticket_app.services.access import Actor, sees_internal
from ticket_app.services.schemas import TicketFilters
from ticket_app.services.transaction import transaction

EXPORT_PAGE = 1_000
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (  # the documented columns, in this order (staff also get note_count)
    "id",
    "title",
    "description",
    "category",
    "priority",
    "status",
    "requester",
    "assignee",
    "created_at",
    "updated_at",
    "suggested_category",
    "suggested_priority",
    "comment_count",
    "merged_into_id",
)
STAFF_COLUMNS = (*COLUMNS, "note_count")


def neutral(value: Any) -> str:
    """A cell's text, with a leading apostrophe where a spreadsheet would see a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _line(cells: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutral(cell) for cell in cells])
    return buffer.getvalue()


def _cells(row: Any, people: dict[int, users.Person], staff: bool) -> list[Any]:
    def who(ident: int | None) -> str:
        return people[ident].email if ident in people else ""

    cells = [
        row.id,
        row.title,
        row.description,
        row.category,
        row.priority,
        row.status,
        who(row.created_by),
        who(row.assignee_id),
        row.created_at.isoformat(),
        row.updated_at.isoformat(),
        row.suggested_category,
        row.suggested_priority,
        row.comment_count,
        row.merged_into_id,
    ]
    return [*cells, row.note_count] if staff else cells


def export_lines(actor: Actor, filters: TicketFilters) -> Iterator[str]:
    """The CSV text of the list, line by line, starting with the header (and the BOM)."""
    staff = sees_internal(actor)
    header = STAFF_COLUMNS if staff else COLUMNS
    yield BOM + _line(list(header))
    resolved = listing.resolve(actor, filters)
    after = None
    while True:
        with transaction() as connection:
            wanted = listing.conditions(connection, resolved)
            rows = listing.walk(connection, wanted, filters.sort, after, EXPORT_PAGE)
        if not rows:
            return
        people = users.people(
            {ident for row in rows for ident in (row.created_by, row.assignee_id) if ident}
        )
        yield "".join(_line(_cells(row, people, staff)) for row in rows)
        if len(rows) < EXPORT_PAGE:
            return
        after = listing.position(filters.sort, rows[-1])
