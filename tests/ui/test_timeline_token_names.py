"""The ticket page's timeline names a staff API token to staff only (requesters see who
replied, not which token they used)."""

from dataclasses import replace

from ticket_app.services import api_tokens, comments
from ticket_app.ui.state.detail import DetailState

from .conftest import at_url, new, run


def opened(ticket_id: int) -> DetailState:
    state = at_url(new(DetailState), f"/tickets/{ticket_id}")
    run(DetailState.load, state)
    return state


def test_the_ticket_page_hides_staff_token_names_from_requesters(make_ticket, make_person, sign_in):
    rita, alan = make_person("requester", "Rita"), make_person("agent", "Alan")
    ticket = make_ticket("Rita's", by=rita)
    token = api_tokens.create(
        alan.actor, data=api_tokens.TokenCreate(name="Alan's secret cron box")
    )
    via_token = replace(alan.actor, token_id=token.id)  # as the API resolves the token
    comments.add_comment(via_token, ticket_id=ticket.id, data=comments.CommentCreate(body="On it"))

    sign_in(rita)
    reply = opened(ticket.id).items[0]
    assert (reply.actor, reply.via) == ("Alan", "")
    sign_in(alan)
    assert "cron box" in opened(ticket.id).items[0].via
