"""Read a `multipart/form-data` upload as it arrives, refusing it the moment it breaks a limit.

The body is parsed piece by piece (Starlette's parser over python-multipart), each file going
to a temporary file that stays in memory up to a megabyte and spills to disk beyond. A file
passing `ATTACHMENT_MAX_BYTES`, the files together passing `ATTACHMENT_MAX_MESSAGE_BYTES`, or
an eleventh file stops the reading there with the service's own error (413 or 400 naming the
limit); the body limit middleware has already refused a body that declared more than a
message may hold. A body that ends before its closing boundary is refused as truncated.

Multipart routes are registered at the same paths as their JSON twins (`MultipartRoute` only
matches multipart requests), so `POST /api/tickets/` takes either.
"""

from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.routing import Match
from starlette.types import Scope

from ticket_app.config import get_settings
from ticket_app.domain import ATTACHMENTS_PER_MESSAGE
from ticket_app.services import attachment_files
from ticket_app.services.attachment_files import IncomingFile
from ticket_app.services.errors import InvalidInput

FILE_FIELD = "file"
MAX_FIELDS = 20
MULTIPART = "multipart/form-data"


def is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.split(b";")[0].strip().lower() == MULTIPART.encode()
    return False


class MultipartRoute(APIRoute):
    """A route that only answers `multipart/form-data` bodies; other bodies go on to the
    route registered after it at the same path."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not is_multipart(scope):
            return Match.NONE, {}
        return super().matches(scope)


@dataclass(frozen=True)
class Upload:
    """The text fields and the files of one multipart body."""

    fields: dict[str, str]
    files: list[IncomingFile]


class _LimitedParser(MultiPartParser):
    """Starlette's parser with the attachment limits checked as the bytes arrive."""

    def __init__(self, request: Request, fields: frozenset[str]) -> None:
        super().__init__(
            request.headers,
            request.stream(),
            max_fields=MAX_FIELDS,
            max_part_size=get_settings().max_body_bytes,
        )
        self.allowed = fields
        self.sizes: dict[int, int] = {}
        self.total = 0
        self.count = 0
        self.ended = False

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        part = self._current_part
        if part.file is None:
            if part.field_name not in self.allowed | {FILE_FIELD}:
                raise InvalidInput.single(part.field_name, "is not a field of this form")
            return
        if part.field_name != FILE_FIELD:
            raise InvalidInput.single(part.field_name, f"send files as `{FILE_FIELD}` parts")
        self.count += 1
        attachment_files.check_count(self.count)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is not None:
            size = self.sizes.get(id(part), 0) + (end - start)
            self.sizes[id(part)] = size
            self.total += end - start
            attachment_files.check_file_size(size, part.file.filename or "")
            attachment_files.check_message_size(self.total)
        super().on_part_data(data, start, end)

    def on_end(self) -> None:
        self.ended = True


def _files(items: list[tuple[str, Any]]) -> Iterator[IncomingFile]:
    for _, value in items:
        if isinstance(value, UploadFile):
            value.file.seek(0, 2)
            empty = value.file.tell() == 0
            value.file.seek(0)
            if empty and not value.filename:
                continue  # a form's file input with no file chosen
            yield IncomingFile(value.filename or "", value.file)


@asynccontextmanager
async def read_upload(request: Request, fields: frozenset[str]) -> Any:
    """The upload's fields and files (closed when the block ends); InvalidInput or
    TooLarge as soon as the body breaks a rule."""
    parser = _LimitedParser(request, fields)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        message = f"is not valid multipart/form-data: {error.message}"
        raise InvalidInput.single("body", message) from None
    try:
        if not parser.ended:
            raise InvalidInput.single("body", "the multipart body ended before its last boundary")
        items = list(form.multi_items())
        values = [(name, value) for name, value in items if isinstance(value, str)]
        if any(value for name, value in values if name == FILE_FIELD):
            raise InvalidInput.single(FILE_FIELD, "must be a file (a part with a filename)")
        values = [(name, value) for name, value in values if name != FILE_FIELD]
        names = [name for name, _ in values]
        if repeated := sorted({name for name in names if names.count(name) > 1}):
            raise InvalidInput.single(repeated[0], "is sent more than once")
        yield Upload(fields=dict(values), files=list(_files(items)))
    finally:
        await form.close()


def multipart_doc(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI `requestBody` alternative of a JSON route that also takes multipart: the
    JSON body's fields as form fields (their schemas as the JSON body has them), plus `file`.

    The body is marked optional: openapi-python-client (0.29) types an operation of several
    bodies as `... | Unset` but imports `Unset` only for an optional body, so a required one
    gives clients that do not import. A request without a body is refused all the same."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    properties = {
        **schema["properties"],
        FILE_FIELD: {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": ATTACHMENTS_PER_MESSAGE,
            "description": "Files to attach: at most ATTACHMENT_MAX_BYTES each,"
            " ATTACHMENT_MAX_MESSAGE_BYTES together",
        },
    }
    form = {"type": "object", "properties": properties, "required": schema.get("required", [])}
    return {"requestBody": {"required": False, "content": {MULTIPART: {"schema": form}}}}
