"""SQLite walks every filtered list down an index, never sorting the matches.

PostgreSQL's plans depend on the table's statistics, so the million-ticket bench checks them
(`python -m bench.explain`); SQLite's planner is checked here, on the statements the tickets
service really sends: a range written where an equality served (listing._lead) once kept a
second filter off the composite index and sorted every match (80 ms at 200,000 tickets).
"""

from typing import Any

import pytest
import sqlalchemy as sa

from ticket_app.services import tickets
from ticket_app.services.schemas import parse_filters

LISTS = [
    {"status": "open", "priority": "high"},
    {"status": "open", "priority": "high", "sort": "oldest"},
    {"status": "open", "sort": "activity"},
    {"status": "open", "sort": "priority"},
    {"category": "billing", "status": "open"},
    {"assignee": "none", "status": "open"},
    {"assignee": "me", "sort": "oldest"},
    {"sla": "breached"},
    {"sla": "due_soon", "status": "open"},
    {"sla": "breached", "assignee": "me"},
    {"sort": "due"},
    {},
]


def _plans(engine: sa.Engine, call: Any) -> list[str]:
    sent: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM tickets" in statement:
            sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        plans = []
        for statement, parameters in sent:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append(" / ".join(row[3] for row in cursor.fetchall()))
        return plans
    finally:
        raw.close()


@pytest.mark.parametrize("params", LISTS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_a_filtered_list_walks_an_index_without_sorting(engine, agent, params):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's plans follow its statistics: bench/explain.py at 1M")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")  # as a grown desk has; the plan must not care
        connection.commit()
    filters = parse_filters(**params)
    plans = _plans(engine, lambda: tickets.list_tickets(agent.actor, filters=filters, limit=51))
    walks = [plan for plan in plans if "tickets" in plan and "ticket_counts" not in plan]
    assert walks, plans
    for plan in walks:
        assert "TEMP B-TREE" not in plan, plan
        assert "INDEX" in plan, plan
