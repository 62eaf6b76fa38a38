"""Where the app's own log lines go: stderr, with time, level and logger name.

Reflex attaches handlers to its own loggers only, so records of `ticket_app.*` would reach no
handler: below WARNING they vanish, and Python's last-resort handler prints warnings bare,
without a time. The level is LOG_LEVEL (default info).
"""

import logging
import sys

from ticket_app.config import get_settings

_HANDLER = logging.StreamHandler(sys.stderr)
_HANDLER.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))


def configure_logging() -> None:
    """Give the `ticket_app` loggers their stderr handler; calling it again changes nothing."""
    logger = logging.getLogger("ticket_app")
    logger.setLevel(get_settings().log_level)
    if _HANDLER not in logger.handlers:
        logger.addHandler(_HANDLER)
