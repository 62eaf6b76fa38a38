"""Service errors as sentences an agent can act on; never a stack trace in the browser."""

from ticket_app.services.errors import InvalidInput, ServiceError
from ticket_app.ui.labels import FIELD_LABELS


def sentence(field: str, message: str) -> str:
    """'Title must not be blank' from the service's ('title', 'must not be blank')."""
    return f"{FIELD_LABELS.get(field, field.capitalize())} {message}."


def field_messages(error: InvalidInput) -> dict[str, str]:
    """The first message for each offending field, keyed by the field's name."""
    messages: dict[str, str] = {}
    for item in error.errors:
        messages.setdefault(item.field, sentence(item.field, item.message))
    return messages


def describe(error: ServiceError) -> str:
    """One line for a toast or a callout."""
    if isinstance(error, InvalidInput):
        return " ".join(field_messages(error).values())
    return str(error)
