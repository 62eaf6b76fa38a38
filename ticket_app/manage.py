"""`python -m ticket_app.manage`: the desk's management commands, for scripts and containers.

    create-user EMAIL --name NAME --role admin|agent|requester --password-stdin
    create-token EMAIL --name LABEL        prints the new token alone
    set-password EMAIL --password-stdin
    deactivate EMAIL
    setup-link                             prints the first-admin setup address, if one is due
    bootstrap-admin                        creates ADMIN_EMAIL's admin when no admin exists
    check-counts                           reports counters and search index that drifted
    rebuild-counts                         rebuilds them from the tickets
    send-mail [--once]                     works the outbox through SMTP_URL (--once: until empty)
    sla-sweep                              sends the service-level warnings and breaches now due
    ingest-mail [FILE]                     one received message (FILE or standard input) through
                                           the mail pipeline; prints {"action", "ticket_id",
                                           "reason"}; exits 75 when the database is unreachable

Reads DATABASE_URL like the app and applies pending migrations first. Messages go to stderr,
results to stdout; a problem exits non-zero with one clear line.
"""

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import exc

from ticket_app import migrate
from ticket_app.config import get_settings
from ticket_app.mail import sender
from ticket_app.models import InboundSource
from ticket_app.services import api_tokens, counts, inbound, setup, sla, users
from ticket_app.services.errors import DatabaseBusy, DatabaseUnavailable, ServiceError

Command = Callable[[argparse.Namespace], int]
EX_NOINPUT = 66
EX_TEMPFAIL = 75  # sysexits.h: a mail server's pipe transport keeps the message and retries


def _password(arguments: argparse.Namespace) -> str:
    if not arguments.password_stdin:
        raise SystemExit("error: pass --password-stdin and give the password on standard input")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise SystemExit("error: no password on standard input")
    return password


def create_user(arguments: argparse.Namespace) -> int:
    data = users.validate_user_create(
        {
            "email": arguments.email,
            "name": arguments.name,
            "role": arguments.role,
            "password": _password(arguments),
        }
    )
    user = users.create_user(None, data=data)
    print(f"created {user.role} {user.email} (id {user.id})", file=sys.stderr)
    return 0


def create_token(arguments: argparse.Namespace) -> int:
    print(api_tokens.token_for_cli(email=arguments.email, name=arguments.name))
    return 0


def set_password(arguments: argparse.Namespace) -> int:
    users.set_password(email=arguments.email, password=_password(arguments))
    print(f"password changed for {arguments.email}; their sessions ended", file=sys.stderr)
    return 0


def deactivate(arguments: argparse.Namespace) -> int:
    user = users.deactivate(arguments.email)
    print(f"deactivated {user.email}; their sessions and tokens stopped working", file=sys.stderr)
    return 0


def setup_link(_arguments: argparse.Namespace) -> int:
    address = setup.pending_address()
    if address is None:
        print("the desk has an admin: no setup address", file=sys.stderr)
        return 1
    print(get_settings().app_url + address)
    return 0


def bootstrap_admin(_arguments: argparse.Namespace) -> int:
    if done := setup.bootstrap_admin():
        print(done, file=sys.stderr)
    return 0


def check_counts(_arguments: argparse.Namespace) -> int:
    drift = counts.check()
    for line in drift:
        print(line)
    print(
        "counters and search index agree with the tickets"
        if not drift
        else "drift found: run `python -m ticket_app.manage rebuild-counts`",
        file=sys.stderr,
    )
    return 1 if drift else 0


def rebuild_counts(_arguments: argparse.Namespace) -> int:
    counts.rebuild()
    print("counters and search index rebuilt from the tickets", file=sys.stderr)
    return 0


def send_mail(arguments: argparse.Namespace) -> int:
    if not get_settings().smtp_url:
        print("error: SMTP_URL is not set; mail stays in the outbox", file=sys.stderr)
        return 1
    if not arguments.once:
        sender.work()
        return 0
    try:
        print(f"{sender.drain()} mails worked", file=sys.stderr)
    except sender.Unreachable as error:
        print(f"error: the mail server cannot be reached: {error}", file=sys.stderr)
        return EX_TEMPFAIL
    return 0


def ingest_mail(arguments: argparse.Namespace) -> int:
    try:
        raw = Path(arguments.file).read_bytes() if arguments.file else sys.stdin.buffer.read()
    except OSError as error:
        print(f"error: cannot read {arguments.file}: {error.strerror}", file=sys.stderr)
        return EX_NOINPUT
    try:
        outcome = inbound.ingest(raw=raw, source=InboundSource.PIPE)
    except (DatabaseUnavailable, DatabaseBusy) as error:
        print(f"error: the message was not stored: {error}", file=sys.stderr)
        return EX_TEMPFAIL
    print(json.dumps(outcome.as_json()))
    return 0


def sla_sweep(_arguments: argparse.Namespace) -> int:
    print(f"{sla.sweep_all()} tickets looked at", file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ticket_app.manage", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Command, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run)
        return sub

    sub = command("create-user", create_user, "create a user with a role and a password")
    sub.add_argument("email")
    sub.add_argument("--name", required=True)
    sub.add_argument("--role", required=True, choices=["admin", "agent", "requester"])
    sub.add_argument("--password-stdin", action="store_true")
    sub = command("create-token", create_token, "create an API token and print it alone")
    sub.add_argument("email")
    sub.add_argument("--name", required=True, help="a label to recognise the token by")
    sub = command("set-password", set_password, "set a user's password; ends their sessions")
    sub.add_argument("email")
    sub.add_argument("--password-stdin", action="store_true")
    sub = command("deactivate", deactivate, "deactivate a user; ends their sessions")
    sub.add_argument("email")
    command("setup-link", setup_link, "print the first-admin setup address, if one is due")
    command("bootstrap-admin", bootstrap_admin, "create ADMIN_EMAIL's admin if none exists")
    command("check-counts", check_counts, "report counters and search index that drifted")
    command("rebuild-counts", rebuild_counts, "rebuild counters and search index")
    sub = command("send-mail", send_mail, "send queued mail through SMTP_URL")
    sub.add_argument("--once", action="store_true", help="stop when nothing is due")
    command("sla-sweep", sla_sweep, "send the service-level warnings and breaches now due")
    sub = command("ingest-mail", ingest_mail, "take one received message through the pipeline")
    sub.add_argument("file", nargs="?", help="the message (RFC 5322); standard input without")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        migrate.upgrade(quiet=True)
    except exc.DBAPIError as error:
        if arguments.run is not ingest_mail:
            raise
        print(f"error: the database cannot be reached: {error.orig}", file=sys.stderr)
        return EX_TEMPFAIL
    try:
        return arguments.run(arguments)
    except ServiceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
