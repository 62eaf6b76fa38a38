"""Attachments through the API (issue 25): every rule, the hostile set, and who may read
which file; each test that stores bytes runs against the database store and an S3-compatible
store (moto's standalone server on a free port), on SQLite and PostgreSQL alike."""

import asyncio
import hashlib
import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import sqlalchemy as sa
from PIL import Image

from tests.conftest import reset_caches
from tests.support.api import make_ticket, refused
from tests.support.files import (
    EICAR,
    HTML_AS_PNG,
    PDF,
    SVG_WITH_SCRIPT,
    fake_clamd,
    free_port,
    png,
    png_bomb,
)

FILE_LIMIT = 64 * 1024
MESSAGE_LIMIT = 160 * 1024


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class Store:
    """The store under test; `objects()` lists an S3 bucket's keys (empty for the database)."""

    def __init__(self, kind: str, client: Any = None, bucket: str = "") -> None:
        self.kind = kind
        self.client = client
        self.bucket = bucket

    def objects(self) -> list[str]:
        if self.client is None:
            return []
        found = self.client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return [item["Key"] for item in found]


def _forget_store() -> None:
    from ticket_app.storage import get_store

    reset_caches()
    get_store.cache_clear()


@pytest.fixture(params=["database", "s3"])
def store(request, engine, monkeypatch, moto_endpoint) -> Iterator[Store]:
    """The store, and the limits a `limits(file, message)` mark asks for (small ones else)."""
    marked = request.node.get_closest_marker("limits")
    file_limit, message_limit = marked.args if marked else (FILE_LIMIT, MESSAGE_LIMIT)
    monkeypatch.setenv("ATTACHMENT_MAX_BYTES", str(file_limit))
    monkeypatch.setenv("ATTACHMENT_MAX_MESSAGE_BYTES", str(message_limit))
    found = Store("database")
    if request.param == "s3":
        for name, value in (
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
        ):
            monkeypatch.setenv(name, value)
        bucket = f"desk-{uuid.uuid4().hex[:8]}"
        client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
        client.create_bucket(Bucket=bucket)
        monkeypatch.setenv("ATTACHMENT_STORE", f"s3://{bucket}/files?endpoint={moto_endpoint}")
        found = Store("s3", client, bucket)
    _forget_store()
    yield found
    monkeypatch.undo()
    _forget_store()


@pytest.fixture
def desk(store, api, make_person, agent, requester):
    """The API as an agent, a requester and a second requester see it."""
    other = make_person("requester", "Sam Second")
    return {
        "agent": api(agent),
        "requester": api(requester),
        "other": api(other),
        "anonymous": api(),
    }


def upload(client, url: str, *files: tuple[str, bytes], **fields: str) -> Any:
    parts = [("file", (name, data, "image/png")) for name, data in files]
    return client.post(url, data=fields, files=parts)


def new_ticket(client, *files: tuple[str, bytes]) -> dict[str, Any]:
    response = upload(
        client, "/api/tickets/", *files, title="Screen broken", description="See the shot."
    )
    assert response.status_code == 201, response.text
    return response.json()


def reply(client, ticket_id: int, *files: tuple[str, bytes], public: str = "true") -> Any:
    return upload(
        client, f"/api/tickets/{ticket_id}/comments/", *files, body="Here.", public=public
    )


def blob_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM attachment_blobs")).scalar_one()


# --- storing, listing, serving ---------------------------------------------------------------


def test_a_screenshot_on_a_new_ticket_is_listed_and_served_inline(desk, store):
    shot = png()
    ticket = new_ticket(desk["requester"], ("screen.png", shot))
    [listed] = ticket["attachments"]
    assert listed["filename"] == "screen.png"
    assert listed["size"] == len(shot)
    assert listed["content_type"] == "image/png"
    assert listed["sha256"] == hashlib.sha256(shot).hexdigest()
    assert listed["comment_id"] is None
    assert listed["thumbnail"] is True
    again = desk["agent"].get(f"/api/tickets/{ticket['id']}/").json()
    assert again["attachments"] == [listed]

    response = desk["agent"].get(f"/api/attachments/{listed['id']}/")
    assert response.status_code == 200
    assert response.content == shot
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]

    thumb = desk["requester"].get(f"/api/attachments/{listed['id']}/thumbnail/")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/png"
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 320


def test_a_pdf_on_a_reply_is_a_download_with_an_rfc6266_name(desk, store):
    ticket = make_ticket(desk["requester"])
    response = reply(desk["agent"], ticket["id"], ("Rechnung März.pdf", PDF))
    assert response.status_code == 201, response.text
    [listed] = response.json()["attachments"]
    assert listed["content_type"] == "application/pdf"
    assert listed["thumbnail"] is False
    comments = desk["requester"].get(f"/api/tickets/{ticket['id']}/comments/").json()
    assert comments[0]["attachments"] == [listed]

    download = desk["requester"].get(f"/api/attachments/{listed['id']}/")
    assert download.content == PDF
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Rechnung M_rz.pdf\"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf"
    )
    assert desk["requester"].get(f"/api/attachments/{listed['id']}/thumbnail/").status_code == 404


def test_files_added_to_a_ticket_itself(desk, store):
    ticket = make_ticket(desk["requester"])
    url = f"/api/tickets/{ticket['id']}/attachments/"
    response = upload(desk["requester"], url, ("a.log", b"line 1\n"), ("b.log", b"line 2\n"))
    assert response.status_code == 201, response.text
    assert [item["filename"] for item in response.json()] == ["a.log", "b.log"]
    assert [item["content_type"] for item in response.json()] == ["text/plain"] * 2
    after = desk["requester"].get(f"/api/tickets/{ticket['id']}/").json()
    assert len(after["attachments"]) == 2
    assert after["version"] == ticket["version"] + 1
    refused(desk["requester"].post(url, json={"file": "x"}), 400, "body")
    refused(upload(desk["requester"], url, ("", b"")), 400, "file")  # no file chosen


def test_the_same_content_is_stored_once(desk, store, engine):
    log = b"the same log\n" * 100
    first = new_ticket(desk["requester"], ("one.log", log))
    second = new_ticket(desk["agent"], ("two.log", log))
    assert first["attachments"][0]["sha256"] == second["attachments"][0]["sha256"]
    assert blob_count(engine) == 1
    assert len(store.objects()) == (1 if store.kind == "s3" else 0)
    assert desk["agent"].get(f"/api/attachments/{second['attachments'][0]['id']}/").content == log


def test_deleting_a_ticket_deletes_its_files_but_not_shared_content(
    desk, store, engine, api, admin
):
    shared, own = b"shared\n" * 10, png()
    keep = new_ticket(desk["requester"], ("shared.log", shared))
    gone = new_ticket(desk["requester"], ("shared.log", shared), ("shot.png", own))
    assert blob_count(engine) == 3  # the log, the screenshot and its thumbnail
    assert api(admin).delete(f"/api/tickets/{gone['id']}/").status_code == 204
    assert blob_count(engine) == 1
    assert len(store.objects()) == (1 if store.kind == "s3" else 0)
    for item in gone["attachments"]:
        assert desk["agent"].get(f"/api/attachments/{item['id']}/").status_code == 404
    assert desk["agent"].get(f"/api/attachments/{keep['attachments'][0]['id']}/").content == shared


@pytest.mark.limits(5 * 1024 * 1024, 5 * 1024 * 1024)
def test_a_large_file_round_trips_in_pieces(desk, store):
    big = bytes(range(256)) * (4 * 4096 + 7)  # four chunks and a bit
    ticket = make_ticket(desk["requester"])
    response = reply(desk["requester"], ticket["id"], ("dump.bin", big))
    assert response.status_code == 201, response.text
    [listed] = response.json()["attachments"]
    assert desk["agent"].get(f"/api/attachments/{listed['id']}/").content == big


# --- the hostile set -------------------------------------------------------------------------


def _served_inert(response) -> None:
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("sandbox")


def test_a_png_that_is_really_html_is_never_inline(desk, store):
    [listed] = new_ticket(desk["requester"], ("cat.png", HTML_AS_PNG))["attachments"]
    assert listed["content_type"] == "text/plain"
    assert listed["thumbnail"] is False
    response = desk["agent"].get(f"/api/attachments/{listed['id']}/")
    assert response.content == HTML_AS_PNG
    _served_inert(response)


def test_an_svg_with_script_is_never_inline(desk, store):
    [listed] = new_ticket(desk["requester"], ("logo.svg", SVG_WITH_SCRIPT))["attachments"]
    assert listed["content_type"] != "image/svg+xml"
    assert listed["thumbnail"] is False
    _served_inert(desk["agent"].get(f"/api/attachments/{listed['id']}/"))


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("\u202egnp.exe", "gnp.exe"),  # a right-to-left override would show it as exe.png
        ("..", "file"),
        ("x" * 300 + ".log", "x" * 251 + ".log"),
    ],
)
def test_names_lose_paths_and_control_characters(desk, store, sent, kept):
    [listed] = new_ticket(desk["requester"], (sent, b"text\n"))["attachments"]
    assert listed["filename"] == kept
    response = desk["agent"].get(f"/api/attachments/{listed['id']}/")
    assert "\r" not in response.headers["content-disposition"]
    assert "/" not in response.headers["content-disposition"].split(";")[1]


def test_control_characters_in_a_raw_name_are_dropped(desk, store):
    name = b"evil\x1b[31m\x07\x7f\t.txt"
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="' + name + b'"\r\n\r\n'
        b"text\n\r\n--XyZ--\r\n"
    )
    ticket = make_ticket(desk["requester"])
    response = desk["requester"].post(
        f"/api/tickets/{ticket['id']}/attachments/",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert response.status_code == 201, response.text
    assert response.json()[0]["filename"] == "evil[31m.txt"


def test_a_zero_byte_file_is_kept_and_an_empty_file_input_is_ignored(desk, store):
    ticket = new_ticket(desk["requester"], ("empty.txt", b""), ("", b""))
    [listed] = ticket["attachments"]
    assert (listed["filename"], listed["size"]) == ("empty.txt", 0)
    assert listed["content_type"] == "application/octet-stream"
    assert desk["agent"].get(f"/api/attachments/{listed['id']}/").content == b""


def test_a_truncated_multipart_body_is_refused_and_nothing_is_stored(desk, store, engine):
    ticket = make_ticket(desk["requester"])
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="body"\r\n\r\nHi\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.log"\r\n\r\n'
        b"half a log"
    )
    response = desk["requester"].post(
        f"/api/tickets/{ticket['id']}/comments/",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    refused(response, 400, "body")
    assert desk["requester"].get(f"/api/tickets/{ticket['id']}/comments/").json() == []
    assert blob_count(engine) == 0


def test_eleven_files_are_refused(desk, store, engine):
    files = [(f"{n}.log", f"log {n}\n".encode()) for n in range(11)]
    fields = refused(
        upload(desk["requester"], "/api/tickets/", *files, title="t", description="d"), 400, "file"
    )
    assert "at most 10 files" in fields["file"]
    assert desk["agent"].get("/api/tickets/").json() == []
    assert blob_count(engine) == 0
    assert new_ticket(desk["requester"], *files[:10])["attachments"][9]["filename"] == "9.log"


def test_one_byte_over_the_file_limit_is_a_413_naming_it(desk, store, engine):
    ticket = make_ticket(desk["requester"])
    at_limit = reply(desk["requester"], ticket["id"], ("full.bin", b"\1" * FILE_LIMIT))
    assert at_limit.status_code == 201, at_limit.text
    over = reply(desk["requester"], ticket["id"], ("over.bin", b"\2" * (FILE_LIMIT + 1)))
    fields = refused(over, 413, "file")
    assert "ATTACHMENT_MAX_BYTES" in fields["file"]
    assert f"{FILE_LIMIT:,} bytes" in fields["file"]
    assert len(desk["requester"].get(f"/api/tickets/{ticket['id']}/comments/").json()) == 1


def test_files_over_the_message_limit_together_are_a_413_naming_it(desk, store):
    ticket = make_ticket(desk["requester"])
    files = [(f"{n}.bin", bytes([n]) * FILE_LIMIT) for n in range(3)]  # 192 KiB > 160 KiB
    fields = refused(reply(desk["requester"], ticket["id"], *files), 413, "file")
    assert "ATTACHMENT_MAX_MESSAGE_BYTES" in fields["file"]


def _raw_post(
    app, path: str, token: str, pieces: list[bytes], declared: int | None
) -> tuple[int, int]:
    """POST `pieces` straight to the ASGI app; (status, how many pieces it read)."""
    from ticket_app.config import get_settings

    headers = [
        (b"host", get_settings().app_url.split("//")[1].encode()),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"multipart/form-data; boundary=XyZ"),
    ]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    scope = {
        "type": "http", "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "headers": headers,
        "client": ("127.0.0.1", 5000), "server": ("localhost", 8000), "root_path": "",
    }  # fmt: skip
    read = 0
    answers: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read == len(pieces):
            await asyncio.sleep(3600)
        read += 1
        return {"type": "http.request", "body": pieces[read - 1], "more_body": read < len(pieces)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answers.append(message["status"])

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))
    return answers[0], read


def test_an_oversized_file_is_refused_before_the_body_is_read_whole(desk, store, requester):
    from ticket_app.api.app import create_api

    head = b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
    pieces = [head] + [b"\0" * 16384] * 64  # 1 MiB, the limit is 64 KiB
    status, read = _raw_post(
        create_api(), "/api/tickets/1/attachments/", requester.token, pieces, None
    )
    assert status == 413
    assert read <= 8, f"read {read} of {len(pieces)} pieces before refusing"
    declared = MESSAGE_LIMIT * 4
    status, read = _raw_post(create_api(), "/api/tickets/", requester.token, pieces, declared)
    assert (status, read) == (413, 0)


def test_a_decompression_bomb_gets_no_thumbnail_and_is_a_download(desk, store):
    bomb = png_bomb()
    [listed] = new_ticket(desk["requester"], ("huge.png", bomb))["attachments"]
    assert listed["content_type"] == "image/png"
    assert listed["thumbnail"] is False
    response = desk["agent"].get(f"/api/attachments/{listed['id']}/")
    assert response.content == bomb
    _served_inert(response)


# --- who may read which file -----------------------------------------------------------------


def test_a_requester_cannot_read_another_requesters_file_or_a_notes_file(desk, store):
    mine = new_ticket(desk["requester"], ("mine.png", png()))
    note = reply(desk["agent"], mine["id"], ("internal.pdf", PDF), public="false")
    assert note.status_code == 201, note.text
    [note_file] = note.json()["attachments"]
    [my_file] = mine["attachments"]
    assert desk["agent"].get(f"/api/attachments/{note_file['id']}/").content == PDF
    for path in (f"/api/attachments/{note_file['id']}/", f"/api/attachments/{my_file['id']}/",
                 f"/api/attachments/{my_file['id']}/thumbnail/"):  # fmt: skip
        refused(desk["other"].get(path), 404)
    refused(desk["requester"].get(f"/api/attachments/{note_file['id']}/"), 404)
    assert desk["requester"].get(f"/api/tickets/{mine['id']}/comments/").json() == []
    assert desk["anonymous"].get(f"/api/attachments/{my_file['id']}/").status_code == 401


def test_guessing_ids_finds_only_ones_own_files(desk, store):
    for client in (desk["requester"], desk["agent"]):
        new_ticket(client, ("a.log", b"a\n"), ("b.log", b"b\n"))
    own = new_ticket(desk["other"], ("own.log", b"own\n"))["attachments"][0]["id"]
    found = [
        n
        for n in range(0, own + 20)
        if desk["other"].get(f"/api/attachments/{n}/").status_code == 200
    ]
    assert found == [own]
    assert desk["other"].get("/api/attachments/99999999999/").status_code == 404


def test_through_a_merged_ticket_only_the_public_replies_files_cross(desk, store):
    agent, rita, sam = desk["agent"], desk["requester"], desk["other"]
    target = make_ticket(rita)
    source = new_ticket(sam, ("sams-own.png", png(color="red")))
    public = reply(sam, source["id"], ("public.log", b"shared with the desk\n")).json()
    note = reply(agent, source["id"], ("note.log", b"staff only\n"), public="false").json()
    merged = agent.post(
        f"/api/tickets/{source['id']}/merge/",
        json={"into": target["id"], "share_with_requester": True},
    )
    assert merged.status_code == 200, merged.text
    public_file, note_file = public["attachments"][0], note["attachments"][0]
    comments = agent.get(f"/api/tickets/{target['id']}/comments/").json()
    assert [c["attachments"][0]["ticket_id"] for c in comments] == [target["id"]] * 2
    assert rita.get(f"/api/attachments/{public_file['id']}/").status_code == 200
    refused(rita.get(f"/api/attachments/{note_file['id']}/"), 404)
    refused(rita.get(f"/api/attachments/{source['attachments'][0]['id']}/"), 404)
    refused(sam.get(f"/api/attachments/{note_file['id']}/"), 404)
    assert sam.get(f"/api/attachments/{source['attachments'][0]['id']}/").status_code == 200


def test_files_cannot_be_added_to_someone_elses_or_a_merged_ticket(desk, store, engine):
    theirs = make_ticket(desk["requester"])
    url = f"/api/tickets/{theirs['id']}/attachments/"
    refused(upload(desk["other"], url, ("x.log", b"x\n")), 404)
    refused(reply(desk["other"], theirs["id"], ("x.log", b"x\n")), 404)
    assert blob_count(engine) == 0
    assert store.objects() == []


# --- the virus scanner -----------------------------------------------------------------------


def test_the_scanner_refuses_infected_files_and_holds_files_while_it_is_away(
    desk, store, monkeypatch
):
    port = free_port()
    monkeypatch.setenv("CLAMD_URL", f"tcp://127.0.0.1:{port}")
    _forget_store()
    ticket = make_ticket(desk["requester"])
    with fake_clamd(port) as scanned:
        clean = reply(desk["requester"], ticket["id"], ("ok.log", b"fine\n"))
        assert clean.status_code == 201
        assert clean.json()["attachments"][0]["state"] == "stored"
        infected = reply(desk["requester"], ticket["id"], ("eicar.com", EICAR))
        assert "Eicar-Test-Signature" in refused(infected, 400, "file")["file"]
        assert scanned == [b"fine\n", EICAR]
    held = reply(desk["requester"], ticket["id"], ("later.log", b"scanned later\n"))
    assert held.status_code == 201, held.text
    [pending] = held.json()["attachments"]
    assert pending["state"] == "pending"
    waiting = desk["agent"].get(f"/api/attachments/{pending['id']}/")
    assert waiting.status_code == 409
    assert "virus scan" in waiting.json()["detail"]
    with fake_clamd(port) as scanned:
        served = desk["agent"].get(f"/api/attachments/{pending['id']}/")
        assert served.status_code == 200
        assert served.content == b"scanned later\n"
        assert scanned == [b"scanned later\n"]
    comments = desk["agent"].get(f"/api/tickets/{ticket['id']}/comments/").json()
    assert comments[-1]["attachments"][0]["state"] == "stored"


def test_the_openapi_document_describes_the_uploads(client):
    document = client.get("/api/openapi.json").json()
    upload_body = document["paths"]["/api/tickets/{ticket_id}/attachments/"]["post"]["requestBody"]
    assert "multipart/form-data" in upload_body["content"]
    assert json.dumps(document).count("AttachmentRead") >= 3


# --- the UI's downloads ----------------------------------------------------------------------


def test_the_ui_download_checks_whoever_session_comes_with_it(
    desk, store, api, requester, make_person
):
    from ticket_app.services import sessions

    ticket = make_ticket(desk["requester"])
    agents_pdf = reply(desk["agent"], ticket["id"], ("invoice.pdf", PDF)).json()["attachments"][0]
    shot = new_ticket(desk["requester"], ("shot.png", png()))["attachments"][0]
    url = f"/download/attachments/{agents_pdf['id']}"

    browser = api()
    assert browser.get(url, follow_redirects=False).headers["location"] == "/login"
    browser.cookies.set(sessions.COOKIE_NAME, sessions.start(requester.actor))
    download = browser.get(url)
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith('attachment; filename="invoice.pdf"')
    thumb = browser.get(f"/download/attachments/{shot['id']}/thumbnail")
    assert thumb.headers["content-type"] == "image/png"

    stranger = api()
    other = make_person("requester", "Otto Other")
    stranger.cookies.set(sessions.COOKIE_NAME, sessions.start(other.actor))
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/download/attachments/{shot['id']}/thumbnail").status_code == 404
