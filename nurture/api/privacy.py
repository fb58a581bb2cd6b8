"""Personal data requests (PDPO s18, s19, s22): a person's own access and correction
requests, the download of their export, and programme staff's queue.

Same rules as the pages (nurture.privacy.permissions): a person sees only their own
requests (another's answers 404) and alone downloads their export; the queue is for staff.
"""

from datetime import datetime
from typing import Literal

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from nurture.accounts.reauth import api_recent_auth_required
from nurture.privacy import services
from nurture.privacy.models import CorrectionField, DataRequest, RequestKind, RequestState
from nurture.privacy.permissions import (
    can_download_export,
    can_handle_requests,
    can_make_request,
)

from . import schemas
from .errors import ApiError, field_error
from .pagination import PageNumberPagination
from .schemas import PathId

router = Router(tags=["Privacy"])

_ERRORS = {401: schemas.Error, 403: schemas.Error, 404: schemas.Error, 422: schemas.Error}
_FIELDS = {
    "invalid_kind": "kind",
    "invalid_field": "field",
    "too_many": None,
}


class DataRequestCreate(Schema):
    kind: Literal[tuple(RequestKind.values)]
    field: Literal[("", *CorrectionField.values)] = ""
    requested_value: str = Field("", max_length=300)
    details: str = Field("", max_length=3000)


class DataRequestOut(Schema):
    id: int
    kind: str
    state: str
    field: str
    requested_value: str
    details: str
    created_at: datetime
    due_at: datetime
    days_left: int
    overdue: bool
    resolved_at: datetime | None
    reason: str
    export_ready: bool
    export_url: str | None

    @staticmethod
    def resolve_overdue(obj: DataRequest) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_export_url(obj: DataRequest) -> str | None:
        return f"/api/privacy/requests/{obj.pk}/export" if obj.export_ready else None


class QueuedRequestOut(DataRequestOut):
    user: int
    user_email: str

    @staticmethod
    def resolve_user(obj: DataRequest) -> int:
        return obj.user_id

    @staticmethod
    def resolve_user_email(obj: DataRequest) -> str:
        return obj.user.email


def _own(user, request_id: int) -> DataRequest:
    data_request = DataRequest.objects.filter(pk=request_id, user=user).first()
    if data_request is None:
        raise Http404
    return data_request


@router.get(
    "/privacy/requests",
    response=list[DataRequestOut],
    summary="Your own data access and correction requests",
)
@paginate(PageNumberPagination)
def request_list(request):
    return DataRequest.objects.filter(user=request.user).order_by("-created_at", "-pk")


@router.post(
    "/privacy/requests",
    response={201: DataRequestOut, **_ERRORS},
    summary="Ask for a copy of your personal data, or for a correction",
)
def request_create(request, payload: DataRequestCreate):
    if not can_make_request(request.user):
        raise ApiError(403, _("You may not make requests."), code="forbidden")
    try:
        data_request = services.data_request_create(user=request.user, **payload.dict())
    except services.PrivacyError as error:
        field = _FIELDS.get(error.code, "requested_value" if error.code == "invalid" else None)
        if payload.field == CorrectionField.OTHER and error.code == "invalid":
            field = "details"
        raise ApiError(
            422, str(error), code=error.code, errors=[field_error(field, str(error))]
        ) from None
    return Status(201, data_request)


@router.get(
    "/privacy/requests/{request_id}",
    response={200: DataRequestOut, **_ERRORS},
    summary="One of your requests",
)
def request_detail(request, request_id: PathId):
    return _own(request.user, request_id)


@router.get(
    "/privacy/requests/{request_id}/export",
    response={200: None, **_ERRORS},
    summary="Download the export of an access request once it is ready",
    openapi_extra={
        "responses": {
            200: {
                "description": "The ZIP of your personal data: data.json and your files",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@api_recent_auth_required
def request_export(request, request_id: PathId):
    data_request = _own(request.user, request_id)
    if not can_download_export(request.user, data_request):
        raise Http404
    services.data_request_record_download(user=request.user, request=data_request)
    try:
        handle = data_request.export_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"nurture-personal-data-{data_request.pk}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/privacy/queue",
    response={200: list[QueuedRequestOut], **_ERRORS},
    summary="Programme staff: everyone's requests, soonest deadline first",
)
@paginate(PageNumberPagination)
def request_queue(request, state: Literal[(*RequestState.values, "all")] = RequestState.OPEN):
    if not can_handle_requests(request.user):
        raise ApiError(403, _("Only programme staff see the queue."), code="forbidden")
    requests_ = DataRequest.objects.select_related("user").order_by("due_at", "pk")
    if state != "all":
        requests_ = requests_.filter(state=state)
    return requests_
