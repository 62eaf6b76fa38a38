"""`/api/views/`: your saved views (and the shared and built-in ones), with live counts."""

from fastapi import Response, status
from fastapi.concurrency import run_in_threadpool

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import views
from ticket_app.services.views import ViewCreate, ViewPatch, ViewRead

router = resource_router("views")


@router.get("/views/", response_model=list[ViewRead], responses=problem_responses(401, 503))
async def list_views(actor: CurrentActor) -> list[ViewRead]:
    """Yours, then the shared ones, then (agents and admins) the built-in ones."""
    return await run_in_threadpool(views.list_views, actor)


@router.post(
    "/views/",
    status_code=status.HTTP_201_CREATED,
    response_model=ViewRead,
    responses=problem_responses(400, 401, 403, 503),
)
async def create_view(body: ViewCreate, response: Response, actor: CurrentActor) -> ViewRead:
    """Save the list's query string under a name; `shared: true` needs an admin."""
    view = await run_in_threadpool(views.create_view, actor, data=body)
    response.headers["Location"] = f"/api/views/{view.id}/"
    return view


@router.patch(
    "/views/{view_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 401, 403, 404, 503),
)
async def update_view(view_id: int, body: ViewPatch, actor: CurrentActor) -> Response:
    await run_in_threadpool(views.update_view, actor, view_id=view_id, patch=body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/views/{view_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 503),
)
async def delete_view(view_id: int, actor: CurrentActor) -> Response:
    await run_in_threadpool(views.delete_view, actor, view_id=view_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
