"""Score similar tickets on labelled tickets: `python -m ticket_app.similarity.evaluate FILE.jsonl`.

Reads the rows that carry an intent in `orig_category` (`CATEGORY/intent`, as the Bitext rows
do), holds out `--holdout` of each intent's rows, files the others as tickets through the
tickets service into a scratch database (an SQLite file by default; `--database URL` names a
PostgreSQL server, on which a database of its own is created and dropped), then asks the
similar-tickets service about each held-out text, as the form does while a ticket is written.

Prints precision at 5 (the share of the five offered tickets that have the query's intent;
fewer than five offered count as misses), the mean reciprocal rank of the first ticket of
the same intent among the five (0 when none is), how often one is there at all, and the
latency of the service call (p50/p95, in process). Then the common-words check: texts that
say nothing but desk chatter ("please help me") must get no confident match, that is no
ticket scoring CONFIDENT or more; the command exits 1 when one does.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ticket_app.config import get_settings
from ticket_app.db import get_engine
from ticket_app.domain import TITLE_MAX_LENGTH, Category, Priority, Role
from ticket_app.migrate import upgrade
from ticket_app.services import similar, similar_index, tickets, users
from ticket_app.services.access import Actor
from ticket_app.services.passwords import hash_password
from ticket_app.services.schemas import TicketCreate
from ticket_app.services.transaction import transaction

CONFIDENT = 0.5
TOP = 5
COMMON_WORDS = (
    "please help me",
    "Hello, I need assistance",
    "Hi team, can you help me with something?",
    "I have a question",
    "thanks in advance",
    "good morning",
    "URGENT!!! please answer asap",
    "can someone look into this for me",
    "is anyone there?",
    "I need some information please",
)


@dataclass(frozen=True)
class Row:
    text: str
    intent: str
    category: str


def read_rows(path: Path) -> list[Row]:
    """The rows with an intent (`orig_category` of the form CATEGORY/intent)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        intent = item.get("orig_category") or ""
        if "/" in intent and item.get("text", "").strip():
            rows.append(Row(item["text"], intent, item.get("category") or "general"))
    return rows


def split(rows: list[Row], share: float, seed: int) -> tuple[list[Row], list[Row]]:
    """(filed, held out): `share` of each intent's rows held out, at least one of an intent
    with two or more rows, none of an intent with one."""
    rng = random.Random(seed)  # noqa: S311 -- a reproducible draw, not a secret
    by_intent: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_intent[row.intent].append(row)
    filed, held = [], []
    for intent in sorted(by_intent):
        group = by_intent[intent][:]
        rng.shuffle(group)
        count = max(1, round(len(group) * share)) if len(group) > 1 else 0
        held += group[:count]
        filed += group[count:]
    return filed, held


def _point_at(url: str) -> None:
    """Make the app's services use `url` (they read DATABASE_URL through the settings)."""
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


@contextmanager
def scratch_database(server: str | None) -> Iterator[str]:
    """The URL of an empty database that is gone afterwards."""
    if server is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'similar-eval.db'}"
        return
    base = make_url(server).set(drivername="postgresql+psycopg2")
    name = f"similar_eval_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        _point_at("sqlite://")  # let go of the scratch database before dropping it
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _agent() -> Actor:
    """An agent to file and ask as (staff see every ticket, as the form's agent does)."""
    password = uuid.uuid4().hex
    data = users.validate_user_create(
        {"email": "evaluate@example.com", "name": "Evaluate", "role": "agent", "password": password}
    )
    with transaction(write=True) as connection:
        user = users.insert_user(connection, data=data, password_hash=hash_password(password))
    return Actor(id=user.id, email=user.email, name=user.name, role=Role.AGENT)


def _title(text: str) -> str:
    """Chat lines have no subject: the text is its own title, as a short ticket's would be."""
    return " ".join(text.split())[:TITLE_MAX_LENGTH]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def evaluate(filed: list[Row], held: list[Row]) -> bool:
    """File, ask, print the figures; whether the common-words check passed."""
    actor = _agent()
    intent_of = {}
    for row in filed:
        ticket = tickets.create_ticket(
            actor,
            data=TicketCreate(
                title=_title(row.text),
                description=row.text,
                category=Category(row.category),
                priority=Priority.MEDIUM,
            ),
        )
        intent_of[ticket.id] = row.intent
    similar_index.index_pending()  # what the server's background step does after creates
    precisions, ranks, latencies = [], [], []
    for row in held:
        started = time.perf_counter()
        found = similar.find(actor, title=_title(row.text), description=row.text, limit=TOP)
        latencies.append((time.perf_counter() - started) * 1000)
        same = [intent_of[ticket.id] == row.intent for ticket in found]
        precisions.append(sum(same) / TOP)
        ranks.append(next((1 / rank for rank, hit in enumerate(same, 1) if hit), 0.0))
    print(
        f"{len(filed)} tickets filed, {len(held)} held out, {len(set(intent_of.values()))} intents"
    )
    print(f"precision@{TOP}: {statistics.fmean(precisions):.3f}")
    print(f"MRR (first same-intent ticket among the {TOP}): {statistics.fmean(ranks):.3f}")
    print(f"a same-intent ticket among the {TOP}: {sum(r > 0 for r in ranks) / len(ranks):.3f}")
    print(
        f"latency per query (in process): p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {_percentile(latencies, 0.95):.1f} ms"
    )
    print(f"\ncommon words (confident: a score of {CONFIDENT} or more):")
    passed = True
    for text in COMMON_WORDS:
        found = similar.find(actor, title="", description=text, limit=TOP)
        top = found[0].score if found else 0.0
        passed &= top < CONFIDENT
        print(f"  {text!r}: {len(found)} offered, top score {top:.2f}")
    print("common-words check: " + ("passed" if passed else "FAILED"))
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="JSON lines with text and orig_category")
    parser.add_argument("--database", help="a PostgreSQL URL whose server gets a scratch database")
    parser.add_argument("--holdout", type=float, default=0.2, help="share of each intent held out")
    parser.add_argument("--seed", type=int, default=1, help="of the hold-out draw")
    args = parser.parse_args()
    filed, held = split(read_rows(args.file), args.holdout, args.seed)
    if not filed or not held:
        raise SystemExit("no rows with an intent (orig_category CATEGORY/intent) to evaluate")
    with scratch_database(args.database) as url:
        _point_at(url)
        upgrade(url, quiet=True)
        print(f"{make_url(url).get_backend_name()} scratch database, {args.file.name}")
        passed = evaluate(filed, held)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
