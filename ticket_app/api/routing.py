"""Routing for `/api`: paths with or without the trailing slash, and answers for every other
address under it.

Reflex mounts its own app (the compiled pages) beneath ours, and a mount matches any path and
any method. Without a route of our own for the rest of `/api`, a wrong method or an unknown API
path would fall through to the pages and get an HTML 404 or a plain-text 405.
"""

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.routing import BaseRoute, Route

from ticket_app.api.deps import current_actor
from ticket_app.api.problems import NOTHING_HERE, problem

ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


class SlashOptionalRouter(APIRouter):
    """Registers every `/path/` route a second time as `/path`, hidden from the OpenAPI
    document, so clients that drop the slash get the same answer instead of a 307."""

    def add_api_route(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().add_api_route(path, endpoint, **kwargs)
        if path.endswith("/") and len(path) > 1:
            alias = {**kwargs, "include_in_schema": False}
            super().add_api_route(path.rstrip("/"), endpoint, **alias)


def resource_router(tag: str, *, public: bool = False) -> SlashOptionalRouter:
    """The router of one module of routes under `/api`: protected by the token dependency
    unless `public` says otherwise (only the health check does)."""
    dependencies = [] if public else [Depends(current_actor)]
    return SlashOptionalRouter(prefix="/api", tags=[tag], dependencies=dependencies)


def methods_at(routes: Iterable[BaseRoute], path: str) -> set[str]:
    """Every method some route serves at `path`."""
    return {
        method
        for route in routes
        if isinstance(route, Route) and route.methods and route.path_regex.match(path)
        for method in route.methods
    }


def fallback_router(routes: Iterable[BaseRoute]) -> APIRouter:
    """A router that answers for the rest of `/api`; include it after every other router.

    An unknown path gets a 404 problem; a known one asked with the wrong method a 405 problem
    whose `Allow` lists the methods of every route at that path (Starlette's own 405 lists only
    the first route's); OPTIONS gets a 204 with `Allow`. CORS preflights never get here: the
    CORS middleware answers them.
    """
    routes = list(routes)

    async def no_such_route(request: Request) -> Response:
        allowed = methods_at(routes, request.url.path)
        if not allowed:
            return problem(404, NOTHING_HERE)
        allow = ", ".join(sorted(allowed))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": allow})
        detail = f"{request.method} is not allowed here; use {allow}."
        return problem(405, detail, headers={"Allow": allow})

    router = APIRouter(prefix="/api")
    router.add_api_route(
        "/{path:path}",
        no_such_route,
        methods=list(ALL_METHODS),
        response_model=None,
        include_in_schema=False,
    )
    return router
