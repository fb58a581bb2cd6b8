"""GPU compute and cloud credits: bookings, availability, usage, imports and quota exports.

Founders book and cancel for their own startups and read their own usage; programme staff
read everything, cancel any booking, import Slurm and billing files and export the quotas.
A startup or booking that the caller may not see answers 404. Every write honours the
`Idempotency-Key` header (nurture.api.idempotency); a booking also remembers its key, so
the same key and person never make a second booking, even outside the API.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from nurture.compute import selectors, services
from nurture.compute.models import Booking, CloudProvider, Cluster, GpuModel
from nurture.compute.permissions import (
    bookings_visible_to,
    can_book,
    can_cancel_booking,
    can_manage_compute,
    can_view_availability,
    can_view_compute,
)
from nurture.startups.models import Startup

from . import schemas
from .errors import ApiError, field_error
from .idempotency import HEADER, idempotent
from .pagination import PageNumberPagination
from .schemas import PathId, QueryId

router = Router(tags=["Compute"])

_ERRORS = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    409: schemas.Error,
    422: schemas.Error,
}
# A refusal that depends on the state of the world (capacity, quota, a cancelled booking)
# rather than on the request's form.
_CONFLICTS = {"capacity", "quota", "not_confirmed", "ended", "busy", "idempotency_conflict"}


class Booking_(Schema):
    id: int
    startup: int
    gpu_model: int
    gpu_model_name: str
    gpus: int
    starts_at: datetime
    ends_at: datetime
    gpu_hours: Decimal
    state: str
    purpose: str

    @staticmethod
    def resolve_startup(obj) -> int:
        return obj.startup_id

    @staticmethod
    def resolve_gpu_model(obj) -> int:
        return obj.gpu_model_id

    @staticmethod
    def resolve_gpu_model_name(obj) -> str:
        return obj.gpu_model.name


class BookingCreate(Schema):
    startup: int
    gpu_model: int
    gpus: int
    starts_at: datetime
    ends_at: datetime
    purpose: str = ""


class Day(Schema):
    hour: int
    free: list[int]


class Availability(Schema):
    gpu_model: int
    gpu_model_name: str
    capacity: int
    week_start: date
    days: list[date]
    hours: list[Day]


class UsageDay(Schema):
    day: date
    used: Decimal
    booked: Decimal


class Usage(Schema):
    startup: int
    gpu_hours_granted: Decimal
    gpu_hours_used: Decimal
    gpu_hours_left: Decimal
    gpu_hours_booked: Decimal
    gpu_hours_bookable: Decimal
    credits_total_usd: Decimal
    credits_used_usd: Decimal
    credits_beyond_usd: Decimal
    credit_alerts: list[int]
    days: list[UsageDay]


class ImportOutcome(Schema):
    id: int
    new: int
    known: int
    postings: int | None = None
    gpu_hours: Decimal | None = None
    cost_usd: Decimal | None = None
    credits_used_usd: Decimal | None = None


def _compute_error(error: services.ComputeError) -> ApiError:
    if isinstance(error, services.ImportRejected):
        return ApiError(
            422,
            error.message,
            code=error.code,
            errors=[field_error(f"line {p.line}", p.message) for p in error.problems],
        )
    status = 409 if error.code in _CONFLICTS else 404 if error.code == "not_found" else 422
    errors = [field_error(error.field, error.message)] if error.field else []
    return ApiError(status, error.message, code=error.code, errors=errors)


def _startup(user, startup_id: int) -> Startup:
    startup = Startup.objects.filter(pk=startup_id).first()
    if startup is None or not can_view_compute(user, startup):
        raise Http404
    return startup


def _staff(user) -> None:
    if not can_manage_compute(user):
        raise PermissionDenied


@router.get("/compute/bookings", response=list[Booking_], summary="GPU bookings you may see")
@paginate(PageNumberPagination)
def booking_list(request, startup: QueryId = None):
    bookings = (
        bookings_visible_to(request.user).select_related("gpu_model").order_by("-starts_at", "-pk")
    )
    if startup is not None:
        bookings = bookings.filter(startup_id=startup)
    return bookings


@router.post(
    "/compute/bookings",
    response={201: Booking_, **_ERRORS},
    summary="Book GPUs of a model for whole hours, within capacity and the startup's quota",
)
@idempotent
def booking_create(request, payload: BookingCreate):
    try:
        startup = _startup(request.user, payload.startup)
    except Http404:
        raise ApiError(
            404,
            _("Not found."),
            code="not_found",
            errors=[field_error("startup", _("No such startup."))],
        ) from None
    if not can_book(request.user, startup):
        raise PermissionDenied
    model = GpuModel.objects.filter(pk=payload.gpu_model).first()
    if model is None:
        raise ApiError(
            404,
            _("Not found."),
            code="not_found",
            errors=[field_error("gpu_model", _("No such GPU model."))],
        )
    try:
        booking = services.booking_create(
            startup=startup,
            gpu_model=model,
            gpus=payload.gpus,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            purpose=payload.purpose,
            actor=request.user,
            idempotency_key=request.headers.get(HEADER),
        )
    except services.ComputeError as error:
        raise _compute_error(error) from None
    return Status(201, booking)


@router.post(
    "/compute/bookings/{booking_id}/cancel",
    response={200: Booking_, **_ERRORS},
    summary="Cancel a booking that has not ended",
)
@idempotent
def booking_cancel(request, booking_id: PathId):
    booking = bookings_visible_to(request.user).select_related("gpu_model", "startup")
    booking = booking.filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    if not can_cancel_booking(request.user, booking):
        raise PermissionDenied
    try:
        booking = services.booking_cancel(booking=booking, actor=request.user)
    except services.ComputeError as error:
        raise _compute_error(error) from None
    return Booking.objects.select_related("gpu_model").get(pk=booking.pk)


@router.get(
    "/compute/availability",
    response={200: Availability, **_ERRORS},
    summary="Free GPUs of a model in each hour of a week (Hong Kong time)",
)
def availability(request, gpu_model: QueryId = None, week: Query[date | None] = None):
    if not can_view_availability(request.user):
        raise PermissionDenied
    models = GpuModel.objects.order_by("name")
    model = models.filter(pk=gpu_model).first() if gpu_model else models.first()
    if model is None:
        raise Http404
    result = selectors.availability(model, week or timezone.localdate())
    return {
        "gpu_model": model.pk,
        "gpu_model_name": model.name,
        "capacity": result.capacity,
        "week_start": result.start,
        "days": result.days,
        "hours": [{"hour": hour, "free": free} for hour, free in result.rows],
    }


@router.get(
    "/compute/startups/{startup_id}/usage",
    response={200: Usage, **_ERRORS},
    summary="A startup's GPU-hours and cloud credits, and daily use against bookings",
)
def usage(request, startup_id: PathId):
    startup = _startup(request.user, startup_id)
    quota = selectors.quota_of(startup)
    credits = selectors.credits_of(startup)
    chart = selectors.usage_chart(startup, quota=quota)
    return {
        "startup": startup.pk,
        "gpu_hours_granted": quota.total,
        "gpu_hours_used": quota.used,
        "gpu_hours_left": quota.left,
        "gpu_hours_booked": quota.committed,
        "gpu_hours_bookable": quota.bookable,
        "credits_total_usd": credits.total,
        "credits_used_usd": credits.used,
        "credits_beyond_usd": credits.beyond,
        "credit_alerts": [alert.threshold for alert in credits.alerts],
        "days": [
            {"day": day, "used": used, "booked": booked}
            for day, used, booked in zip(chart.days, chart.used, chart.booked, strict=True)
        ],
    }


@router.post(
    "/compute/slurm-imports",
    response={201: ImportOutcome, **_ERRORS},
    summary="Import sacct --parsable2 output (multipart: cluster, file); each job debited once",
)
@idempotent
def slurm_import(request, cluster: Form[int], file: File[UploadedFile]):
    _staff(request.user)
    target = Cluster.objects.filter(pk=cluster).first()
    if target is None:
        raise ApiError(
            404,
            _("Not found."),
            code="not_found",
            errors=[field_error("cluster", _("No such cluster."))],
        )
    try:
        result = services.slurm_import(
            cluster=target, upload=file, file_name=file.name or "", actor=request.user
        )
    except services.ComputeError as error:
        raise _compute_error(error) from None
    return Status(
        201,
        {
            "id": result.record.pk,
            "new": result.new,
            "known": result.known,
            "postings": result.record.postings,
            "gpu_hours": result.record.gpu_hours,
        },
    )


@router.post(
    "/compute/billing-imports",
    response={201: ImportOutcome, **_ERRORS},
    summary="Import a cloud provider's billing CSV (multipart: provider, file)",
)
@idempotent
def billing_import(request, provider: Form[str], file: File[UploadedFile]):
    _staff(request.user)
    if provider not in CloudProvider.values:
        raise ApiError(
            422,
            _("The request is not valid."),
            code="invalid",
            errors=[field_error("provider", _("Unknown provider."))],
        )
    try:
        result = services.billing_import(
            provider=provider, upload=file, file_name=file.name or "", actor=request.user
        )
    except services.ComputeError as error:
        raise _compute_error(error) from None
    return Status(
        201,
        {
            "id": result.record.pk,
            "new": result.new,
            "known": result.known,
            "cost_usd": result.record.cost_usd,
            "credits_used_usd": result.record.debited_usd,
        },
    )


def _text(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/compute/exports/sacctmgr",
    response={200: None, **_ERRORS},
    summary="GPU quotas as sacctmgr commands (GrpTRESMins=gres/gpu=<minutes> per account)",
    openapi_extra={
        "responses": {200: {"description": "A shell script", "content": {"text/x-shellscript": {}}}}
    },
)
def export_sacctmgr(request):
    _staff(request.user)
    return _text(
        selectors.sacctmgr_script(Cluster.objects.all()),
        "gpu-quotas-sacctmgr.sh",
        "text/x-shellscript",
    )


@router.get(
    "/compute/exports/resourcequota",
    response={200: None, **_ERRORS},
    summary="GPU quotas as Kubernetes ResourceQuota manifests, one per startup namespace",
    openapi_extra={
        "responses": {200: {"description": "YAML manifests", "content": {"application/yaml": {}}}}
    },
)
def export_resourcequota(request):
    _staff(request.user)
    return _text(selectors.resource_quotas_yaml(), "gpu-resourcequotas.yaml", "application/yaml")
