"""Build the FastAPI app that serves `/api` and the UI's sign-in forms; Reflex mounts the UI
backend (pages, assets, websocket) beneath it, so the middleware added here wraps the pages
and the websocket too."""

from fastapi import FastAPI

from ticket_app.api import downloads, mail_links, signin
from ticket_app.api.hosts import HostAllowList
from ticket_app.api.json_bodies import JsonByDefault
from ticket_app.api.limits import UPLOADS, BodySizeLimit, upload_limit
from ticket_app.api.openapi import install_openapi, operation_id
from ticket_app.api.problems import install_problem_handlers
from ticket_app.api.routes import install_routes
from ticket_app.api.security_headers import SecurityHeaders
from ticket_app.config import get_settings


def create_api() -> FastAPI:
    api = FastAPI(
        title="Support Desk API",
        version="2.0.0",
        summary="Tickets with AI-suggested category and priority, conversations and history.",
        description="Every route but the health check needs `Authorization: Bearer <token>`: "
        "create a token on your account page or with `python -m ticket_app.manage create-token`.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        redirect_slashes=False,
        generate_unique_id_function=operation_id,
    )
    api.include_router(signin.router)
    api.include_router(downloads.router)
    api.include_router(mail_links.router)
    install_routes(api)
    install_problem_handlers(api)
    install_openapi(api)
    api.add_middleware(JsonByDefault)
    settings = get_settings()
    # Every path has a body limit: the API's, and a small one for the forms and the rest.
    api.add_middleware(
        BodySizeLimit,
        rules=(("/api/", settings.max_body_bytes), ("", settings.form_max_body_bytes)),
        uploads=(
            UPLOADS,
            upload_limit(settings.attachment_max_message_bytes, settings.max_body_bytes),
        ),
    )
    api.add_middleware(signin.SetupGate)
    api.add_middleware(SecurityHeaders)
    # Outermost: it also guards the pages and the websocket Reflex mounts beneath /api.
    api.add_middleware(HostAllowList, hosts=settings.allowed_hosts)
    return api
