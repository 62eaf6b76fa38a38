"""A router whose paths answer with and without the trailing slash, without redirecting."""

from typing import Any

from fastapi import APIRouter


class SlashOptionalRouter(APIRouter):
    """Registers every `/path/` route a second time as `/path`, hidden from the OpenAPI
    document, so clients that drop the slash get the same answer instead of a 307."""

    def add_api_route(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().add_api_route(path, endpoint, **kwargs)
        if path.endswith("/") and len(path) > 1:
            alias = {**kwargs, "include_in_schema": False}
            super().add_api_route(path.rstrip("/"), endpoint, **alias)
