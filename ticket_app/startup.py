"""What every server start does once it is up: create the admin named by ADMIN_EMAIL (the
container's first start), and while the desk has no active admin, print the one-time setup
address. It runs as a Reflex lifespan task, in each worker; the address is the same in all."""

import asyncio
import logging
import sys

from ticket_app.config import get_settings
from ticket_app.services import setup
from ticket_app.services.errors import ServiceError

logger = logging.getLogger("ticket_app.startup")


def first_admin() -> str | None:
    """The setup line to print, if one is due (after ADMIN_EMAIL had its chance)."""
    if done := setup.bootstrap_admin():
        logger.warning("startup: %s", done)
    address = setup.pending_address()
    if address is None:
        return None
    minutes = get_settings().setup_link_minutes
    return (
        "No admin yet: open "
        + get_settings().app_url
        + address
        + f" to create the first admin (the address works once, for {minutes} minutes)."
    )


async def announce_setup() -> None:
    try:
        line = await asyncio.to_thread(first_admin)
    except ServiceError as error:
        logger.warning("startup: cannot check for an admin: %s", error)
        return
    if line:
        print(line, file=sys.stderr, flush=True)
