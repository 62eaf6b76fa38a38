"""`/api/me/`, `/api/me/sessions/` and `/api/tokens/`: who the token belongs to, and that
user's own browser sessions and tokens (someone else's is not found)."""

from fastapi import Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.domain import Role
from ticket_app.services import api_tokens, sessions
from ticket_app.services.api_tokens import TokenCreate, TokenCreated, TokenRead
from ticket_app.services.sessions import SessionRead

router = resource_router("me")


class Me(BaseModel):
    id: int
    email: str
    name: str
    role: Role


@router.get("/me/", response_model=Me, responses=problem_responses(401))
async def me(actor: CurrentActor) -> Me:
    return Me(id=actor.id, email=actor.email, name=actor.name, role=actor.role)


class Ended(BaseModel):
    ended: int


@router.get(
    "/me/sessions/", response_model=list[SessionRead], responses=problem_responses(401, 503)
)
async def list_sessions(actor: CurrentActor) -> list[SessionRead]:
    """Your browser sessions still valid, most recently used first: when, from which browser,
    and how each was signed in."""
    return await run_in_threadpool(sessions.list_own, actor)


@router.delete("/me/sessions/", response_model=Ended, responses=problem_responses(401, 503))
async def end_sessions(actor: CurrentActor) -> Ended:
    """Sign out every browser session of yours (an API token is not a session)."""
    return Ended(ended=await run_in_threadpool(sessions.end_others, actor))


@router.delete(
    "/me/sessions/{session_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 503),
)
async def end_session(session_id: int, actor: CurrentActor) -> Response:
    """Sign out one of your sessions; it stops working within seconds, in every tab."""
    await run_in_threadpool(sessions.end_own, actor, session_id=session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/tokens/", response_model=list[TokenRead], responses=problem_responses(401, 503))
async def list_tokens(actor: CurrentActor) -> list[TokenRead]:
    """Your tokens, newest first; the secrets are never shown again."""
    return await run_in_threadpool(api_tokens.list_own, actor)


@router.post(
    "/tokens/",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenCreated,
    responses=problem_responses(400, 401, 503),
)
async def create_token(body: TokenCreate, response: Response, actor: CurrentActor) -> TokenCreated:
    """A new token for you; `token` in this answer is the only time the secret is shown."""
    created = await run_in_threadpool(api_tokens.create, actor, data=body)
    response.headers["Location"] = f"/api/tokens/{created.id}/"
    return created


@router.get(
    "/tokens/{token_id:int}/", response_model=TokenRead, responses=problem_responses(401, 404)
)
async def get_token(token_id: int, actor: CurrentActor) -> TokenRead:
    return await run_in_threadpool(api_tokens.get_own, actor, token_id=token_id)


@router.delete(
    "/tokens/{token_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 503),
)
async def revoke_token(token_id: int, actor: CurrentActor) -> Response:
    """Revoke one of your tokens; it stops working within seconds, everywhere."""
    await run_in_threadpool(api_tokens.revoke, actor, token_id=token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
