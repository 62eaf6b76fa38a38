"""Realistic support tickets, generated fast and reproducibly from a seed.

Titles and descriptions are assembled from per-category templates with slots (products,
errors, plans, browsers...), so a million tickets vary like a real desk's do: repeated
phrasing, many distinct details, lengths from one line to a pasted log. One word, RARE_WORD,
appears in no template; the seeder plants it in exactly 0.1% of the tickets so the search
case has a known selectivity.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from ticket_app.domain import Category, Priority, Status

RARE_WORD = "kerberos"
"""Planted in exactly N // 1000 tickets; appears nowhere else, not even inside another word."""

CATEGORIES = tuple(category.value for category in Category)
PRIORITIES = tuple(priority.value for priority in Priority)
STATUSES = tuple(status.value for status in Status)
CATEGORY_WEIGHTS = (25, 38, 20, 17)

# fmt: off
SLOTS: dict[str, tuple[str, ...]] = {
    "product": (
        "dashboard", "mobile app", "desktop client", "reporting module", "web portal",
        "public API", "admin console", "billing page", "calendar view", "analytics screen",
        "shared inbox", "file uploader",
    ),
    "feature": (
        "CSV export", "bulk import", "the search bar", "email notifications", "single sign-on",
        "the scheduled reports", "two-factor authentication", "the webhook integration",
        "PDF invoices", "team permissions", "the audit log", "data sync", "custom fields",
        "the chart widget", "file attachments", "the REST endpoint for orders", "auto-assign",
    ),
    "plan": ("Starter", "Team", "Business", "Enterprise", "Pro annual", "Pro monthly"),
    "browser": ("Chrome 124", "Firefox 126", "Safari 17", "Edge 125", "Chrome on Android"),
    "os": ("Windows 11", "macOS Sonoma", "Ubuntu 22.04", "iOS 17", "Android 14", "ChromeOS"),
    "error": (
        "500 Internal Server Error", "403 Forbidden", "a blank white page", "a timeout",
        "'Something went wrong'", "ERR_CONNECTION_RESET", "'Invalid token'",
        "'Request entity too large'", "an endless spinner", "'Payment method declined'",
        "429 Too Many Requests", "'Unable to load data'", "a 502 Bad Gateway",
    ),
    "month": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend"),
    "integration": ("Salesforce", "Slack", "HubSpot", "Zapier", "Google Drive", "Jira", "Xero"),
    "name": ("Anna", "Marco", "Priya", "Tom", "Sofia", "Lukas", "Aisha", "Chen", "Olga", "Ben"),
    "team": (
        "our finance team", "the support team", "the warehouse team", "marketing", "our sales reps",
        "our IT team", "the night shift",
    ),
    "version": ("4.2.1", "4.3.0", "5.0.2", "5.1.0", "5.1.3", "6.0.0-beta"),
    "amount": ("$19.00", "$49.00", "$240.00", "EUR 89.00", "$1,200.00", "GBP 35.00"),
    "count": ("3", "5", "12", "40", "about 200", "all 35", "two", "several"),
}


# fmt: on


def _ids(prefix: str) -> Callable[[random.Random], str]:
    return lambda rng: f"{prefix}{rng.randrange(10_000, 999_999)}"


# fmt: off
DYNAMIC: dict[str, Callable[[random.Random], str]] = {
    "invoice": _ids("INV-"),
    "order": _ids("#"),
    "ticketref": _ids("case "),
    "minutes": lambda rng: str(rng.choice((2, 5, 10, 15, 30, 45, 90))),
}

TITLES: dict[str, tuple[str, ...]] = {
    "billing": (
        "Charged twice for {plan} in {month}", "Refund request for invoice {invoice}",
        "Card declined when upgrading to {plan}", "VAT number missing on invoice {invoice}",
        "Wrong amount on my {month} invoice", "Cancel my {plan} subscription",
        "Unexpected charge of {amount}", "Need a copy of invoice {invoice}",
        "Downgrade from {plan} did not apply", "Payment failed but money left my account",
        "Question about pricing for {count} seats", "Switch billing to annual",
    ),
    "technical": (
        "{feature} returns {error}", "The {product} crashes on {os}", "{feature} is very slow",
        "Sync with {integration} stopped working", "Cannot upload files larger than 10 MB",
        "The {product} shows {error} after update {version}", "Emails not arriving since {weekday}",
        "Webhook deliveries failing for order {order}", "{feature} broken in {browser}",
        "Data missing after import", "Dashboard does not load", "API rate limit too low",
        "Login page loops on {browser}", "Report totals do not match export",
    ),
    "account": (
        "Cannot reset my password", "Locked out after enabling two-factor authentication",
        "Transfer account ownership to {name}", "Add {count} users to our workspace",
        "Change the email address on my account", "Please delete my account and my data",
        "SSO login fails for {team}", "Invite link expired", "Remove former employee {name}",
        "Account suspended without notice", "Merge two accounts", "Verification code never arrives",
    ),
    "general": (
        "Feature request: dark mode for the {product}", "Question about data retention",
        "Where can I find the API documentation?", "Feedback on the new {product}",
        "Do you offer a discount for nonprofits?", "Training session for {team}",
        "How do I export all my data?", "Suggestion: keyboard shortcuts",
        "Is there a status page?", "Partnership inquiry", "Accessibility of the {product}",
        "Roadmap question about {feature}",
    ),
}

PROBLEMS: dict[str, tuple[str, ...]] = {
    "billing": (
        "I was charged twice for the {plan} plan this month, {amount} each time.",
        "Invoice {invoice} shows {amount} but we agreed on a lower price with {name}.",
        "My card keeps getting declined when I try to upgrade to {plan}, although the bank "
        "says nothing was blocked.",
        "We cancelled in {month} but were billed again on the 1st.",
        "Our finance department needs the VAT number printed on invoice {invoice}.",
        "The downgrade to {plan} is not reflected on the billing page.",
        "A payment of {amount} left our account but the subscription still shows as unpaid.",
    ),
    "technical": (
        "Since {weekday} {feature} returns {error} for everyone on our team.",
        "The {product} crashes right after start on {os}; reinstalling did not help.",
        "When I open the {product} in {browser} I only get {error}.",
        "The sync with {integration} stopped about {minutes} minutes after the last update "
        "({version}) and nothing has come through since.",
        "Uploading any file above 10 MB fails with {error}.",
        "{feature} takes more than {minutes} minutes to finish, it used to take seconds.",
        "Webhook calls for order {order} are retried and fail with {error}.",
        "After the update to {version} {feature} no longer works in {browser} on {os}.",
        "Numbers in the {product} do not match the CSV export for {month}.",
    ),
    "account": (
        "I requested a password reset {count} times but the email never arrives.",
        "After enabling two-factor authentication I lost my phone and cannot log in.",
        "{name} is leaving the company; please transfer ownership of our workspace to "
        "{name} from {team}.",
        "Our single sign-on login fails for {team} with {error}.",
        "We need to add {count} new users but the invite button is greyed out.",
        "Please change the login email of my account; I no longer have access to the old one.",
        "Under GDPR I ask you to delete my account and all personal data.",
        "My account was suspended this morning and I do not know why.",
    ),
    "general": (
        "Would it be possible to add a dark mode to the {product}?",
        "How long do you keep our data after we cancel?",
        "I could not find documentation for {feature}; is there a guide?",
        "The new {product} looks great, but the menu is harder to find.",
        "We are a small nonprofit and wonder whether you offer discounted plans.",
        "Could you run a short training session for {team} next month?",
        "Is {feature} on the roadmap for this year?",
        "Is there a page where we can see planned maintenance?",
    ),
}

DETAILS: tuple[str, ...] = (
    "It happens on {os} with {browser}.",
    "We are on the {plan} plan.",
    "This started on {weekday} around lunchtime.",
    "I already cleared the cache and tried a private window.",
    "Two of my colleagues see the same thing.",
    "Our account manager is {name}.",
    "It worked fine until version {version}.",
    "I attached a screenshot of the error.",
    "The problem also occurs with {feature}.",
    "We have {count} people affected.",
    "Reference from your previous reply: {ticketref}.",
    "I tried again after {minutes} minutes with the same result.",
    "This matters for {team}, who use it every day.",
    "We also use {integration}, in case that matters.",
    "The issue is reproducible every time.",
    "It only happens on some days, which makes it hard to pin down.",
)

IMPACT: dict[str, tuple[str, ...]] = {
    "low": ("No rush, whenever you have time.", "Just a minor annoyance.", ""),
    "medium": ("It slows us down a bit.", "Would be great to hear back this week.", ""),
    "high": (
        "This is blocking {team} from working.",
        "We need this fixed before the end of the month.",
        "Several customers have complained already.",
    ),
    "critical": (
        "URGENT: production is down for all our users.",
        "This is a critical outage; we are losing orders every minute.",
        "Everything is stopped here, please call me back immediately.",
    ),
}

GREETINGS = ("Hi,", "Hello,", "Hello team,", "Dear support,", "Hi there,", "", "", "")
CLOSINGS = ("Thanks!", "Thank you.", "Best regards, {name}", "Cheers, {name}", "Thanks, {name}", "")
LOG_LINES = (
    "{ts} ERROR worker-{w} request failed: upstream returned {error}",
    "{ts} WARN  sync job {job} retrying in {minutes}s",
    "{ts} INFO  user session refreshed for workspace {job}",
    '{ts} ERROR Traceback (most recent call last): File "handler.py", line {w}, in process',
)
RARE_SENTENCES = (
    "We sign in through Kerberos on our domain and the ticket renewal seems to break it.",
    "Our IT team says the KERBEROS realm changed last week, maybe that is related.",
    "Could this be caused by the kerberos keytab we rotated last week?",
)


# fmt: on


class _Slots(dict[str, str]):
    """Fills each template slot on first use, so a slot repeats consistently in one ticket."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        value = DYNAMIC[key](self.rng) if key in DYNAMIC else self.rng.choice(SLOTS[key])
        self[key] = value
        return value


@dataclass(frozen=True, slots=True)
class TicketText:
    title: str
    description: str
    category: str
    priority: str


def _weighted(values: tuple[str, ...], weights: tuple[int, ...]) -> Callable[[float], str]:
    """A fast weighted pick from one uniform number (random.choices is slow per call)."""
    table = [value for value, weight in zip(values, weights, strict=True) for _ in range(weight)]
    size = len(table)
    return lambda u: table[int(u * size)]


_CATEGORY = _weighted(CATEGORIES, CATEGORY_WEIGHTS)
_PRIORITY = {
    "technical": _weighted(PRIORITIES, (22, 38, 28, 12)),
    "other": _weighted(PRIORITIES, (30, 40, 22, 8)),
}
_DETAIL_COUNT = (0, 1, 1, 2, 2, 2, 3, 3, 4, 6)


def _log_block(rng: random.Random, slots: _Slots) -> str:
    lines = []
    for _ in range(rng.randint(3, 12)):
        values = {
            "ts": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
            "w": str(rng.randint(1, 400)),
            "job": f"{rng.getrandbits(32):08x}",
            "error": slots["error"],
            "minutes": slots["minutes"],
        }
        lines.append(rng.choice(LOG_LINES).format_map(values))
    return "Log excerpt:\n" + "\n".join(lines)


def make_ticket(rng: random.Random, rare: bool = False) -> TicketText:
    """One ticket; `rare` puts RARE_WORD into it (title or description)."""
    choice = rng.choice
    category = _CATEGORY(rng.random())
    priority = _PRIORITY.get(category, _PRIORITY["other"])(rng.random())
    slots = _Slots(rng)
    title = choice(TITLES[category]).format_map(slots)
    title = title[0].upper() + title[1:]
    sentences = [choice(PROBLEMS[category]).format_map(slots)]
    sentences += [d.format_map(slots) for d in rng.sample(DETAILS, choice(_DETAIL_COUNT))]
    if rare:
        if rng.random() < 0.2:
            title = f"{title} (Kerberos)"
        else:
            sentences.insert(rng.randint(1, len(sentences)), choice(RARE_SENTENCES))
    impact = choice(IMPACT[priority])
    if impact:
        sentences.append(impact.format_map(slots))
    body = " ".join(sentences)
    body = body[0].upper() + body[1:]
    greeting = choice(GREETINGS)
    if greeting:
        body = f"{greeting}\n\n{body}"
    if category == "technical" and rng.random() < 0.12:
        body += "\n\n" + _log_block(rng, slots)
    closing = choice(CLOSINGS)
    if closing:
        body += "\n\n" + closing.format_map(slots)
    return TicketText(title, body, category, priority)


def _check_vocabulary() -> None:
    """Fail fast if an edit lets RARE_WORD slip into ordinary text."""
    grouped = (SLOTS, TITLES, PROBLEMS, IMPACT)
    ordinary = [text for group in grouped for texts in group.values() for text in texts]
    ordinary += [*DETAILS, *GREETINGS, *CLOSINGS, *LOG_LINES]
    leaked = [text for text in ordinary if RARE_WORD in text.lower()]
    if leaked:
        raise AssertionError(f"{RARE_WORD!r} must only be planted, found in {leaked}")


_check_vocabulary()
