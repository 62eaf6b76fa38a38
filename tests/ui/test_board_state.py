"""The board's handlers: a column per status with counts, load more, moving a card."""

from ticket_app.domain import Status
from ticket_app.services import tickets
from ticket_app.services.schemas import validate_patch
from ticket_app.ui.state import board as board_module
from ticket_app.ui.state.board import BoardState

from .conftest import at_url, new, run, toast_text


def loaded(path: str = "/board") -> BoardState:
    state = at_url(new(BoardState), path)
    run(BoardState.load, state)
    return state


def column(state: BoardState, status: str):
    return next(c for c in state.columns if c.status == status)


def test_a_column_per_status_with_its_count(make_ticket, viewer):
    made = [make_ticket(f"T{n}") for n in range(3)]
    tickets.update_ticket(
        viewer.actor, ticket_id=made[0].id, patch=validate_patch({"status": "in_progress"})
    )
    state = loaded()
    assert [c.label for c in state.columns] == ["Open", "In progress", "Resolved", "Closed"]
    assert (column(state, "open").count, column(state, "in_progress").count) == ("2", "1")
    assert [card.title for card in column(state, "open").cards] == ["T2", "T1"]


def test_the_lists_filters_apply_and_a_status_filter_picks_columns(make_ticket):
    make_ticket("VPN broken", "The VPN is down.")
    make_ticket("Printer", "No toner.")
    state = loaded("/board?search=vpn&status=open,closed")
    assert [c.status for c in state.columns] == ["open", "closed"]
    assert [card.title for card in column(state, "open").cards] == ["VPN broken"]


def test_moving_a_card_by_drop_or_by_select(make_ticket, viewer):
    ticket = make_ticket()
    state = loaded()
    run(BoardState.start_drag, state, ticket.id)
    toast = run(BoardState.drop, state, "resolved")
    assert "moved to resolved" in toast_text(toast)
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).status == Status.RESOLVED
    assert [card.id for card in column(state, "resolved").cards] == [ticket.id]
    run(BoardState.move, state, ticket.id, "closed")
    assert column(state, "closed").count == "1"
    assert run(BoardState.drop, state, "open") is None  # nothing dragged
    assert "error" in toast_text(run(BoardState.move, state, ticket.id, "nowhere"))


def test_load_more_pages_one_column(make_ticket, monkeypatch):
    monkeypatch.setattr(board_module, "COLUMN_PAGE", 2)
    for n in range(5):
        make_ticket(f"T{n}")
    state = loaded()
    assert len(column(state, "open").cards) == 2
    assert column(state, "open").has_more
    run(BoardState.more, state, "open")
    run(BoardState.more, state, "open")
    assert len(column(state, "open").cards) == 5
    assert not column(state, "open").has_more
    run(BoardState.more, state, "nonsense")  # ignored
