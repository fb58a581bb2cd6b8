"""The REST API under /api/: OpenAPI document at /api/openapi.json, docs at /api/docs.

Reads of programmes, cohorts, calls and sectors are public; everything else needs a
personal API token (`Authorization: Bearer ...`) or a signed-in browser session. Permission
rules come from each app's permissions.py and every write goes through its services.
"""

from ninja import NinjaAPI, Router

from . import errors, schemas
from .applications import router as applications_router
from .auth import API_AUTH
from .programmes import router as programmes_router
from .startups import router as startups_router

api = NinjaAPI(
    title="Nurture API",
    version="1",
    description=(
        "Programmes, cohorts, calls, startups and applications of the accelerator. "
        "Authenticate with a personal API token (create one at /accounts/tokens/) sent as "
        "`Authorization: Bearer <token>`, or with a signed-in browser session (which needs "
        "the X-CSRFToken header on unsafe methods)."
    ),
    urls_namespace="api",
    auth=API_AUTH,
)
errors.install(api)

accounts_router = Router(tags=["Accounts"])


@accounts_router.get(
    "/me", response={200: schemas.Me, 401: schemas.Error}, summary="The signed-in user"
)
def me(request):
    return request.user


api.add_router("", accounts_router)
api.add_router("", programmes_router)
api.add_router("", startups_router)
api.add_router("", applications_router)
