"""The tables, as plain SQLModel classes; importing this package registers all of them."""

from ticket_app.models.columns import UTCDateTime, utc_now
from ticket_app.models.conversation import TicketComment, TicketHistory, TicketParticipant
from ticket_app.models.identity import (
    ApiToken,
    DeskCounter,
    DeskSecret,
    SetupLink,
    User,
    UserSession,
)
from ticket_app.models.signin import (
    DeskSettings,
    RecoveryCode,
    SecurityEvent,
    SignInChallenge,
    TwoFactor,
    UserIdentity,
)
from ticket_app.models.similar import SimilarTerm
from ticket_app.models.tickets import (
    ASSIGNEE_COUNT_SHARDS,
    COUNT_SHARDS,
    SUGGESTION_OUTCOMES,
    AssigneeCount,
    Ticket,
    TicketCount,
)
from ticket_app.models.views import SavedView

__all__ = [
    "ASSIGNEE_COUNT_SHARDS",
    "COUNT_SHARDS",
    "SUGGESTION_OUTCOMES",
    "ApiToken",
    "AssigneeCount",
    "DeskCounter",
    "DeskSecret",
    "DeskSettings",
    "RecoveryCode",
    "SavedView",
    "SecurityEvent",
    "SetupLink",
    "SignInChallenge",
    "SimilarTerm",
    "Ticket",
    "TicketComment",
    "TicketCount",
    "TicketHistory",
    "TicketParticipant",
    "TwoFactor",
    "UTCDateTime",
    "User",
    "UserIdentity",
    "UserSession",
    "utc_now",
]
