"""Human names for the ticket vocabulary, shared by the components and the state's messages.

The stored values stay lowercase (`in_progress`); agents read these labels instead.
"""

from ticket_app.domain import Category, Priority, Role, SlaFilter, Sort, Status
from ticket_app.models import Channel, MailState, NotificationKind

CATEGORY_LABELS: dict[str, str] = {
    Category.BILLING: "Billing",
    Category.TECHNICAL: "Technical",
    Category.ACCOUNT: "Account",
    Category.GENERAL: "General",
}
PRIORITY_LABELS: dict[str, str] = {
    Priority.LOW: "Low",
    Priority.MEDIUM: "Medium",
    Priority.HIGH: "High",
    Priority.CRITICAL: "Critical",
}
STATUS_LABELS: dict[str, str] = {
    Status.OPEN: "Open",
    Status.IN_PROGRESS: "In progress",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}
SOURCE_NOTES: dict[str, str] = {  # the mark beside a suggested value, by classifier source
    "gemini": "Suggested by Gemini",
    "local": "Suggested by the offline model",
    "default": "Default: no model answered",
}
UNSURE_NOTE = "Not sure: choose yourself, or leave it to the desk"
FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "description": "Description",
    "category": "Category",
    "priority": "Priority",
    "status": "Status",
    "search": "Search",
    "id": "Ticket",
    "assignee": "Assignee",
    "assignee_id": "Assignee",
    "requester": "Requester",
    "sort": "Order",
    "body": "The message",
    "public": "Visibility",
    "email": "Email",
    "name": "Name",
    "role": "Role",
    "password": "The password",
    "current_password": "The current password",
    "active": "Active",
    "cursor": "The page",
    "limit": "The page size",
}
ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: "Admin",
    Role.AGENT: "Agent",
    Role.REQUESTER: "Requester",
}
SORT_LABELS: dict[str, str] = {
    Sort.NEWEST: "Newest first",
    Sort.OLDEST: "Oldest first",
    Sort.PRIORITY: "Priority",
    Sort.ACTIVITY: "Recent activity",
    Sort.DUE: "Due soonest",
}

SLA_LABELS: dict[str, str] = {
    SlaFilter.BREACHED: "Breached",
    SlaFilter.DUE_SOON: "Due within an hour",
}
NOTIFICATION_PHRASES: dict[str, str] = {  # after the actor's name, before the ticket
    NotificationKind.TICKET_RECEIVED: "filed a ticket for you:",
    NotificationKind.PUBLIC_REPLY: "replied on",
    NotificationKind.TICKET_RESOLVED: "resolved",
    NotificationKind.ASSIGNED: "assigned you",
    NotificationKind.REQUESTER_REPLIED: "replied on",
    NotificationKind.MENTIONED: "mentioned you on",
    NotificationKind.NEW_UNASSIGNED: "filed a new unassigned ticket:",
}
NOTIFICATION_KIND_LABELS: dict[str, str] = {  # the account page's rows
    NotificationKind.TICKET_RECEIVED: "A ticket was filed for me",
    NotificationKind.PUBLIC_REPLY: "An agent replied on my ticket",
    NotificationKind.TICKET_RESOLVED: "My ticket was resolved",
    NotificationKind.ASSIGNED: "A ticket was assigned to me",
    NotificationKind.REQUESTER_REPLIED: "The requester replied on a ticket assigned to me",
    NotificationKind.MENTIONED: "A colleague mentioned me in a note",
    NotificationKind.NEW_UNASSIGNED: "Every new unassigned ticket",
}
CHANNEL_LABELS: dict[str, str] = {
    Channel.BOTH: "Mail and in the app",
    Channel.MAIL: "Mail only",
    Channel.IN_APP: "In the app only",
    Channel.NONE: "Nothing",
}
MAIL_STATE_LABELS: dict[str, str] = {
    MailState.QUEUED: "Queued",
    MailState.SENDING: "Sending",
    MailState.SENT: "Sent",
    MailState.FAILED: "Failed",
}
