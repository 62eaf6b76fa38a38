"""A throwaway Dovecot IMAP server on loopback for the mail tests and the bench, like
scripts/postgres-test-server's PostgreSQL: Debian's `dovecot-imapd` (installed with apt-get
when missing; CI runs as root), its own configuration, a passwd-file user and a Maildir in a
temporary directory, started on a free port and stopped afterwards. It never touches the
machine's own Dovecot configuration or service.

It also takes OAuth2 bearer tokens (XOAUTH2, OAUTHBEARER) for the same user, as large mail
providers do: Dovecot's `oauth2` passdb asks a token introspection endpoint (RFC 7662) that
this module serves on loopback (`TokenIssuer`): a token it issued and that has not expired is
active for the user, anything else is not.
"""

import imaplib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

USER = "desk"
PASSWORD = "desk-password"
DOVECOT = "/usr/sbin/dovecot"
CONFIG = """
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
mail_location = maildir:{dir}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = {uid}
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {dir}/oauth2.conf
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/mail/%u
}}
namespace inbox {{
  inbox = yes
  mailbox Processed {{
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


OAUTH2_CONFIG = """
introspection_mode = post
introspection_url = http://127.0.0.1:{port}/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""


class TokenIssuer:
    """The OAuth2 provider's side the mail server sees: tokens it issued, each with an expiry,
    and the introspection endpoint that says whether one is active and for whom."""

    def __init__(self) -> None:
        self.tokens: dict[str, tuple[str, float]] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = int(self.server.server_address[1])

    def issue(self, user: str = USER, *, seconds: float = 3600) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (user, time.time() + seconds)
        return token

    def introspect(self, token: str) -> dict[str, object]:
        user, expires = self.tokens.get(token, ("", 0.0))
        if not user or expires <= time.time():
            return {"active": False}
        return {"active": True, "username": user, "exp": int(expires)}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                body = json.dumps(issuer.introspect(form.get("token", [""])[0])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def ensure_installed() -> None:
    """Install Debian's dovecot-imapd when it is missing (as scripts/test does)."""
    if Path(DOVECOT).exists():
        return
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=environment)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "dovecot-imapd"], check=True, env=environment
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ImapServer:
    """Dovecot in `directory`, with one user; `url` is the IMAP_URL that reaches it."""

    def __init__(self) -> None:
        # Its own directory, readable by Dovecot's unprivileged processes (pytest's are 0700).
        self.directory = Path(tempfile.mkdtemp(prefix="desk-imap-"))
        self.directory.chmod(0o755)
        self.port = _free_port()
        self.config = self.directory / "dovecot.conf"
        self.tokens = TokenIssuer()

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def start(self) -> None:
        ensure_installed()
        mail_user = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        (self.directory / "mail").mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory / "mail", mail_user.pw_uid, mail_user.pw_gid)
        (self.directory / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
        self.tokens.start()
        (self.directory / "oauth2.conf").write_text(
            OAUTH2_CONFIG.format(port=self.tokens.port), encoding="utf-8"
        )
        self.config.write_text(
            CONFIG.format(
                dir=self.directory, port=self.port, uid=mail_user.pw_uid, gid=mail_user.pw_gid
            ),
            encoding="utf-8",
        )
        subprocess.run([DOVECOT, "-c", str(self.config)], check=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Dovecot did not start; see {self.directory / 'dovecot.log'}")

    def stop(self) -> None:
        subprocess.run([DOVECOT, "-c", str(self.config), "stop"], check=False)
        self.tokens.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(USER, PASSWORD)
        return client

    def append(self, messages: list[bytes], folder: str = "INBOX") -> None:
        client = self.client()
        try:
            for message in messages:
                client.append(folder, "", imaplib.Time2Internaldate(time.time()), message)
        finally:
            client.logout()

    def count(self, criteria: str = "ALL", folder: str = "INBOX") -> int:
        """How many messages in `folder` match an IMAP SEARCH (UNSEEN, SEEN, ALL)."""
        client = self.client()
        try:
            client.select(folder)
            _, data = client.search(None, criteria)
            return len(data[0].split())
        finally:
            client.logout()

    def empty(self) -> None:
        client = self.client()
        try:
            for folder in ("INBOX", "Processed"):
                client.select(folder)
                client.store("1:*", "+FLAGS", "\\Deleted")
                client.expunge()
        except imaplib.IMAP4.error:
            pass
        finally:
            client.logout()
