"""The ticket vocabulary shared by every layer.

Plain enums with no database or UI imports, so the classifier, the service, the REST schemas
and the Reflex state all speak the same value sets. Values are stored as their lowercase
strings (see DESIGN.md), never as member names.
"""

from enum import StrEnum


class Category(StrEnum):
    BILLING = "billing"
    TECHNICAL = "technical"
    ACCOUNT = "account"
    GENERAL = "general"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


TITLE_MAX_LENGTH = 200
MAX_TICKET_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
DESCRIPTION_MAX_LENGTH = 20_000

DEFAULT_CATEGORY = Category.GENERAL
DEFAULT_PRIORITY = Priority.MEDIUM
