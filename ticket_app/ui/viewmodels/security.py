"""What the account and users pages show of sign-in: sessions, tokens and security events as
plain strings, each session's browser said in a few words instead of a raw User-Agent."""

import re

from ticket_app.domain import SecurityEventKind, SignInMethod
from ticket_app.services.api_tokens import TokenRead
from ticket_app.services.security_log import SecurityEventRead
from ticket_app.services.sessions import SessionRead

METHOD_LABELS: dict[str, str] = {
    SignInMethod.PASSWORD: "Password",
    SignInMethod.TWO_FACTOR: "Password and two-factor code",
    SignInMethod.SSO: "Single sign-on",
    SignInMethod.MAIL_LINK: "Link by mail",
}
EVENT_LABELS: dict[str, str] = {
    SecurityEventKind.TWO_FACTOR_ENABLED: "Two-factor turned on",
    SecurityEventKind.TWO_FACTOR_DISABLED: "Two-factor turned off",
    SecurityEventKind.TWO_FACTOR_RESET: "Two-factor reset by an admin",
    SecurityEventKind.RECOVERY_CODE_USED: "A recovery code was used",
    SecurityEventKind.RECOVERY_CODES_RENEWED: "New recovery codes made",
    SecurityEventKind.TWO_FACTOR_REQUIREMENT_CHANGED: "The desk's two-factor rule changed",
    SecurityEventKind.SESSION_ENDED_BY_ADMIN: "Sessions ended by an admin",
    SecurityEventKind.TOKEN_REVOKED_BY_ADMIN: "A token revoked by an admin",
    SecurityEventKind.SSO_LINKED: "Joined to a single sign-on identity",
    SecurityEventKind.SSO_CREATED: "Created at first single sign-on",
}
# Checked in this order: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python-", "Python script"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
_HEADLESS = re.compile(r"Headless", re.IGNORECASE)


def browser_name(agent: str | None) -> str:
    """'Firefox on Linux' from a User-Agent header; 'Unknown browser' when it says nothing."""
    if not agent:
        return "Unknown browser"
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    if _HEADLESS.search(agent):
        browser = f"{browser or 'A'} (headless)".strip()
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or agent[:40]


def session_rows(found: list[SessionRead]) -> list[dict[str, str]]:
    return [
        {
            "id": str(session.id),
            "created_at": session.created_at.isoformat(),
            "last_used_at": session.last_used_at.isoformat(),
            "browser": browser_name(session.user_agent),
            "agent": session.user_agent or "",
            "method": METHOD_LABELS.get(session.method, session.method),
            "current": "yes" if session.current else "",
            "enrolment_only": "yes" if session.enrolment_only else "",
        }
        for session in found
    ]


def token_rows(tokens: list[TokenRead]) -> list[dict[str, str]]:
    return [
        {
            "id": str(token.id),
            "name": token.name,
            "prefix": token.prefix + "…",
            "created_at": token.created_at.isoformat(),
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else "",
            "revoked": "yes" if token.revoked_at else "",
        }
        for token in tokens
    ]


def event_rows(events: list[SecurityEventRead], names: dict[int, str]) -> list[dict[str, str]]:
    """Each entry with who did it (`names`: user ids to names; none: the user or the desk)."""
    return [
        {
            "id": str(event.id),
            "what": EVENT_LABELS.get(event.kind, event.kind),
            "at": event.at.isoformat(),
            "by": names.get(event.actor_id, f"user {event.actor_id}") if event.actor_id else "",
        }
        for event in events
    ]
