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
from ticket_app.models.inbound import InboundMail, InboundOutcome, InboundSource
from ticket_app.models.mail import (
    Channel,
    MailKind,
    MailMessageId,
    MailState,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxMail,
    SignInLink,
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
    "Channel",
    "DeskCounter",
    "DeskSecret",
    "InboundMail",
    "InboundOutcome",
    "InboundSource",
    "MailKind",
    "MailMessageId",
    "MailState",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "OutboxMail",
    "SavedView",
    "SetupLink",
    "SignInLink",
    "SimilarTerm",
    "Ticket",
    "TicketComment",
    "TicketCount",
    "TicketHistory",
    "TicketParticipant",
    "UTCDateTime",
    "User",
    "UserSession",
    "utc_now",
]
