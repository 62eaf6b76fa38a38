"""Service levels: replay of generated histories, list pages filtered by `sla=`, and the sweep.

python -m bench.sla replay --database URL --tickets 10000
    N tickets with generated histories written through the services under a moving
    frozen clock (replies by both sides, status changes, priority changes, a policy change
    half-way); then every ticket's timers are replayed from its history and compared with
    the stored columns. Prints the count that differ (0 expected) and the time taken.
python -m bench.sla lists --database URL [--runs 50]
    On a seeded desk (bench.seed): gives SLA_TICKETS open tickets due times spread around
    now (one UPDATE, as the clock would have written them), then times the first page of
    `sla=breached`, `sla=due_soon` and `sort=due` (p50, p95) and the sweep's cost: how many
    tickets one minute of due times makes it look at and how long one pass takes.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import time_machine

SLA_TICKETS = 20_000
BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 2, 8, 0, tzinfo=BERLIN)
WEEKDAYS = {
    day: [["09:00", "12:30"], ["13:30", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}


def set_up_desk(admin: Any) -> None:
    """Two calendars and three policies (one narrowed by category), as of START."""
    from ticket_app.services import sla_calendars, sla_policies

    with time_machine.travel(START - timedelta(days=1), tick=False):
        munich = sla_calendars.create_calendar(
            admin,
            data=sla_calendars.validate(
                {
                    "name": "Munich",
                    "time_zone": "Europe/Berlin",
                    "hours": WEEKDAYS,
                    "holiday_country": "DE",
                    "holiday_region": "BY",
                }
            ),
        )
        for priority, category, first, following, resolution in (
            ("critical", None, 60, 120, 480),
            ("high", None, 240, 480, 2400),
            ("high", "billing", 120, 240, 960),
        ):
            sla_policies.create_policy(
                admin,
                data=sla_policies.validate(
                    {
                        "priority": priority,
                        "category": category,
                        "calendar_id": munich.id if priority == "critical" else None,
                        "first_response_minutes": first,
                        "next_response_minutes": following,
                        "resolution_minutes": resolution,
                    }
                ),
            )


def generate(count: int, *, admin: Any, agent: Any, requester: Any, seed: int = 26) -> list[int]:
    """`count` tickets with random histories written through the services; their ids."""
    from ticket_app.services import comments, sla_policies, tickets
    from ticket_app.services.schemas import validate_create, validate_patch

    chance = random.Random(seed)
    made = []
    moment = START
    changed_policy = False
    for number in range(count):
        moment += timedelta(minutes=chance.randint(1, 240))
        with time_machine.travel(moment, tick=False) as clock:
            if not changed_policy and number >= count // 2:
                critical = next(
                    p for p in sla_policies.list_policies(admin) if p.priority == "critical"
                )
                sla_policies.update_policy(
                    admin, policy_id=critical.id, changes={"first_response_minutes": 30}
                )
                changed_policy = True
            data = validate_create({"title": f"Ticket {number}", "description": "It broke."})
            ticket = tickets.create_ticket(requester, data=data)
            triage = {
                "category": chance.choice(["billing", "technical"]),
                "priority": chance.choice(["critical", "high", "low"]),
            }
            tickets.update_ticket(agent, ticket_id=ticket.id, patch=validate_patch(triage))
            for _ in range(chance.randint(0, 6)):
                clock.shift(timedelta(minutes=chance.choice([5, 30, 90, 600, 3000])))
                action = chance.random()
                if action < 0.35:
                    comments.add_comment(
                        agent,
                        ticket_id=ticket.id,
                        data=comments.validate_comment({"body": "On it."}),
                    )
                elif action < 0.6:
                    comments.add_comment(
                        requester,
                        ticket_id=ticket.id,
                        data=comments.validate_comment({"body": "Any news?"}),
                    )
                elif action < 0.9:
                    status = chance.choice(["open", "in_progress", "resolved", "closed"])
                    tickets.update_ticket(
                        agent, ticket_id=ticket.id, patch=validate_patch({"status": status})
                    )
                else:
                    priority = chance.choice(["critical", "high", "medium"])
                    tickets.update_ticket(
                        agent, ticket_id=ticket.id, patch=validate_patch({"priority": priority})
                    )
        made.append(ticket.id)
    return made


DUE_FIELDS = (
    "sla_policy_id",
    "sla_terms_id",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "sla_paused",
    "sla_due_at",
)


def differences(ticket_ids: list[int]) -> list[tuple[int, str, Any, Any]]:
    """(ticket, column, stored, replayed) for every stored due column that a replay from
    history does not give back."""
    from ticket_app.models import Ticket
    from ticket_app.services import sla
    from ticket_app.services.transaction import transaction

    table = Ticket.__table__
    found = []
    with transaction() as connection:
        for ticket_id in ticket_ids:
            row = connection.execute(sa.select(table).where(table.c.id == ticket_id)).one()
            replayed = sla.columns(sla.compute(connection, row), row, row.updated_at)
            for name in DUE_FIELDS:
                if getattr(row, name) != replayed[name]:
                    found.append((ticket_id, name, getattr(row, name), replayed[name]))
    return found


def _people() -> tuple[Any, Any, Any]:
    from ticket_app.domain import Role
    from ticket_app.services import users
    from ticket_app.services.access import Actor
    from ticket_app.services.passwords import hash_password
    from ticket_app.services.transaction import transaction

    made = []
    secret = secrets.token_urlsafe(24)  # nobody signs in as them
    for role in (Role.ADMIN, Role.AGENT, Role.REQUESTER):
        data = users.validate_user_create(
            {
                "email": f"sla-{role.value}-{os.getpid()}@example.com",
                "name": f"SLA {role.value}",
                "role": role.value,
                "password": secret,
            }
        )
        with transaction(write=True) as connection:
            user = users.insert_user(connection, data=data, password_hash=hash_password(secret))
        made.append(Actor(id=user.id, email=user.email, name=user.name, role=role))
    return made[0], made[1], made[2]


def replay_bench(count: int) -> int:
    from ticket_app.services.secrets import signing_key

    signing_key()  # made now: on SQLite its own write cannot start inside a mail's transaction
    admin, agent, requester = _people()
    set_up_desk(admin)
    started = time.perf_counter()
    ids = generate(count, admin=admin, agent=agent, requester=requester)
    written = time.perf_counter() - started
    started = time.perf_counter()
    found = differences(ids)
    replayed = time.perf_counter() - started
    print(
        f"{count} tickets: written in {written:.1f} s, replayed in {replayed:.1f} s "
        f"({replayed / count * 1000:.2f} ms each); {len(found)} columns differ"
    )
    for item in found[:10]:
        print("  ", item)
    sweep_bench(ids)
    return 1 if found else 0


def sweep_bench(ids: list[int]) -> None:
    """The sweep over the generated desk, a day after its last ticket: what it touches."""
    from ticket_app.services import sla

    with time_machine.travel(START + timedelta(days=len(ids) // 12 + 1), tick=False):
        started = time.perf_counter()
        looked = sla.sweep_all()
        spent = time.perf_counter() - started
    print(
        f"sweep: {looked} of {len(ids)} tickets looked at (those with a warning or breach due) "
        f"in {spent:.2f} s, {spent / max(looked, 1) * 1000:.2f} ms per ticket"
    )


def _timed(run: Any, runs: int) -> tuple[float, float]:
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.95) - 1]


def lists_bench(runs: int) -> None:
    """First pages of the sla lists and the sweep's cost on a seeded desk."""
    from ticket_app.domain import Role
    from ticket_app.models import Ticket
    from ticket_app.services import sla, tickets
    from ticket_app.services.access import Actor
    from ticket_app.services.schemas import parse_filters
    from ticket_app.services.transaction import transaction

    table = Ticket.__table__
    now = datetime.now(UTC)
    with transaction(write=True) as connection:
        total = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        # SLA_TICKETS open tickets due from 8 hours ago to 8 hours ahead, one a few seconds
        # apart; a warning time 80% of an hour before each.
        spread = timedelta(hours=16) / SLA_TICKETS
        picked = (
            sa.select(table.c.id)
            .where(table.c.status == "open")
            .order_by(table.c.id.desc())
            .limit(SLA_TICKETS)
            .cte("picked")
        )
        ids = list(connection.execute(sa.select(picked.c.id)).scalars())
        connection.execute(
            sa.update(table)
            .values(sla_due_at=sla.NO_DUE, sla_warn_at=None)
            .where(table.c.sla_warn_at.is_not(None))
        )
        connection.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("ident"))
            .values(
                first_response_due_at=sa.bindparam("due"),
                sla_due_at=sa.bindparam("due"),
                sla_warn_at=sa.bindparam("warn"),
            ),
            [
                {
                    "ident": ident,
                    "due": now - timedelta(hours=8) + spread * n,
                    "warn": now - timedelta(hours=8) + spread * n - timedelta(minutes=12),
                }
                for n, ident in enumerate(ids)
            ],
        )
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE tickets")
    admin = Actor(id=0, email="bench@example.com", name="Bench", role=Role.ADMIN)
    print(f"{total:,} tickets, {len(ids):,} with a due time within 8 hours either side")
    for query in (
        {"sla": "breached"},
        {"sla": "due_soon"},
        {"sort": "due"},
        {"sla": "breached", "assignee": "none"},
    ):
        filters = parse_filters(**query)
        p50, p95 = _timed(lambda f=filters: tickets.list_tickets(admin, filters=f, limit=50), runs)
        print(f"  first page of {query}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    per_minute = len(ids) / (16 * 60)
    with transaction() as connection:
        plan_sql = (
            sa.select(table.c.id)
            .where(table.c.sla_warn_at <= now)
            .order_by(table.c.sla_warn_at, table.c.id)
            .limit(sla.SWEEP_BATCH)
        )
        if connection.dialect.name == "postgresql":
            plan = connection.exec_driver_sql(
                "EXPLAIN "
                + str(plan_sql.compile(connection, compile_kwargs={"literal_binds": True}))
            ).scalars()
            print("  sweep claim plan:", " / ".join(line.strip() for line in plan))
    print(f"  due times per minute of the clock: {per_minute:.1f} tickets (warning + breach: x2)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sla", description=__doc__)
    parser.add_argument("what", choices=["replay", "lists"])
    parser.add_argument("--database", required=True)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    arguments = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = arguments.database
    from ticket_app import migrate

    migrate.upgrade(quiet=True)
    if arguments.what == "replay":
        return replay_bench(arguments.tickets)
    lists_bench(arguments.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
