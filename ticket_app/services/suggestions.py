"""The classifier's suggestion as a service: who may ask for one is decided here, once, for
the API's classify route and the New ticket form alike (requesters are classified by the desk
when they file, never on request)."""

from ticket_app.classifier import Suggestion, classify_async
from ticket_app.services.access import Actor, Permission, require


async def suggest(actor: Actor, *, text: str) -> Suggestion:
    """A category and priority for `text`; Forbidden for those who may not ask. Never fails
    because a model did (the offline model answers then)."""
    require(actor, Permission.CLASSIFY)
    return await classify_async(text)
