"""Deep-learning platform accounts: founders of admitted startups ask, staff provision and
revoke. Rules in nurture.platforms.services and .permissions; writes accept an
`Idempotency-Key`."""

from contextlib import contextmanager
from datetime import date, datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from nurture.applications.models import Application
from nurture.platforms import services
from nurture.platforms.models import AccessStatus, Platform
from nurture.platforms.permissions import accesses_visible_to, can_manage_platforms
from nurture.startups.permissions import is_member

from . import schemas
from .errors import ApiError, field_error
from .idempotency import idempotent
from .pagination import PageNumberPagination
from .schemas import ObjectId, PathId, QueryId

router = Router(tags=["Platforms"])

_ERRORS = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    409: schemas.Error,
    422: schemas.Error,
}
_STATUS = {"forbidden": 403, "duplicate": 409, "state": 409, "ended": 409, "not_accepted": 409}
AccessStatusName = Literal[tuple(AccessStatus.values)]


@contextmanager
def _refusals():
    try:
        yield
    except services.PlatformError as error:
        raise ApiError(
            _STATUS.get(error.code, 422),
            error.message,
            code=error.code,
            errors=[field_error(error.field, error.message)] if error.field else [],
        ) from error


class PlatformOut(Schema):
    id: int
    slug: str
    name: str
    name_zh_hant: str
    provider: str
    url: str
    description: str
    description_zh_hant: str
    is_active: bool


class AccessOut(Schema):
    id: int
    platform: int = Field(alias="platform_id")
    application: int = Field(alias="application_id")
    startup: int
    status: AccessStatusName
    purpose: str
    account_identifier: str
    requested_at: datetime
    provisioned_at: datetime | None
    ends_on: date
    closed_at: datetime | None

    @staticmethod
    def resolve_startup(obj) -> int:
        return obj.application.startup_id


class AccessCreate(Schema):
    application: ObjectId = Field(..., description="The startup's accepted application")
    platform: ObjectId
    purpose: str = Field("", max_length=2000)


class Provision(Schema):
    account_identifier: str = Field(..., max_length=200)
    note: str = Field("", max_length=2000)


class Close(Schema):
    note: str = Field("", max_length=2000)


def _access_for(user, access_id: int):
    access = accesses_visible_to(user).filter(pk=access_id).first()
    if access is None:
        raise Http404
    return access


def _staff_only(user) -> None:
    if not can_manage_platforms(user):
        raise ApiError(403, _("Only programme staff can do this."), code="forbidden")


@router.get("/platforms", response=list[PlatformOut], summary="Deep-learning platforms")
def platform_list(request):
    return Platform.objects.order_by("position", "name")


@router.get(
    "/platforms/accesses",
    response=list[AccessOut],
    summary="Platform accounts you may see (staff: all; founders: their startups')",
)
@paginate(PageNumberPagination)
def access_list(request, status: Query[AccessStatusName | None] = None, startup: QueryId = None):
    accesses = accesses_visible_to(request.user).order_by("-requested_at", "-pk")
    if status is not None:
        accesses = accesses.filter(status=status)
    if startup is not None:
        accesses = accesses.filter(application__startup_id=startup)
    return accesses


@router.post(
    "/platforms/accesses",
    response={201: AccessOut, **_ERRORS},
    summary="Ask for an account on a platform for an admitted startup (its founders)",
)
@idempotent
def access_create(request, payload: AccessCreate):
    application = (
        Application.objects.select_related("startup", "cohort")
        .filter(pk=payload.application)
        .first()
    )
    if application is None or not is_member(request.user, application.startup):
        raise ApiError(
            404,
            _("Not found."),
            code="not_found",
            errors=[field_error("application", _("No such application."))],
        )
    platform = Platform.objects.filter(pk=payload.platform).first()
    if platform is None:
        raise ApiError(
            404,
            _("Not found."),
            code="not_found",
            errors=[field_error("platform", _("No such platform."))],
        )
    with _refusals():
        access = services.platform_access_request(
            application=application, platform=platform, actor=request.user, purpose=payload.purpose
        )
    return Status(201, _access_for(request.user, access.pk))


@router.post(
    "/platforms/accesses/{access_id}/provision",
    response={200: AccessOut, **_ERRORS},
    summary="Record the account opened on the platform (programme staff)",
)
@idempotent
def access_provision(request, access_id: PathId, payload: Provision):
    access = _access_for(request.user, access_id)
    _staff_only(request.user)
    with _refusals():
        services.platform_access_provision(
            access=access,
            actor=request.user,
            account_identifier=payload.account_identifier,
            note=payload.note,
        )
    return _access_for(request.user, access_id)


@router.post(
    "/platforms/accesses/{access_id}/revoke",
    response={200: AccessOut, **_ERRORS},
    summary="Revoke a provisioned account, or decline a request (programme staff)",
)
@idempotent
def access_revoke(request, access_id: PathId, payload: Close):
    access = _access_for(request.user, access_id)
    _staff_only(request.user)
    with _refusals():
        services.platform_access_close(access=access, actor=request.user, note=payload.note)
    return _access_for(request.user, access_id)
