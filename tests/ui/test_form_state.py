"""The submit form's handlers: the API's validation, suggestions and the override rule."""

from collections.abc import Awaitable, Callable

import pytest

from tests.support.api import index_similar
from ticket_app.classifier import Suggestion
from ticket_app.domain import Category, Priority
from ticket_app.services import similar, suggestions, tickets
from ticket_app.services.errors import DatabaseUnavailable
from ticket_app.services.schemas import TicketFilters, validate_create
from ticket_app.ui.state.form import FormState

from .conftest import at_url, new, run, toast_text

DESCRIPTION = "The invoice for March was charged twice to my card."


def suggestion(
    category: Category = Category.BILLING,
    priority: Priority = Priority.HIGH,
    source: str = "local",
    confidence: float = 0.9,
) -> Suggestion:
    return Suggestion(
        category=category,
        priority=priority,
        source=source,
        used_fallback=False,
        confidence=confidence,
    )


def answering(
    monkeypatch: pytest.MonkeyPatch, classify: Callable[[str], Suggestion]
) -> Callable[[str], Awaitable[Suggestion]]:
    """Put `classify` behind the suggestion service the form asks."""

    async def classify_async(text: str) -> Suggestion:
        return classify(text)

    monkeypatch.setattr(suggestions, "classify_async", classify_async)
    return classify_async


@pytest.fixture
def classifier(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A classifier that answers billing/high and records what it was asked."""
    asked: list[str] = []

    def classify(text: str) -> Suggestion:
        asked.append(text)
        return suggestion()

    answering(monkeypatch, classify)
    return asked


def typed(title: str = "Charged twice", description: str = DESCRIPTION) -> FormState:
    state = at_url(new(FormState), "/")
    run(FormState.set_title, state, title)
    run(FormState.set_description, state, description)
    return state


def test_title_messages_follow_the_api_rules():
    state = at_url(new(FormState), "/")
    run(FormState.set_title, state, "   ")
    assert state.title_error == "Title must not be blank."
    run(FormState.set_title, state, "x" * 201)
    assert state.title_error == "Title must be at most 200 characters (got 201)."
    run(FormState.set_title, state, "Printer on fire")
    assert state.title_error == ""


def test_only_touched_fields_show_messages():
    state = at_url(new(FormState), "/")
    run(FormState.set_title, state, "Printer on fire")
    assert state.description_error == ""  # not typed in yet, so no complaint
    run(FormState.set_description, state, "  ")
    assert state.description_error == "Description must not be blank."


def test_values_that_are_not_text_are_ignored():
    state = at_url(new(FormState), "/")
    for value in (None, 42, ["a"], {"title": "x"}):
        run(FormState.set_title, state, value)
        run(FormState.set_description, state, value)
    assert (state.title, state.description) == ("", "")


def asks(result: list | None) -> set:
    """Which lookups a handler asked for: the suggestion, similar tickets."""
    return set(result or [])


def test_a_short_description_asks_for_no_suggestion(classifier):
    state = at_url(new(FormState), "/")
    assert FormState.suggest not in asks(run(FormState.set_description, state, "printer broken"))
    assert FormState.suggest not in asks(run(FormState.set_description, state, "x" * 19 + "   "))
    assert asks(run(FormState.set_description, state, "broken")) == set()  # says nothing yet


def test_a_description_that_says_something_asks_once_per_text(classifier):
    state = typed()
    assert FormState.suggest in asks(run(FormState.set_description, state, DESCRIPTION))
    run(FormState.suggest, state)
    assert classifier == [f"Charged twice\n{DESCRIPTION}"]
    # same text: no new call
    assert FormState.suggest not in asks(run(FormState.set_description, state, DESCRIPTION))
    again = run(FormState.set_description, state, DESCRIPTION + " Again.")
    assert FormState.suggest in asks(again)


def test_a_suggestion_fills_both_fields_and_says_who_made_it(classifier):
    state = typed()
    run(FormState.suggest, state)
    assert (state.category, state.priority) == ("billing", "high")
    assert (state.suggested_category, state.suggested_priority) == ("billing", "high")
    assert state.suggestion_note == "Suggested by the offline model"
    assert not state.classifying


def test_an_unsure_suggestion_fills_nothing_and_says_so(monkeypatch: pytest.MonkeyPatch):
    answers = iter([suggestion(), suggestion(Category.GENERAL, Priority.LOW, confidence=0.1)])
    answering(monkeypatch, lambda text: next(answers))
    state = typed()
    run(FormState.suggest, state)
    assert (state.category, state.priority) == ("billing", "high")
    run(FormState.set_description, state, "hello hello hello hello hello hello")
    run(FormState.suggest, state)
    assert (state.category, state.priority) == ("", "")  # the earlier guess is taken back
    assert (state.suggested_category, state.suggested_priority) == ("", "")
    assert state.suggestion_note.startswith("Not sure")


def test_a_tab_has_one_classification_in_flight(classifier):
    state = typed()
    state.classifying = True  # a call for this tab is still out
    assert run(FormState.suggest, state) is None
    assert classifier == []  # no second call queued behind it
    state.classifying = False
    run(FormState.suggest, state)
    run(FormState.set_description, state, DESCRIPTION + " Twice, in fact.")
    state.classifying = True
    assert run(FormState.suggest, state) is None
    state.classifying = False
    assert len(classifier) == 1


def test_text_changed_during_a_call_is_classified_when_it_returns(monkeypatch):
    state = typed()
    asked: list[str] = []

    def typing_meanwhile(text: str) -> Suggestion:
        asked.append(text)
        if len(asked) == 1:
            state.description = DESCRIPTION + " And again in April."
        return suggestion()

    answering(monkeypatch, typing_meanwhile)
    assert run(FormState.suggest, state) == FormState.suggest  # the newer text is next
    assert run(FormState.suggest, state) is None
    assert asked[-1].endswith("And again in April.")


def test_gemini_is_named_when_it_answered(monkeypatch: pytest.MonkeyPatch):
    answering(monkeypatch, lambda text: suggestion(source="gemini"))
    state = typed()
    run(FormState.suggest, state)
    assert state.suggestion_note == "Suggested by Gemini"


def test_an_override_is_never_overwritten_by_a_later_suggestion(monkeypatch: pytest.MonkeyPatch):
    answers = iter([suggestion(), suggestion(Category.TECHNICAL, Priority.CRITICAL)])
    answering(monkeypatch, lambda text: next(answers))
    state = typed()
    run(FormState.suggest, state)
    run(FormState.set_priority, state, "low")
    run(FormState.set_description, state, DESCRIPTION + " And the site is down.")
    run(FormState.suggest, state)
    assert state.priority == "low"  # the agent's choice stays
    assert state.priority_overridden
    assert state.category == "technical"  # not overridden: follows the new suggestion
    assert state.suggested_priority == "critical"
    run(FormState.use_suggested_priority, state)
    assert (state.priority, state.priority_overridden) == ("critical", False)


def test_choices_are_validated_like_the_api(classifier):
    state = typed()
    run(FormState.suggest, state)
    for bad in ("urgent", "", None, 3, "BILLING", "billing; drop table"):
        run(FormState.set_category, state, bad)
        run(FormState.set_priority, state, bad)
    assert (state.category, state.priority) == ("billing", "high")
    assert not state.category_overridden
    assert not state.priority_overridden
    run(FormState.set_category, state, "account")
    assert (state.category, state.category_overridden) == ("account", True)


def test_a_suggestion_overtaken_by_a_newer_request_is_dropped(monkeypatch: pytest.MonkeyPatch):
    state = typed()

    def slow_classify(text: str) -> Suggestion:
        state._suggest_round += 1  # a newer request (or a submit) happened meanwhile
        return suggestion()

    answering(monkeypatch, slow_classify)
    run(FormState.suggest, state)
    assert (state.category, state.priority, state.suggestion_source) == ("", "", "")


def test_a_failing_classifier_leaves_no_spinner(monkeypatch: pytest.MonkeyPatch):
    def broken(text: str) -> Suggestion:
        raise RuntimeError("model exploded")

    answering(monkeypatch, broken)
    state = typed()
    with pytest.raises(RuntimeError):
        run(FormState.suggest, state)
    assert not state.classifying


def test_submit_shows_every_message_and_saves_nothing_when_invalid():
    state = at_url(new(FormState), "/")
    assert run(FormState.submit, state, {"title": " ", "description": ""}) is None
    assert state.title_error == "Title must not be blank."
    assert state.description_error == "Description must not be blank."
    assert not state.submitting


def test_submit_takes_the_text_the_browser_shows(classifier):
    state = typed("Old title", "Old description that is long enough.")
    result = run(
        FormState.submit, state, {"title": "  New title ", "description": "New text, all of it."}
    )
    assert result == FormState.save
    assert state.submitting
    data, stored = state._pending
    assert (data.title, data.description) == ("New title", "New text, all of it.")
    assert (data.category, data.priority) == (None, None)  # left to the classifier
    assert stored is None


def test_submit_does_not_wait_for_a_suggestion_in_flight(classifier):
    state = typed()
    state.classifying = True  # the model is still thinking (slow, or about to fail)
    assert run(FormState.submit, state, {}) == FormState.save
    assert state._pending[1] is None  # the service classifies (bounded by its timeout) itself


def test_submit_refuses_a_second_click_while_saving(classifier):
    state = typed()
    assert run(FormState.submit, state, {}) == FormState.save
    assert run(FormState.submit, state, {}) is None


def test_save_stores_the_suggestion_and_the_override_then_clears_the_form(viewer, classifier):
    state = typed()
    run(FormState.suggest, state)
    run(FormState.set_category, state, "account")
    run(FormState.submit, state, {"title": "Charged twice", "description": DESCRIPTION})
    toast = run(FormState.save, state)
    assert "success" in toast_text(toast)
    ticket = tickets.get_ticket(viewer.actor, ticket_id=state.created_id)
    assert (ticket.category, ticket.priority) == (Category.ACCOUNT, Priority.HIGH)
    assert (ticket.suggested_category, ticket.suggested_priority) == (
        Category.BILLING,
        Priority.HIGH,
    )
    assert state.created_title == "Charged twice"
    assert (state.title, state.description, state.category, state.priority) == ("", "", "", "")
    assert not state.submitting
    assert not state.category_overridden
    assert state._pending is None


def test_save_without_a_suggestion_lets_the_service_classify(viewer, classifier):
    state = at_url(new(FormState), "/")
    run(FormState.submit, state, {"title": "Login fails", "description": "short"})
    run(FormState.save, state)
    ticket = tickets.get_ticket(viewer.actor, ticket_id=state.created_id)
    assert ticket.suggested_category is not None  # the service asked the classifier itself


def test_save_runs_only_after_a_valid_submit(viewer):
    state = at_url(new(FormState), "/")
    assert run(FormState.save, state) is None
    assert tickets.list_tickets(viewer.actor, filters=TicketFilters()).total == 0


def test_a_requester_gets_no_suggestion_and_the_desk_classifies(make_person, sign_in, classifier):
    rita = make_person("requester", "Rita")
    sign_in(rita)
    state = typed()
    run(FormState.suggest, state)
    assert classifier == []  # the classifier is for staff; the service classifies the ticket
    assert (state.category, state.priority) == ("", "")
    run(FormState.submit, state, {"title": "Charged twice", "description": DESCRIPTION})
    run(FormState.save, state)
    ticket = tickets.get_ticket(rita.actor, ticket_id=state.created_id)
    assert ticket.created_by == rita.id
    assert ticket.suggested_category is not None


def test_without_a_session_nothing_is_saved(viewer):
    state = at_url(new(FormState), "/", secret="")
    run(FormState.submit, state, {"title": "Charged twice", "description": DESCRIPTION})
    redirect = run(FormState.save, state)
    assert redirect.handler.fn.__qualname__ == "_redirect"
    assert tickets.list_tickets(viewer.actor, filters=TicketFilters()).total == 0


def test_a_database_outage_keeps_the_form_and_says_so(
    database_url, classifier, monkeypatch: pytest.MonkeyPatch
):
    def unavailable(*args, **kwargs):
        raise DatabaseUnavailable()

    monkeypatch.setattr(tickets, "create_ticket", unavailable)
    state = typed()
    run(FormState.submit, state, {"title": "Charged twice", "description": DESCRIPTION})
    toast = run(FormState.save, state)
    assert "error" in toast_text(toast)
    assert "database is unavailable" in toast_text(toast)
    assert (state.title, state.submitting) == ("Charged twice", False)


def test_text_over_its_limit_is_never_kept_in_the_state():
    """Any tab can send any text: a megabyte must not stay in the server's state."""
    state = FormState()
    run(FormState.set_title, state, "Printer on fire")
    run(FormState.set_title, state, "x" * 1_000_000)
    assert state.title == "Printer on fire"
    assert state.title_error == "Title must be at most 200 characters (got 1000000)."
    run(FormState.set_description, state, "y" * 1_000_000)
    assert state.description == ""
    assert state.description_error.startswith("Description must be at most 20,000 characters")
    assert run(FormState.submit, state, {"title": "z" * 1000, "description": "w" * 30_000}) is None
    assert (state.title, state.description) == ("Printer on fire", "")
    assert state.description_error.startswith("Description must be at most 20,000 characters")


def test_similar_tickets_show_while_typing_and_go_with_the_submit(viewer, classifier):
    earlier = tickets.create_ticket(
        viewer.actor,
        data=validate_create({"title": "Invoice charged twice", "description": DESCRIPTION}),
    )
    tickets.create_ticket(
        viewer.actor, data=validate_create({"title": "VPN drops", "description": "Every hour."})
    )
    index_similar()
    state = typed("Charged twice for March", "My card shows the March invoice twice.")
    assert FormState.find_similar in asks(run(FormState.title_done, state))
    assert run(FormState.find_similar, state) is None  # nothing newer to look up
    assert [row.id for row in state.similar] == [earlier.id]
    assert state.similar[0].score > 0
    assert "charged" in state.similar[0].reason
    assert FormState.find_similar not in asks(run(FormState.title_done, state))  # same text
    run(FormState.submit, state, {})
    run(FormState.save, state)
    assert state.similar == []


def test_a_requester_is_shown_only_their_own_similar_tickets(make_person, sign_in, viewer):
    rita, sam = make_person("requester", "Rita"), make_person("requester", "Sam")
    for person in (rita, sam):
        tickets.create_ticket(
            person.actor,
            data=validate_create({"title": "Invoice charged twice", "description": DESCRIPTION}),
        )
    index_similar()
    sign_in(rita)
    state = typed("Charged twice", "The March invoice was charged twice.")
    run(FormState.find_similar, state)
    assert [row.title for row in state.similar] == ["Invoice charged twice"]
    own = tickets.list_tickets(rita.actor, filters=TicketFilters()).items
    assert [row.id for row in state.similar] == [own[0].id]


def test_a_tab_has_one_similar_lookup_in_flight(viewer, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(
        similar, "find", lambda actor, title, description, limit: asked.append(title) or []
    )
    state = typed()
    state._looking = True
    assert run(FormState.find_similar, state) is None
    assert asked == []
    state._looking = False
    run(FormState.find_similar, state)
    assert asked == ["Charged twice"]


def test_a_failing_lookup_keeps_the_list_and_the_form(viewer, monkeypatch):
    def unavailable(*args, **kwargs):
        raise DatabaseUnavailable()

    monkeypatch.setattr(similar, "find", unavailable)
    state = typed()
    assert run(FormState.find_similar, state) is None
    assert (state.similar, state._looking, state.title) == ([], False, "Charged twice")
