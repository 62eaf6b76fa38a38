"""`/api/tickets/export.csv`: the list as CSV, with its filters, search and order, streamed."""

from datetime import UTC, datetime

from fastapi.responses import StreamingResponse

from ticket_app.api.deps import CurrentActor
from ticket_app.api.params import Filters
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import export
from ticket_app.services.access import Actor
from ticket_app.services.schemas import TicketFilters

router = resource_router("tickets")
CSV = "text/csv; charset=utf-8"


def csv_download(actor: Actor, filters: TicketFilters) -> StreamingResponse:
    """The streamed CSV answer, named for the moment it was made (the UI's download too)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        export.export_lines(actor, filters=filters),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="tickets-{stamp}.csv"'},
    )


@router.get(
    "/tickets/export.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {CSV: {}}, "description": "The tickets as CSV"},
        **problem_responses(400, 401, 503),
    },
    description="Columns: "
    + ", ".join(export.COLUMNS)
    + " (and note_count for agents and admins); requester and assignee are emails. RFC 4180, "
    "UTF-8 with a byte-order mark; cells that would start a spreadsheet formula get a "
    "leading apostrophe.",
)
async def export_csv(actor: CurrentActor, filters: Filters) -> StreamingResponse:
    return csv_download(actor, filters)
