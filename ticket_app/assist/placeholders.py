"""`{{placeholders}}`: the desk's own in canned replies, and foreign ones in old replies.

A canned reply may use exactly the names in `CANNED`; anything else between double braces is
refused when it is saved (so an insert never shows a raw `{{...}}`), and they are filled from
the ticket and the agent when it is inserted.

Replies written elsewhere (imported tickets, the Bitext set) carry their own templates
(`{{Order Number}}`, `{{Customer Support Phone Number}}`). When such a reply becomes a source,
`fill_foreign` turns each into the desk's neutral placeholder for that kind of data (then
filled from this ticket where it holds one) or into plain words, so no draft shows one.
"""

import re
from collections.abc import Mapping

from ticket_app.assist import redact

CANNED = (
    "requester.first_name",
    "requester.name",
    "ticket.id",
    "ticket.title",
    "agent.name",
    "agent.first_name",
)
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
_FOREIGN: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"invoice|bill", re.I), redact.INVOICE),
    (re.compile(r"order|purchase|tracking|shipment", re.I), redact.ORDER),
    (re.compile(r"account (?:number|id)|customer (?:number|id)", re.I), redact.ACCOUNT),
    (re.compile(r"phone", re.I), "our support phone line"),
    (re.compile(r"e-?mail", re.I), "our support e-mail address"),
    (re.compile(r"website|url|company|site", re.I), "our website"),
    (re.compile(r"hours|availability|working|schedule", re.I), "during our opening hours"),
    (re.compile(r"amount|price|refund value|fee", re.I), redact.AMOUNT),
    (re.compile(r"address|city|country|location", re.I), redact.ADDRESS),
    (re.compile(r"name", re.I), redact.NAME),
)
_ID_WORDS = re.compile(r"number|id\b|anonymi", re.I)


def unknown(body: str) -> list[str]:
    """The placeholders of `body` a canned reply may not use (and unclosed `{{`), in order."""
    found = [f"{{{{{name}}}}}" for name in _PLACEHOLDER.findall(body) if name.strip() not in CANNED]
    if "{{" in _PLACEHOLDER.sub("", body):
        found.append("an unclosed {{")
    return found


def fill(body: str, values: Mapping[str, str]) -> str:
    """A canned reply's body with its placeholders filled in from `values`."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1).strip(), ""), body)


def values(*, ticket_id: int, title: str, requester_name: str, agent_name: str) -> dict[str, str]:
    """What each of `CANNED` stands for on one ticket, answered by one agent."""
    return {
        "requester.first_name": _first(requester_name),
        "requester.name": requester_name,
        "ticket.id": str(ticket_id),
        "ticket.title": title,
        "agent.name": agent_name,
        "agent.first_name": _first(agent_name),
    }


def _first(name: str) -> str:
    return name.split()[0] if name.split() else ""


def _foreign(label: str) -> str:
    """What a foreign template placeholder becomes: a kind of data, or plain words."""
    label = " ".join(label.split())
    for pattern, replacement in _FOREIGN:
        if pattern.search(label):
            kind = replacement.startswith("[")
            if not kind or _ID_WORDS.search(label) or replacement in (redact.NAME, redact.AMOUNT):
                return replacement
    return label  # a screen or a button: "Order History", "Live Chat"


def fill_foreign(text: str) -> str:
    """`text` with every `{{...}}` turned into a neutral placeholder or plain words."""
    return _PLACEHOLDER.sub(lambda match: _foreign(match.group(1)), text)


def fill_details(text: str, details: Mapping[str, list[str]]) -> str:
    """Neutral placeholders filled with this ticket's own data, where it holds exactly one
    value of that kind (two order numbers: the agent picks)."""
    for placeholder, found in details.items():
        if len(found) == 1 and placeholder != redact.NAME:
            text = text.replace(placeholder, found[0])
    return text
