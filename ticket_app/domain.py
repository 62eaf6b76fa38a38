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


# Resolved or closed: the work is done (a requester's reply reopens it; no more closing).
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


TITLE_MAX_LENGTH = 200
MAX_TICKET_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
DESCRIPTION_MAX_LENGTH = 20_000

DEFAULT_CATEGORY = Category.GENERAL
DEFAULT_PRIORITY = Priority.MEDIUM


class Role(StrEnum):
    """Who a user is to the desk; see DESIGN.md's table of who may do what."""

    ADMIN = "admin"
    AGENT = "agent"
    REQUESTER = "requester"


STAFF_ROLES = frozenset({Role.ADMIN, Role.AGENT})


class HistoryKind(StrEnum):
    """What one history entry records."""

    CREATED = "created"
    CHANGED = "changed"
    ASSIGNED = "assigned"
    COMMENTED = "commented"
    REOPENED = "reopened"
    MERGED = "merged"  # another ticket was merged into this one
    MERGED_INTO = "merged_into"  # this ticket was merged into another
    SLA_WARNING = "sla_warning"  # a service-level target reached its warning share
    SLA_BREACHED = "sla_breached"  # a service-level target ran out
    MAIL = "mail"  # staff only: how a received mail was threaded (new_value: the reason)


class Sort(StrEnum):
    """The orders a ticket list can be read in; each is served by a keyset cursor."""

    NEWEST = "newest"
    OLDEST = "oldest"
    PRIORITY = "priority"  # critical first, newest first within a priority
    ACTIVITY = "activity"  # most recent activity (a change or a comment) first
    DUE = "due"  # earliest service-level due time first; tickets with none last


class SlaFilter(StrEnum):
    """`sla=`: tickets past a due time, or due within the hour."""

    BREACHED = "breached"
    DUE_SOON = "due_soon"


PRIORITY_RANK = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}

EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 100
COMMENT_MAX_LENGTH = 20_000


class AttachmentState(StrEnum):
    """Whether an attached file may be served: `pending` waits for a virus scan that could
    not be made at upload; `infected` was found by a later scan and is never served."""

    STORED = "stored"
    PENDING = "pending"
    INFECTED = "infected"


ATTACHMENT_FILENAME_MAX_LENGTH = 255
ATTACHMENTS_PER_MESSAGE = 10
# Only these sniffed types are ever shown inline (and only when a thumbnail could be made).
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


class SignInMethod(StrEnum):
    """How a browser session was signed in (the account page shows it beside each session)."""

    PASSWORD = "password"  # noqa: S105 (a method's name, not a password)
    TWO_FACTOR = "two_factor"  # a password and then an authenticator or recovery code
    SSO = "sso"  # the company's OpenID provider
    MAIL_LINK = "mail_link"  # a one-use link by mail (requesters only)


class SecurityEventKind(StrEnum):
    """What one entry of a user's security log records."""

    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    TWO_FACTOR_RESET = "two_factor_reset"  # by an admin
    RECOVERY_CODE_USED = "recovery_code_used"
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed"
    TWO_FACTOR_REQUIREMENT_CHANGED = "two_factor_requirement_changed"  # desk-wide, by an admin
    SESSION_ENDED_BY_ADMIN = "session_ended_by_admin"
    TOKEN_REVOKED_BY_ADMIN = "token_revoked_by_admin"  # noqa: S105
    SSO_LINKED = "sso_linked"  # an identity of the OpenID provider joined to this user
    SSO_CREATED = "sso_created"  # the user was created at their first single sign-on


USER_AGENT_MAX_LENGTH = 400
