"""Public reads: programmes and their rules, cohorts, calls for applications, sectors."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from nurture.programmes.models import Call, Cohort, Programme, Sector

from . import schemas
from .pagination import PageNumberPagination
from .schemas import CallStatus, PathId, QueryId

router = Router(tags=["Programmes"], auth=None)


@router.get("/programmes", response=list[schemas.Programme], summary="List programmes")
@paginate(PageNumberPagination)
def programme_list(request):
    return Programme.objects.order_by("name", "pk")


@router.get(
    "/programmes/{programme_id}",
    response={200: schemas.ProgrammeDetail, 404: schemas.Error},
    summary="Programme with its rules and benefit package",
)
def programme_detail(request, programme_id: PathId):
    return get_object_or_404(Programme.objects.prefetch_related("benefits"), pk=programme_id)


@router.get("/cohorts", response=list[schemas.Cohort], summary="List cohorts")
@paginate(PageNumberPagination)
def cohort_list(request, programme: QueryId = None):
    cohorts = Cohort.objects.select_related("call").order_by("-starts_on", "pk")
    if programme is not None:
        cohorts = cohorts.filter(programme_id=programme)
    return cohorts


@router.get(
    "/cohorts/{cohort_id}",
    response={200: schemas.Cohort, 404: schemas.Error},
    summary="Cohort",
)
def cohort_detail(request, cohort_id: PathId):
    return get_object_or_404(Cohort.objects.select_related("call"), pk=cohort_id)


@router.get("/calls", response=list[schemas.Call], summary="List calls for applications")
@paginate(PageNumberPagination)
def call_list(request, status: Query[CallStatus | None] = None):
    calls = Call.objects.select_related("cohort").order_by("-closes_at", "pk")
    now = timezone.now()
    if status == "open":
        calls = calls.filter(opens_at__lte=now, closes_at__gt=now)
    elif status == "upcoming":
        calls = calls.filter(opens_at__gt=now)
    elif status == "closed":
        calls = calls.filter(closes_at__lte=now)
    return calls


@router.get(
    "/calls/{call_id}",
    response={200: schemas.Call, 404: schemas.Error},
    summary="Call for applications",
)
def call_detail(request, call_id: PathId):
    return get_object_or_404(Call.objects.select_related("cohort"), pk=call_id)


@router.get("/sectors", response=list[schemas.Sector], summary="List sectors")
@paginate(PageNumberPagination)
def sector_list(request):
    return Sector.objects.order_by("name", "pk")
