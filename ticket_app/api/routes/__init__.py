"""The REST routes under `/api`, one module per entity, assembled here.

Each module's router comes from `routing.resource_router`, which protects it with the token
dependency (`deps.current_actor`) unless it is made public, as only the health check is. So
a new route needs a token unless someone decides otherwise, visibly.
"""

from fastapi import FastAPI

from ticket_app.api.routes import (
    assist,
    attachments,
    bulk,
    canned_replies,
    comments,
    export,
    health,
    mail,
    me,
    merge,
    similar,
    sla,
    tickets,
    timeline,
    users,
    views,
)
from ticket_app.api.routing import fallback_router

ROUTERS = (
    health.router,
    export.router,  # before the ticket routes: `export.csv` is not a ticket id
    bulk.router,
    attachments.router,  # before the ticket and comment routes: their multipart twins
    tickets.router,
    comments.router,
    timeline.router,
    similar.router,
    merge.router,
    me.router,
    users.router,
    views.router,
    canned_replies.router,
    assist.router,
    sla.router,
    mail.router,
)


def install_routes(api: FastAPI) -> None:
    for router in ROUTERS:
        api.include_router(router)
    # Last: it answers for every other address under /api.
    api.include_router(fallback_router(route for router in ROUTERS for route in router.routes))
