"""CSV export of a ticket list: its filters, search and order, streamed a page at a time.

Rows are read by the same keyset walk as the list, EXPORT_PAGE at a time, each page in a short
transaction of its own, so memory stays flat at a million rows and the first bytes leave at
once. RFC 4180 quoting (the csv module), UTF-8 with a byte-order mark (so spreadsheet programs
read it as UTF-8). Requesters export only their own tickets, and never internal counts; nothing
from a comment is ever exported.

Formulas are neutralised per segment, not per cell. A spreadsheet runs a cell starting with
`=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so such a cell gets a leading
apostrophe; but a spreadsheet whose list separator is `;` (most of continental Europe) opens
this comma-separated file by splitting at every `;`, quotes or not (a quote only counts at the
start of a field), so `Refund;=1+2` becomes a cell `=1+2`. The same holds for a tab, and for
a line break read as the end of a row. So every such segment of a cell (after a `;`, `,`,
tab or line break) that starts with a formula character gets the apostrophe too:
`Refund;'=1+2`. Every cell is quoted, so a reader that guesses the separator sees one field.
"""

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from ticket_app.services import listing, users
from ticket_app.services.access import Actor, sees_internal
from ticket_app.services.listing import TICKETS
from ticket_app.services.schemas import TicketFilters
from ticket_app.services.transaction import transaction

EXPORT_PAGE = 1_000
BOM = "\ufeff"
# A formula character at the start of the cell or right after a separator a spreadsheet may
# split at (the start of a segment): an apostrophe goes before it.
SEGMENT_FORMULA = re.compile(r"(?:^|(?<=[;,\t\r\n]))(?=[=+\-@\t\r])")
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
    """A cell's text, with an apostrophe before each segment a spreadsheet would see as a
    formula (see the module's docstring)."""
    text = "" if value is None else str(value)
    return SEGMENT_FORMULA.sub("'", text)


def _lines(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return buffer.getvalue()


# The columns read for a row, in COLUMNS' order (created_by and assignee_id become emails).
READ = tuple(
    TICKETS.c[name]
    for name in (
        "id", "title", "description", "category", "priority", "status", "created_by",
        "assignee_id", "created_at", "updated_at", "suggested_category",
        "suggested_priority", "comment_count", "merged_into_id", "note_count",
    )
)  # fmt: skip
TEXT = (1, 2)  # title, description: the cells a person wrote (enums, ids and times cannot
# start with a formula character; emails are neutralised where they are looked up)


def _cells(row: Any, people: dict[int, str], staff: bool) -> list[Any]:
    cells = list(row[:14])
    for index in TEXT:
        cells[index] = neutral(cells[index])
    cells[6] = people.get(cells[6], "")
    cells[7] = people.get(cells[7], "")
    cells[8] = cells[8].isoformat()
    cells[9] = cells[9].isoformat()
    if staff:
        cells.append(row[14])
    return cells


def export_lines(actor: Actor, *, filters: TicketFilters) -> Iterator[str]:
    """The CSV text of the list a page at a time, starting with the header (and the BOM)."""
    staff = sees_internal(actor)
    header = STAFF_COLUMNS if staff else COLUMNS
    yield BOM + _lines([list(header)])
    resolved = listing.resolve(actor, filters=filters)
    after = None
    while True:
        with transaction() as connection:
            rows = listing.walk(connection, resolved, after=after, limit=EXPORT_PAGE, columns=READ)
        if not rows:
            return
        ids = {ident for row in rows for ident in (row[6], row[7]) if ident}
        people = {ident: neutral(person.email) for ident, person in users.people(ids).items()}
        yield _lines([_cells(row, people, staff) for row in rows])
        if len(rows) < EXPORT_PAGE:
            return
        after = listing.ORDERS[filters.sort].position(rows[-1])
