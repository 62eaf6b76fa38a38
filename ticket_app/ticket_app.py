"""The Reflex app: the UI, with the REST API and the sign-in forms mounted into the same
backend, the start-up task that offers the first-admin setup address, the similar-tickets step
(in every worker: each claims its marks with SKIP LOCKED, and a start sweeps what a crash left)
and, in one worker only (`ticket_app.leader`), the background jobs: the mail sender (when
SMTP_URL is set), the service-level sweep and the two ways mail comes in, the SMTP/LMTP
listener (MAIL_RECEIVE_PORT) and the IMAP poller (IMAP_URL)."""

import reflex as rx

from ticket_app import collector, leader, similar_worker, sla_worker
from ticket_app.api.app import create_api
from ticket_app.logs import configure_logging
from ticket_app.mail import imap, listener, sender
from ticket_app.startup import announce_setup
from ticket_app.ui import add_pages
from ticket_app.ui.live.tabs import track_connections
from ticket_app.ui.theme import GLOBAL_STYLE

configure_logging()
app = rx.App(
    api_transformer=create_api(),
    style=GLOBAL_STYLE,
    stylesheets=["/desk.css"],
    head_components=[
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        rx.el.link(rel="alternate icon", href="/favicon.ico", sizes="32x32"),
    ],
    html_lang="en",
)
add_pages(app)
app.register_lifespan_task(announce_setup)
app.register_lifespan_task(collector.tune)
app.register_lifespan_task(track_connections)
app.register_lifespan_task(similar_worker.lifespan)
app.register_lifespan_task(
    leader.lifespan_of(sender.lifespan, sla_worker.lifespan, listener.lifespan, imap.lifespan)
)
