"""Applications: founders see and change their own startup's; programme staff read all.

Every change goes through nurture.applications.services, which checks the call's deadline
and the application's state inside the transaction, so the API cannot bypass either.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from nurture.applications import eligibility, services
from nurture.applications.models import Application
from nurture.applications.permissions import (
    applications_visible_to,
    can_edit_application,
    can_view_application,
)
from nurture.programmes.models import Cohort, Sector

from . import schemas
from .errors import ApiError, field_error
from .pagination import PageNumberPagination
from .schemas import PathId, QueryId, StateName
from .startups import startup_for

router = Router(tags=["Applications"])

_ERRORS = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    409: schemas.Error,
    422: schemas.Error,
}
_DECK_FIELD = "pitch_deck"
_DECK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [_DECK_FIELD],
                    "properties": {_DECK_FIELD: {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def _applications():
    return Application.objects.select_related(
        "cohort__call", "cohort__programme", "startup", "sector"
    )


def application_for(user, application_id: int, *, edit: bool = False) -> Application:
    """The application if the user may see it; 404 otherwise, as if it did not exist."""
    application = _applications().filter(pk=application_id).first()
    if application is None or not can_view_application(user, application):
        raise Http404
    if edit and not can_edit_application(user, application):
        raise PermissionDenied
    return application


def _detail(user, application_id: int) -> Application:
    application = _applications().get(pk=application_id)
    if application.is_editable_state and can_edit_application(user, application):
        application.problems = eligibility.check(application)
    return application


@router.get(
    "/applications",
    response=list[schemas.ApplicationSummary],
    summary="Applications you may see",
)
@paginate(PageNumberPagination)
def application_list(
    request,
    cohort: QueryId = None,
    startup: QueryId = None,
    state: Query[StateName | None] = None,
):
    applications = (
        applications_visible_to(request.user)
        .select_related("cohort", "startup")
        .order_by("-updated_at", "-pk")
    )
    if cohort is not None:
        applications = applications.filter(cohort_id=cohort)
    if startup is not None:
        applications = applications.filter(startup_id=startup)
    if state is not None:
        applications = applications.filter(state=state)
    return applications


@router.post(
    "/applications",
    response={201: schemas.Application, **_ERRORS},
    summary="Start a draft application for a startup in a cohort whose call is open",
)
def application_start(request, payload: schemas.ApplicationStart):
    try:
        startup = startup_for(request.user, payload.startup)
    except Http404:
        raise ApiError(
            404,
            _("Not found."),
            code="not_found",
            errors=[field_error("startup", _("No such startup."))],
        ) from None
    cohort = Cohort.objects.select_related("call", "programme").filter(pk=payload.cohort).first()
    if cohort is None:
        raise ApiError(
            404,
            _("Not found."),
            code="not_found",
            errors=[field_error("cohort", _("No such cohort."))],
        )
    application = services.application_start(user=request.user, startup=startup, cohort=cohort)
    return Status(201, _detail(request.user, application.pk))


@router.get("/applications/{application_id}", response={200: schemas.Application, **_ERRORS})
def application_detail(request, application_id: PathId):
    application = application_for(request.user, application_id)
    services.application_record_view(user=request.user, application=application)
    return _detail(request.user, application.pk)


@router.patch(
    "/applications/{application_id}",
    response={200: schemas.Application, **_ERRORS},
    summary="Change a draft's answers while its call is open",
)
def application_update(request, application_id: PathId, payload: schemas.ApplicationAnswers):
    application = application_for(request.user, application_id, edit=True)
    data = payload.dict(exclude_unset=True)
    if data.get("sector") is not None:
        sector = Sector.objects.filter(pk=data["sector"]).first()
        if sector is None:
            raise ApiError(
                422,
                _("The request is not valid."),
                code="invalid",
                errors=[field_error("sector", _("No such sector."))],
            )
        data["sector"] = sector
    services.application_update(user=request.user, application=application, data=data)
    return _detail(request.user, application.pk)


@router.post(
    "/applications/{application_id}/submit",
    response={200: schemas.Application, **_ERRORS},
    summary="Submit a complete, eligible draft before the call closes",
)
def application_submit(request, application_id: PathId):
    application = application_for(request.user, application_id, edit=True)
    services.application_submit(user=request.user, application=application)
    return _detail(request.user, application.pk)


@router.post(
    "/applications/{application_id}/withdraw",
    response={200: schemas.Application, **_ERRORS},
    summary="Withdraw an application before a decision",
)
def application_withdraw(request, application_id: PathId):
    application = application_for(request.user, application_id, edit=True)
    services.application_withdraw(user=request.user, application=application)
    return _detail(request.user, application.pk)


@router.post(
    "/applications/{application_id}/reopen",
    response={200: schemas.Application, **_ERRORS},
    summary="Turn a withdrawn application back into a draft while its call is open",
)
def application_reopen(request, application_id: PathId):
    application = application_for(request.user, application_id, edit=True)
    services.application_reopen(user=request.user, application=application)
    return _detail(request.user, application.pk)


def _uploaded_deck(request):
    if request.method != "POST":
        # Django parses multipart bodies for POST only (Django ticket #12635).
        method = request.method
        request.method = request.META["REQUEST_METHOD"] = "POST"
        try:
            request._load_post_and_files()
        finally:
            request.method = request.META["REQUEST_METHOD"] = method
    upload = request.FILES.get(_DECK_FIELD)
    if upload is None:
        raise ApiError(
            422,
            _("The request is not valid."),
            code="invalid",
            errors=[
                field_error(
                    _DECK_FIELD,
                    _("Attach the pitch deck as a multipart form field named “pitch_deck”."),
                )
            ],
        )
    return upload


def _upload(request, application_id: int):
    application = application_for(request.user, application_id, edit=True)
    upload = _uploaded_deck(request)
    try:
        services.application_update(
            user=request.user, application=application, data={}, pitch_deck=upload
        )
    except ValidationError as error:
        # The upload checks speak about the file as a whole: attach them to its field.
        if hasattr(error, "error_dict"):
            raise
        raise ApiError(
            422,
            error.messages[0],
            code=getattr(error, "code", None) or "invalid",
            errors=[field_error(_DECK_FIELD, message) for message in error.messages],
        ) from error
    return _detail(request.user, application.pk)


@router.post(
    "/applications/{application_id}/pitch-deck",
    response={200: schemas.Application, **_ERRORS},
    summary="Upload or replace the pitch deck (PDF, multipart field pitch_deck)",
    openapi_extra=_DECK_BODY,
)
def pitch_deck_upload(request, application_id: PathId):
    return _upload(request, application_id)


@router.put(
    "/applications/{application_id}/pitch-deck",
    response={200: schemas.Application, **_ERRORS},
    summary="Upload or replace the pitch deck (PDF, multipart field pitch_deck)",
    openapi_extra=_DECK_BODY,
    operation_id="pitch_deck_replace",
)
def pitch_deck_replace(request, application_id: PathId):
    return _upload(request, application_id)


@router.get(
    "/applications/{application_id}/pitch-deck",
    response={200: None, **_ERRORS},
    summary="Download the pitch deck (PDF attachment)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def pitch_deck_download(request, application_id: PathId):
    application = application_for(request.user, application_id)
    if not application.pitch_deck:
        raise Http404
    services.application_record_view(user=request.user, application=application, what="pitch_deck")
    response = FileResponse(
        application.pitch_deck.open("rb"),
        as_attachment=True,
        filename=application.pitch_deck_filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
