"""The tables, as plain SQLModel classes; importing this package registers all of them."""

from ticket_app.models.assist import CannedReply, DraftTotals, ReplyDraft, TicketSummary
from ticket_app.models.attachments import Attachment, AttachmentBlob, AttachmentChunk
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
from ticket_app.models.signin import (
    DeskSettings,
    RecoveryCode,
    SecurityEvent,
    SignInChallenge,
    TwoFactor,
    UserIdentity,
)
from ticket_app.models.similar import SimilarPending, SimilarTerm
from ticket_app.models.sla import SlaCalendar, SlaOutcome, SlaPolicy, SlaTerms
from ticket_app.models.tickets import (
    ASSIGNEE_COUNT_SHARDS,
    COUNT_SHARDS,
    NO_DUE,
    SUGGESTION_OUTCOMES,
    AssigneeCount,
    Ticket,
    TicketCount,
)
from ticket_app.models.views import SavedView

__all__ = [
    "ASSIGNEE_COUNT_SHARDS",
    "COUNT_SHARDS",
    "NO_DUE",
    "SUGGESTION_OUTCOMES",
    "ApiToken",
    "AssigneeCount",
    "Attachment",
    "AttachmentBlob",
    "AttachmentChunk",
    "CannedReply",
    "Channel",
    "DeskCounter",
    "DeskSecret",
    "DeskSettings",
    "DraftTotals",
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
    "RecoveryCode",
    "ReplyDraft",
    "SavedView",
    "SecurityEvent",
    "SetupLink",
    "SignInChallenge",
    "SignInLink",
    "SimilarPending",
    "SimilarTerm",
    "SlaCalendar",
    "SlaOutcome",
    "SlaPolicy",
    "SlaTerms",
    "Ticket",
    "TicketComment",
    "TicketCount",
    "TicketHistory",
    "TicketParticipant",
    "TicketSummary",
    "TwoFactor",
    "UTCDateTime",
    "User",
    "UserIdentity",
    "UserSession",
    "utc_now",
]
