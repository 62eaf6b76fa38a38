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
    """Nothing the actor may see has this id (someone else's ticket is not found either)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    @classmethod
    def ticket(cls, ticket_id: int) -> "NotFound":
        return cls(f"No ticket has id {ticket_id}.")

    @classmethod
    def thing(cls, what: str, ident: int) -> "NotFound":
        return cls(f"No {what} has id {ident}.")


class InvalidInput(ServiceError):
    """The input breaks the ticket rules; `errors` names every offending field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field: str, message: str) -> "InvalidInput":
        return cls([FieldError(field, message)])


class Forbidden(ServiceError):
    """The actor is known but their role may not do this; `field` names the input at fault
    when one is (a requester setting a priority, say)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TooLarge(ServiceError):
    """Input over a configured size limit; `setting` names the limit, `field` the input."""

    def __init__(self, message: str, *, setting: str, field: str = "file") -> None:
        super().__init__(message)
        self.setting = setting
        self.field = field


class NotServed(ServiceError):
    """The thing exists and may be seen, but cannot be served now (a file waiting for its
    virus scan, or one a scan found infected)."""


class NotSignedIn(ServiceError):
    """No valid session or token: the caller must sign in (or send a valid token)."""

    def __init__(self, message: str = "Sign in to continue.") -> None:
        super().__init__(message)


class VersionMismatch(ServiceError):
    """The ticket changed since the version the client based its change on; nothing written."""

    def __init__(self, ticket_id: int, current: int) -> None:
        super().__init__(
            f"Ticket #{ticket_id} was changed by someone else (it is now at version {current}). "
            "Reload it and apply your change again."
        )
        self.ticket_id = ticket_id
        self.current = current


class Throttled(ServiceError):
    """Too many attempts; `retry_after` says in how many seconds to try again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DatabaseUnavailable(ServiceError):
    """The database could not be reached; nothing was written."""

    message = "The database is unavailable. Nothing was changed; try again shortly."

    def __init__(self) -> None:
        super().__init__(self.message)


class DatabaseBusy(DatabaseUnavailable):
    """The database did not answer in time (a statement over its time limit, or no free
    connection); nothing was written."""

    message = "The database is busy. Nothing was changed; try again in a few seconds."
