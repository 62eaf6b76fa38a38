"""RFC 9457 problem responses, and the handlers that turn every error into one.

No handler ever shows a stack trace: unexpected errors are logged and answered with a plain
500 problem.
"""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ticket_app.services.errors import (
    DatabaseBusy,
    DatabaseUnavailable,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    NotServed,
    NotSignedIn,
    Throttled,
    TooLarge,
    VersionMismatch,
)
from ticket_app.services.schemas import field_errors

logger = logging.getLogger("ticket_app.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
_SLUGS = {
    400: "invalid-input",
    401: "not-signed-in",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    429: "too-many-requests",
    503: "service-unavailable",
}


NOTHING_HERE = "There is nothing at this address."


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


class ProblemField(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """The body of every error answer (RFC 9457), as the OpenAPI document describes it."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemField]


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem answers a route can give (`openapi.py` adds `Problem`)."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
        }
        for status in statuses
    }


def problem(
    status: int,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemResponse:
    """A problem+json response; `type` is a stable slug per status, `title` the status phrase."""
    body: dict[str, Any] = {
        "type": f"/api/problems/{_SLUGS.get(status, 'error')}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": [{"field": e.field, "message": e.message} for e in errors or []],
        **extra,
    }
    return ProblemResponse(body, status_code=status, headers=headers)


def _invalid(errors: list[FieldError]) -> ProblemResponse:
    names = ", ".join(dict.fromkeys(error.field for error in errors))
    return problem(400, f"The request has invalid input: {names}.", errors)


def _labelled_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


async def _on_validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            errors.append(FieldError("body", "is not valid JSON"))
        elif error.get("type") == "model_attributes_type" and not _labelled_json(request):
            # FastAPI reads a body as JSON only when it is labelled so.
            declared = request.headers.get("content-type", "none")
            message = f"must be a JSON object sent as application/json (got {declared})"
            errors.append(FieldError("body", message))
        elif error.get("type") == "model_attributes_type" or (
            error.get("loc") == ("body",) and error.get("type") in {"dict_type", "missing"}
        ):
            errors.append(FieldError("body", "must be a JSON object"))
    if not errors:
        errors = field_errors(exc.errors(), drop_prefix=("body", "query", "path"))
    return _invalid(errors)


async def _on_invalid_input(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, InvalidInput)
    return _invalid(exc.errors)


async def _on_not_found(_request: Request, exc: Exception) -> ProblemResponse:
    return problem(404, str(exc))


async def _on_not_signed_in(request: Request, exc: Exception) -> ProblemResponse:
    challenge = "Bearer"
    if request.headers.get("authorization"):
        challenge = 'Bearer error="invalid_token"'
    return problem(401, str(exc), headers={"WWW-Authenticate": challenge})


async def _on_forbidden(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, Forbidden)
    errors = [FieldError(exc.field, str(exc))] if exc.field else []
    return problem(403, str(exc), errors)


async def _on_too_large(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, TooLarge)
    return problem(413, str(exc), [FieldError(exc.field, str(exc))])


async def _on_not_served(_request: Request, exc: Exception) -> ProblemResponse:
    return problem(409, str(exc), headers={"Retry-After": "60"})


async def _on_version_mismatch(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, VersionMismatch)
    return problem(412, str(exc), headers={"ETag": f'"{exc.current}"'})


async def _on_throttled(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, Throttled)
    return problem(429, str(exc), headers={"Retry-After": str(exc.retry_after)})


async def _on_database_unavailable(_request: Request, exc: Exception) -> ProblemResponse:
    state = "busy" if isinstance(exc, DatabaseBusy) else "unavailable"
    logger.warning("database %s: %s", state, exc.__cause__ or exc)
    return problem(503, str(exc), headers={"Retry-After": "5"})


async def _on_http_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = NOTHING_HERE
    return problem(exc.status_code, detail, headers=exc.headers)


async def _on_unexpected(request: Request, exc: Exception) -> ProblemResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(500, "Something went wrong on our side; nothing was changed. Try again.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(InvalidInput, _on_invalid_input)
    app.add_exception_handler(NotFound, _on_not_found)
    app.add_exception_handler(NotSignedIn, _on_not_signed_in)
    app.add_exception_handler(Forbidden, _on_forbidden)
    app.add_exception_handler(VersionMismatch, _on_version_mismatch)
    app.add_exception_handler(TooLarge, _on_too_large)
    app.add_exception_handler(NotServed, _on_not_served)
    app.add_exception_handler(Throttled, _on_throttled)
    app.add_exception_handler(DatabaseUnavailable, _on_database_unavailable)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
