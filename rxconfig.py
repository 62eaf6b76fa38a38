"""Reflex configuration; the values come from ticket_app.config (environment variables).

`db_url` is left unset on purpose: the tickets service owns its engine and migrations run
through `python -m ticket_app.migrate`, so Reflex's own database checks would only compare
the wrong things (they do not know the hand-made search objects).
"""

import reflex as rx

from ticket_app.config import get_settings
from ticket_app.ui.theme import app_theme

settings = get_settings()

config = rx.Config(
    app_name="ticket_app",
    db_url=None,
    cors_allowed_origins=list(settings.allowed_origins),
    trusted_proxy_hops=settings.trusted_proxy_hops,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=app_theme())],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
