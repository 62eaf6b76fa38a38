"""The dashboard's numbers, read from the service's counter-backed queries."""

from ticket_app.classifier import Suggestion
from ticket_app.domain import Category, Priority
from ticket_app.services import tickets
from ticket_app.services.schemas import TicketPatch
from ticket_app.ui.state.dashboard import DAYS, DashboardState

from .conftest import at_url, new, run


def loaded() -> DashboardState:
    state = at_url(new(DashboardState), "/dashboard")
    assert run(DashboardState.load, state) == DashboardState.watch_changes
    return state


def counts(rows: list[dict]) -> dict[str, int]:
    return {row["key"]: row["count"] for row in rows}


def test_an_empty_desk(viewer):
    state = loaded()
    assert (state.total_tickets, state.open_tickets, state.average_per_day) == (0, 0, 0.0)
    assert state.agreement_share == "–"
    assert counts(state.status_data) == {"open": 0, "in_progress": 0, "resolved": 0, "closed": 0}
    assert len(state.daily_data) == DAYS
    assert state.daily_data[-1]["tickets"] == 0


def test_totals_breakdowns_and_agreement(make_ticket, viewer):
    suggested = Suggestion(Category.BILLING, Priority.HIGH, "local", False, 0.8)
    make_ticket(category=Category.BILLING, priority=Priority.HIGH, suggestion=suggested)
    changed = make_ticket(category=Category.ACCOUNT, priority=Priority.HIGH, suggestion=suggested)
    make_ticket(category=Category.TECHNICAL, priority=Priority.LOW)
    tickets.update_ticket(viewer.actor, ticket_id=changed.id, patch=TicketPatch(status="resolved"))
    state = loaded()
    assert (state.total_tickets, state.open_tickets) == (3, 2)
    assert counts(state.category_data) == {
        "billing": 1,
        "technical": 1,
        "account": 1,
        "general": 0,
    }
    assert [row["name"] for row in state.priority_data] == ["Low", "Medium", "High", "Critical"]
    assert counts(state.status_data)["resolved"] == 1
    assert state.priority_data[3]["fill"] == "var(--red-9)"
    assert (state.agreed, state.suggested, state.agreement_share) == (1, 2, "50%")
    assert state.daily_data[-1]["tickets"] == 3
    assert [(row.name, row.count) for row in state.assignee_data] == [("Unassigned", 2)]


def test_a_requester_sees_only_their_own_numbers(make_ticket, make_person, sign_in):
    rita = make_person("requester", "Rita")
    make_ticket("Someone else's")
    make_ticket("Rita's", by=rita)
    sign_in(rita)
    state = loaded()
    assert (state.total_tickets, state.open_tickets) == (1, 1)
    assert state.assignee_data == []
    assert state.agreement_share == "–"
    assert state.daily_data[-1]["tickets"] == 1


def test_suggested_replies_helpful_share_and_kept_share(make_ticket, viewer):
    from ticket_app.services import comments, drafts
    from ticket_app.services.comments import CommentCreate

    assert loaded().drafts_helpful == "–"
    ticket = make_ticket()
    draft = drafts.suggest(viewer.actor, ticket_id=ticket.id)
    drafts.give_feedback(viewer.actor, ticket_id=ticket.id, draft_id=draft.id, helpful=True)
    comments.add_comment(viewer.actor, ticket_id=ticket.id, data=CommentCreate(body=draft.body))
    state = loaded()
    assert state.drafts_helpful == "100%"
    assert state.drafts_detail == "1 drafts, 1 rated; 100% of a draft kept when sent"
