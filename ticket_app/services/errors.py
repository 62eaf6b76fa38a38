"""Errors the service raises; the API turns them into problem responses, the UI into messages."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One offending input: `field` names it as the client sent it."""

    field: str
    message: str


class ServiceError(Exception):
    """Base of every error the service raises on purpose."""


class NotFound(ServiceError):
    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"No ticket has id {ticket_id}.")
        self.ticket_id = ticket_id


class InvalidInput(ServiceError):
    """The input breaks the ticket rules; `errors` names every offending field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field: str, message: str) -> "InvalidInput":
        return cls([FieldError(field, message)])


class DatabaseUnavailable(ServiceError):
    """The database could not be reached; nothing was written."""

    message = "The database is unavailable. Nothing was changed; try again shortly."

    def __init__(self) -> None:
        super().__init__(self.message)


class DatabaseBusy(DatabaseUnavailable):
    """The database did not answer in time (a statement over its time limit, or no free
    connection); nothing was written."""

    message = "The database is busy. Nothing was changed; try again in a few seconds."
