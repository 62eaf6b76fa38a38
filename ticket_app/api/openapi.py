"""The OpenAPI document as the API behaves, for client generators and contract testers.

FastAPI documents a 422 for every route with parameters; this API never sends one (invalid
input is a 400 problem, see `problems.py`), so those entries and their schemas are replaced by
the `Problem` schema that the routes' problem responses refer to.

Operation ids are what users of a generated client type, so they are short and stable: the
route's tag and its function's name (`tickets-create_ticket`), not FastAPI's default that
spells out the path and method (`create_ticket_api_tickets__post`).
"""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from ticket_app.api.problems import Problem

_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def operation_id(route: APIRoute) -> str:
    """`tag-function` for documented routes; the function's name alone for the rest."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def install_openapi(api: FastAPI) -> None:
    """Make `api.openapi()` return the corrected document (built once, then cached)."""
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            api.openapi_schema = corrected(generate())
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way


def corrected(document: dict[str, Any]) -> dict[str, Any]:
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    return document
