"""`/api/users/`: admins list, create, and change users (role, name, active, password)."""

from fastapi import Response, status
from fastapi.concurrency import run_in_threadpool

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import users
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
