"""Users of the API generate clients from `/api/openapi.json`: the operation ids become the
names they type, so they are short and pinned here, and a generated client has to work."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

OPERATIONS = {
    ("get", "/api/health/"): "health-health",
    ("get", "/api/tickets/export.csv"): "tickets-export_csv",
    ("post", "/api/tickets/bulk/"): "tickets-bulk_change",
    ("post", "/api/tickets/"): "tickets-create_ticket",
    ("get", "/api/tickets/"): "tickets-list_tickets",
    ("get", "/api/tickets/stats/"): "tickets-ticket_stats",
    ("post", "/api/tickets/classify/"): "tickets-classify_description",
    ("get", "/api/tickets/{ticket_id}/"): "tickets-get_ticket",
    ("patch", "/api/tickets/{ticket_id}/"): "tickets-update_ticket",
    ("delete", "/api/tickets/{ticket_id}/"): "tickets-delete_ticket",
    ("get", "/api/tickets/{ticket_id}/comments/"): "comments-list_comments",
    ("post", "/api/tickets/{ticket_id}/comments/"): "comments-add_comment",
    ("get", "/api/tickets/{ticket_id}/comments/{comment_id}/"): "comments-get_comment",
    ("get", "/api/tickets/{ticket_id}/history/"): "history-ticket_history",
    ("post", "/api/tickets/similar/"): "similar-similar_to_text",
    ("get", "/api/tickets/{ticket_id}/similar/"): "similar-similar_to_ticket",
    ("post", "/api/tickets/{ticket_id}/merge/"): "merge-merge_ticket",
    ("post", "/api/tickets/{ticket_id}/attachments/"): "attachments-add_attachments",
    ("get", "/api/attachments/{attachment_id}/"): "attachments-get_attachment",
    ("get", "/api/attachments/{attachment_id}/thumbnail/"): "attachments-get_thumbnail",
    ("get", "/api/me/"): "me-me",
    ("get", "/api/me/sessions/"): "me-list_sessions",
    ("delete", "/api/me/sessions/"): "me-end_sessions",
    ("delete", "/api/me/sessions/{session_id}/"): "me-end_session",
    ("get", "/api/tokens/"): "me-list_tokens",
    ("post", "/api/tokens/"): "me-create_token",
    ("get", "/api/tokens/{token_id}/"): "me-get_token",
    ("delete", "/api/tokens/{token_id}/"): "me-revoke_token",
    ("get", "/api/users/"): "users-list_users",
    ("post", "/api/users/"): "users-create_user",
    ("get", "/api/users/{user_id}/"): "users-get_user",
    ("patch", "/api/users/{user_id}/"): "users-update_user",
    ("get", "/api/users/{user_id}/sessions/"): "users-list_user_sessions",
    ("delete", "/api/users/{user_id}/sessions/"): "users-end_user_sessions",
    ("delete", "/api/users/{user_id}/sessions/{session_id}/"): "users-end_user_session",
    ("get", "/api/users/{user_id}/tokens/"): "users-list_user_tokens",
    ("delete", "/api/users/{user_id}/tokens/{token_id}/"): "users-revoke_user_token",
    ("delete", "/api/users/{user_id}/two-factor/"): "users-reset_two_factor",
    ("get", "/api/users/{user_id}/security-events/"): "users-security_events",
    ("get", "/api/sign-in-rules/"): "users-sign_in_rules",
    ("put", "/api/sign-in-rules/"): "users-set_sign_in_rules",
    ("get", "/api/views/"): "views-list_views",
    ("post", "/api/views/"): "views-create_view",
    ("patch", "/api/views/{view_id}/"): "views-update_view",
    ("delete", "/api/views/{view_id}/"): "views-delete_view",
    ("get", "/api/canned-replies/"): "canned-replies-list_canned",
    ("post", "/api/canned-replies/"): "canned-replies-create_canned",
    ("get", "/api/canned-replies/{canned_id}/"): "canned-replies-get_canned",
    ("patch", "/api/canned-replies/{canned_id}/"): "canned-replies-update_canned",
    ("delete", "/api/canned-replies/{canned_id}/"): "canned-replies-delete_canned",
    ("post", "/api/tickets/{ticket_id}/canned-replies/{canned_id}/insert/"): (
        "canned-replies-insert_canned"
    ),
    ("post", "/api/tickets/{ticket_id}/draft/"): "assist-suggest_reply",
    ("post", "/api/tickets/{ticket_id}/drafts/{draft_id}/feedback/"): "assist-draft_feedback",
    ("get", "/api/tickets/{ticket_id}/summary/"): "assist-ticket_summary",
    ("get", "/api/sla/calendars/"): "sla-list_calendars",
    ("post", "/api/sla/calendars/"): "sla-create_calendar",
    ("patch", "/api/sla/calendars/{calendar_id}/"): "sla-update_calendar",
    ("delete", "/api/sla/calendars/{calendar_id}/"): "sla-delete_calendar",
    ("get", "/api/sla/policies/"): "sla-list_policies",
    ("post", "/api/sla/policies/"): "sla-create_policy",
    ("patch", "/api/sla/policies/{policy_id}/"): "sla-update_policy",
    ("delete", "/api/sla/policies/{policy_id}/"): "sla-delete_policy",
    ("get", "/api/sla/dashboard/"): "sla-dashboard",
    ("get", "/api/tickets/{ticket_id}/sla/"): "sla-explain",
    ("get", "/api/mail/quarantine/"): "mail-quarantine",
    ("post", "/api/mail/quarantine/{mail_id}/reprocess/"): "mail-reprocess",
    ("delete", "/api/mail/quarantine/{mail_id}/"): "mail-delete",
    ("get", "/api/mail/inbound/{mail_id}/raw/"): "mail-raw",
    ("get", "/api/tickets/{ticket_id}/mail/"): "mail-ticket_mail",
}


def test_every_operation_has_its_short_id_at_its_unchanged_path(client):
    spec = client.get("/api/openapi.json").json()
    documented = {
        (method, path): operation["operationId"]
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    assert documented == OPERATIONS
    assert len(set(documented.values())) == len(documented)


def test_a_client_generated_from_the_document_creates_and_reads_tickets(
    client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    document = tmp_path / "openapi.json"
    document.write_text(client.get("/api/openapi.json").text, encoding="utf-8")
    package = tmp_path / "desk_client"
    tools = str(Path(sys.executable).parent)  # the generator formats its output with ruff
    generate = ["generate", "--path", str(document), "--output-path", str(package)]
    generated = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            *generate,
            "--meta=none",
            "--fail-on-warning",
        ],
        env={**os.environ, "PATH": tools + os.pathsep + os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert (package / "api" / "tickets" / "tickets_create_ticket.py").is_file()

    monkeypatch.syspath_prepend(str(tmp_path))
    desk_client = importlib.import_module("desk_client")
    create = importlib.import_module("desk_client.api.tickets.tickets_create_ticket")
    read = importlib.import_module("desk_client.api.tickets.tickets_get_ticket")
    models = importlib.import_module("desk_client.models")
    # The test client carries the admin's token and reaches the app without a network.
    desk = desk_client.AuthenticatedClient(base_url=str(client.base_url), token="unused")
    desk.set_httpx_client(client)

    body = models.TicketCreate(title="Printer jams", description="Floor 2 printer jams on A3.")
    created = create.sync_detailed(client=desk, body=body)
    assert created.status_code == 201, created.content
    assert isinstance(created.parsed, models.TicketRead)
    ticket = read.sync(client=desk, ticket_id=created.parsed.id)
    assert isinstance(ticket, models.TicketRead)
    assert (ticket.title, ticket.description) == ("Printer jams", "Floor 2 printer jams on A3.")
    missing = read.sync(client=desk, ticket_id=created.parsed.id + 1000)
    assert isinstance(missing, models.Problem)
    assert missing.status == 404
