"""`/api/users/`: admins list, create, and change users (role, name, active, password), see
and end their sessions and tokens, reset their two-factor and read their security log."""

from fastapi import Response, status
from fastapi.concurrency import run_in_threadpool

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routes.me import Ended
from ticket_app.api.routing import resource_router
from ticket_app.services import api_tokens, security_log, sessions, two_factor, users
from ticket_app.services.api_tokens import TokenRead
from ticket_app.services.security_log import SecurityEventRead
from ticket_app.services.sessions import SessionRead
from ticket_app.services.users import UserCreate, UserPatch, UserRead

router = resource_router("users")


@router.get("/users/", response_model=list[UserRead], responses=problem_responses(401, 403, 503))
async def list_users(actor: CurrentActor) -> list[UserRead]:
    """Every user, active first (admins)."""
    return await run_in_threadpool(users.list_users, actor)


@router.post(
    "/users/",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problem_responses(400, 401, 403, 503),
)
async def create_user(body: UserCreate, response: Response, actor: CurrentActor) -> UserRead:
    """A new user with a role and a password (admins)."""
    user = await run_in_threadpool(users.create_user, actor, data=body)
    response.headers["Location"] = f"/api/users/{user.id}/"
    return user


@router.get(
    "/users/{user_id:int}/", response_model=UserRead, responses=problem_responses(401, 403, 404)
)
async def get_user(user_id: int, actor: CurrentActor) -> UserRead:
    return await run_in_threadpool(users.get_user, actor, user_id=user_id)


@router.patch(
    "/users/{user_id:int}/",
    response_model=UserRead,
    responses=problem_responses(400, 401, 403, 404, 503),
)
async def update_user(user_id: int, body: UserPatch, actor: CurrentActor) -> UserRead:
    """Change a user's name, role, password, or deactivate (`active: false`) and reactivate
    them (admins). Role, password and deactivation end the user's sessions. The last active
    admin cannot be demoted or deactivated."""
    return await run_in_threadpool(users.update_user, actor, user_id=user_id, patch=body)


@router.get(
    "/users/{user_id:int}/sessions/",
    response_model=list[SessionRead],
    responses=problem_responses(401, 403, 404, 503),
)
async def list_user_sessions(user_id: int, actor: CurrentActor) -> list[SessionRead]:
    """A user's browser sessions still valid (admins)."""
    return await run_in_threadpool(sessions.list_for_user, actor, user_id=user_id)


@router.delete(
    "/users/{user_id:int}/sessions/",
    response_model=Ended,
    responses=problem_responses(401, 403, 404, 503),
)
async def end_user_sessions(user_id: int, actor: CurrentActor) -> Ended:
    """Sign a user out of every browser (admins); recorded in their security log."""
    ended = await run_in_threadpool(sessions.end_for_user, actor, user_id=user_id)
    return Ended(ended=ended)


@router.delete(
    "/users/{user_id:int}/sessions/{session_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 503),
)
async def end_user_session(user_id: int, session_id: int, actor: CurrentActor) -> Response:
    """End one session of a user (admins); recorded in their security log."""
    await run_in_threadpool(sessions.end_for_user, actor, user_id=user_id, session_id=session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/users/{user_id:int}/tokens/",
    response_model=list[TokenRead],
    responses=problem_responses(401, 403, 404, 503),
)
async def list_user_tokens(user_id: int, actor: CurrentActor) -> list[TokenRead]:
    """A user's API tokens, revoked ones included (admins)."""
    return await run_in_threadpool(api_tokens.list_for_user, actor, user_id=user_id)


@router.delete(
    "/users/{user_id:int}/tokens/{token_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 503),
)
async def revoke_user_token(user_id: int, token_id: int, actor: CurrentActor) -> Response:
    """Revoke a user's token (admins); recorded in their security log."""
    await run_in_threadpool(api_tokens.revoke_for_user, actor, user_id=user_id, token_id=token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/users/{user_id:int}/two-factor/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 503),
)
async def reset_two_factor(user_id: int, actor: CurrentActor) -> Response:
    """Turn a user's two-factor off (a lost phone; admins): their sessions end, and where the
    desk requires it they set it up again at their next sign-in. Recorded in their log."""
    await run_in_threadpool(two_factor.reset, actor, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/users/{user_id:int}/security-events/",
    response_model=list[SecurityEventRead],
    responses=problem_responses(401, 403, 404, 503),
)
async def security_events(user_id: int, actor: CurrentActor) -> list[SecurityEventRead]:
    """What changed how a user signs in, newest first, and who did it (admins)."""
    return await run_in_threadpool(security_log.events_of, actor, user_id=user_id)


@router.get(
    "/sign-in-rules/",
    response_model=two_factor.SignInRules,
    responses=problem_responses(401, 403, 503),
)
async def sign_in_rules(actor: CurrentActor) -> two_factor.SignInRules:
    """The desk's sign-in rules (admins)."""
    return await run_in_threadpool(two_factor.sign_in_rules, actor)


@router.put(
    "/sign-in-rules/",
    response_model=two_factor.SignInRules,
    responses=problem_responses(400, 401, 403, 503),
)
async def set_sign_in_rules(
    body: two_factor.SignInRules, actor: CurrentActor
) -> two_factor.SignInRules:
    """Require two-factor of staff, or stop (admins; turning it on needs your own two-factor
    on). Staff without it are restricted to setting it up, in their open sessions too."""
    return await run_in_threadpool(
        two_factor.set_sign_in_rules,
        actor,
        staff_two_factor_required=body.staff_two_factor_required,
    )
