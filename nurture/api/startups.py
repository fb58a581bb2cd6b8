"""Startups: founders see and edit their own; programme staff see all."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nurture.startups import services
from nurture.startups.forms import StartupForm
from nurture.startups.models import Startup
from nurture.startups.permissions import can_edit_startup, can_view_startup, startups_visible_to

from . import schemas
from .errors import ApiError, field_error
from .pagination import PageNumberPagination
from .schemas import PathId

router = Router(tags=["Startups"])

_ERRORS = {401: schemas.Error, 403: schemas.Error, 404: schemas.Error, 422: schemas.Error}


def _startups():
    return Startup.objects.select_related("sector").prefetch_related("memberships__user")


def startup_for(user, startup_id: int, *, edit: bool = False) -> Startup:
    """The startup if the user may see it; 404 otherwise, as if it did not exist."""
    startup = _startups().filter(pk=startup_id).first()
    if startup is None or not can_view_startup(user, startup):
        raise Http404
    if edit and not can_edit_startup(user, startup):
        raise PermissionDenied
    return startup


def _validated(data: dict) -> dict:
    """The web form's rules (e.g. a registration number for a Hong Kong company) apply here too."""
    form = StartupForm(data=data)
    if not form.is_valid():
        raise ApiError(
            422,
            _("Please correct the errors below."),
            code="invalid",
            errors=[
                field_error(None if name == "__all__" else name, message)
                for name, messages in form.errors.items()
                for message in messages
            ],
        )
    return {name: form.cleaned_data[name] for name in StartupForm.Meta.fields}


@router.get("/startups", response=list[schemas.Startup], summary="Startups you may see")
@paginate(PageNumberPagination)
def startup_list(request):
    return (
        startups_visible_to(request.user)
        .select_related("sector")
        .prefetch_related("memberships__user")
        .order_by("name", "pk")
    )


@router.post(
    "/startups",
    response={201: schemas.Startup, **_ERRORS},
    summary="Create a startup (founders)",
)
def startup_create(request, payload: schemas.StartupCreate):
    if not request.user.is_founder:
        raise PermissionDenied
    fields = _validated(payload.dict())
    startup = services.startup_create(user=request.user, **fields)
    return Status(201, _startups().get(pk=startup.pk))


@router.get("/startups/{startup_id}", response={200: schemas.Startup, **_ERRORS})
def startup_detail(request, startup_id: PathId):
    return startup_for(request.user, startup_id)


@router.patch(
    "/startups/{startup_id}",
    response={200: schemas.Startup, **_ERRORS},
    summary="Change a startup's profile (its members)",
)
def startup_update(request, startup_id: PathId, payload: schemas.StartupPatch):
    startup = startup_for(request.user, startup_id, edit=True)
    current = {name: getattr(startup, name) for name in StartupForm.Meta.fields}
    current["sector"] = startup.sector_id
    fields = _validated({**current, **payload.dict(exclude_unset=True)})
    services.startup_update(user=request.user, startup=startup, **fields)
    return _startups().get(pk=startup.pk)
