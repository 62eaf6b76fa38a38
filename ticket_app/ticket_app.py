"""The Reflex app: the agent UI, with the REST API mounted into the same backend."""

import reflex as rx

from ticket_app.api.app import create_api


def index() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("Support Desk"),
            rx.text("The API is served under /api/; its documentation is at /api/docs."),
            rx.link("API documentation", href="/api/docs"),
        ),
        height="100vh",
    )


app = rx.App(api_transformer=create_api())
app.add_page(index, title="Support Desk")
