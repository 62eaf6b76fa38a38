"""The submit form's similar list, as a requester sees it, does not move with other people's
tickets: no score or shared words of theirs depends on how many tickets the desk holds."""

from tests.support.api import index_similar
from tests.test_similar_requester import MINE, QUERY, others_write
from ticket_app.services import tickets
from ticket_app.services.schemas import validate_create
from ticket_app.ui.state.form import FormState

from .conftest import at_url, new, run


def shown() -> list:
    index_similar()  # every ticket filed so far is in the index, other people's too
    state = at_url(new(FormState), "/")
    run(FormState.set_title, state, QUERY["title"])
    run(FormState.set_description, state, QUERY["description"])
    run(FormState.find_similar, state)
    return list(state.similar)


def test_the_forms_similar_list_ignores_other_peoples_tickets(make_person, sign_in, viewer):
    rita = make_person("requester", "Rita")
    for title, description in MINE:
        tickets.create_ticket(
            rita.actor, data=validate_create({"title": title, "description": description})
        )
    sign_in(rita)
    before = shown()
    assert before
    assert before[0].score > 0
    others_write(viewer, 50)
    assert shown() == before
