"""Seed funding: schedules, and disbursement requests under four eyes.

Programme staff request, finance approvers decide (never their own request), a startup's
founders read its schedule and what was paid (never the bank details). Every rule is in
nurture.funding.services and .permissions; writes accept an `Idempotency-Key`.
"""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from nurture.accounts.models import ApiToken
from nurture.accounts.reauth import api_recent_auth_required
from nurture.applications.models import ApplicationState
from nurture.funding import services
from nurture.funding.models import Disbursement, DisbursementStatus, Tranche
from nurture.funding.permissions import (
    can_oversee_funding,
    can_request_disbursement,
    can_view_bank_details,
    can_view_disbursement,
    is_finance_approver,
)
from nurture.startups.permissions import can_view_startup

from . import schemas
from .errors import ApiError, field_error
from .idempotency import idempotent
from .pagination import PageNumberPagination
from .schemas import ObjectId, PathId, QueryId

router = Router(tags=["Seed funding"])

_ERRORS = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    409: schemas.Error,
    422: schemas.Error,
}
_STATUS = {
    "forbidden": 403,
    "four_eyes": 403,
    "already_decided": 409,
    "duplicate": 409,
    "not_due": 409,
    "not_accepted": 409,
    "ledger": 409,
    "no_entitlement": 409,
}
StatusName = Literal[tuple(DisbursementStatus.values)]


@contextmanager
def _refusals():
    """A refused change as the API's error: 403, 409 for a state conflict, 422 otherwise."""
    try:
        yield
    except services.FundingError as error:
        raise ApiError(
            _STATUS.get(error.code, 422),
            error.message,
            code=error.code,
            errors=[field_error(error.field, error.message)] if error.field else [],
        ) from error


class TrancheOut(Schema):
    id: int
    application: int = Field(alias="application_id")
    position: int
    label: str
    label_zh_hant: str
    milestone: str
    milestone_zh_hant: str
    percent: Decimal
    amount: Decimal
    currency: str
    due_on: date
    status: str
    paid_on: date | None
    payment_reference: str | None
    disbursement: int | None


class BankDetails(Schema):
    account_name: str
    bank: str
    account_number: str


class DisbursementOut(Schema):
    id: int
    tranche: int = Field(alias="tranche_id")
    startup: int
    startup_name: str
    cohort: int
    label: str
    amount: Decimal
    currency: str
    status: StatusName
    requested_at: datetime
    decided_at: datetime | None
    payment_reference: str
    rejection_reason: str
    ledger_transaction: int | None = Field(None, description="Staff and finance only")
    evidence: str | None = Field(None, description="Staff and finance only")
    bank: BankDetails | None = Field(None, description="Staff and finance only")

    @staticmethod
    def resolve_startup(obj) -> int:
        return obj.tranche.application.startup_id

    @staticmethod
    def resolve_startup_name(obj) -> str:
        return obj.tranche.application.startup.name

    @staticmethod
    def resolve_cohort(obj) -> int:
        return obj.tranche.application.cohort_id

    @staticmethod
    def resolve_label(obj) -> str:
        return obj.tranche.label

    @staticmethod
    def resolve_amount(obj) -> Decimal:
        return obj.tranche.amount

    @staticmethod
    def resolve_currency(obj) -> str:
        return obj.tranche.currency

    @staticmethod
    def resolve_ledger_transaction(obj, context) -> int | None:
        return obj.ledger_transaction_id if _staff(context, obj) else None

    @staticmethod
    def resolve_evidence(obj, context) -> str | None:
        return obj.evidence if _staff(context, obj) else None

    @staticmethod
    def resolve_bank(obj, context) -> dict | None:
        if not _staff(context, obj):
            return None
        return {
            "account_name": obj.bank_account_name,
            "bank": obj.bank_name,
            "account_number": obj.bank_account_number,
        }


def _staff(context, disbursement) -> bool:
    return can_view_bank_details(context["request"].user, disbursement)


class DisbursementCreate(Schema):
    tranche: ObjectId
    evidence: str = Field(..., max_length=4000)
    bank_account_name: str = Field(..., max_length=200)
    bank_name: str = Field(..., max_length=200)
    bank_account_number: str = Field(..., max_length=40)


class Approval(Schema):
    payment_reference: str = Field(..., max_length=100)


class Rejection(Schema):
    reason: str = Field(..., max_length=2000)


def _tranche_out(tranche: Tranche) -> dict:
    requests = sorted(tranche.disbursements.all(), key=lambda d: d.requested_at, reverse=True)
    live = next((d for d in requests if d.status != DisbursementStatus.REJECTED), None)
    if live is not None and live.status == DisbursementStatus.APPROVED:
        status = "paid"
    elif live is not None:
        status = "waiting_for_approval"
    else:
        status = "due" if tranche.is_due() else "scheduled"
    paid = live if status == "paid" else None
    return {
        "id": tranche.pk,
        "application_id": tranche.application_id,
        "position": tranche.position,
        "label": tranche.label,
        "label_zh_hant": tranche.label_zh_hant,
        "milestone": tranche.milestone,
        "milestone_zh_hant": tranche.milestone_zh_hant,
        "percent": tranche.percent,
        "amount": tranche.amount,
        "currency": tranche.currency,
        "due_on": tranche.due_on,
        "status": status,
        "paid_on": paid.decided_at.date() if paid else None,
        "payment_reference": paid.payment_reference if paid else None,
        "disbursement": live.pk if live else None,
    }


def _disbursements():
    return Disbursement.objects.select_related(
        "tranche__application__startup", "tranche__application__cohort"
    )


def _visible(user):
    if can_oversee_funding(user):
        return _disbursements()
    return _disbursements().filter(tranche__application__startup__memberships__user_id=user.pk)


def disbursement_for(user, disbursement_id: int) -> Disbursement:
    """The request if the user may see it; 404 otherwise, as if it did not exist."""
    disbursement = _disbursements().filter(pk=disbursement_id).first()
    if disbursement is None or not can_view_disbursement(user, disbursement):
        raise Http404
    return disbursement


@router.get(
    "/funding/startups/{startup_id}/schedule",
    response={200: list[TrancheOut], **_ERRORS},
    summary="A startup's seed-funding tranches: amounts, due dates and what was paid",
)
def schedule(request, startup_id: PathId):
    from nurture.startups.models import Startup

    startup = Startup.objects.filter(pk=startup_id).first()
    if startup is None or not (
        can_view_startup(request.user, startup) or can_oversee_funding(request.user)
    ):
        raise Http404
    tranches = (
        Tranche.objects.filter(
            application__startup=startup, application__state=ApplicationState.ACCEPTED
        )
        .prefetch_related("disbursements")
        .order_by("-application__cohort__starts_on", "position")
    )
    return [_tranche_out(tranche) for tranche in tranches]


@router.get(
    "/funding/disbursements",
    response=list[DisbursementOut],
    summary="Disbursement requests you may see (staff and finance: all; founders: their own)",
)
@paginate(PageNumberPagination)
def disbursement_list(request, status: Query[StatusName | None] = None, startup: QueryId = None):
    disbursements = _visible(request.user).order_by("-requested_at", "-pk")
    if status is not None:
        disbursements = disbursements.filter(status=status)
    if startup is not None:
        disbursements = disbursements.filter(tranche__application__startup_id=startup)
    return disbursements


@router.get(
    "/funding/disbursements/{disbursement_id}",
    response={200: DisbursementOut, **_ERRORS},
)
def disbursement_detail(request, disbursement_id: PathId):
    return disbursement_for(request.user, disbursement_id)


@router.post(
    "/funding/disbursements",
    response={201: DisbursementOut, **_ERRORS},
    summary="Request the payment of a due tranche (programme staff)",
)
@idempotent
def disbursement_create(request, payload: DisbursementCreate):
    if not can_request_disbursement(request.user):
        raise ApiError(403, _("Only programme staff can request a disbursement."), code="forbidden")
    tranche = Tranche.objects.filter(pk=payload.tranche).first()
    if tranche is None:
        raise ApiError(
            404,
            _("Not found."),
            code="not_found",
            errors=[field_error("tranche", _("No such tranche."))],
        )
    with _refusals():
        disbursement = services.disbursement_request(
            tranche=tranche,
            actor=request.user,
            evidence=payload.evidence,
            bank_account_name=payload.bank_account_name,
            bank_name=payload.bank_name,
            bank_account_number=payload.bank_account_number,
        )
    return Status(201, disbursement_for(request.user, disbursement.pk))


def _token_authenticated(request) -> bool:
    """Whether a personal API token (not the session) authenticated this request."""
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        return False
    token = ApiToken.objects.filter(
        key_hash=ApiToken.hash_key(key.strip()), user_id=request.user.pk
    ).first()
    return token is not None and token.is_usable


def _recent_auth(operation):
    """Approving money needs a recent confirmation in a browser session (reauth); a personal
    token passes, since creating one needs that confirmation. `api_recent_auth_required`
    recognises a token by `request.api_token`, which the token authenticator does not set,
    so the token is checked here."""
    guarded = api_recent_auth_required(operation)

    @wraps(operation)
    def wrapper(request, *args, **kwargs):
        if _token_authenticated(request):
            return operation(request, *args, **kwargs)
        return guarded(request, *args, **kwargs)

    return wrapper


def _finance_only(user) -> None:
    if not is_finance_approver(user):
        raise ApiError(
            403, _("Only a finance approver can decide a disbursement."), code="forbidden"
        )


@router.post(
    "/funding/disbursements/{disbursement_id}/approve",
    response={200: DisbursementOut, **_ERRORS},
    summary="Approve a request and record its payment (finance; never the requester)",
)
@idempotent
@_recent_auth
def disbursement_approve(request, disbursement_id: PathId, payload: Approval):
    disbursement = disbursement_for(request.user, disbursement_id)
    _finance_only(request.user)
    with _refusals():
        services.disbursement_approve(
            disbursement=disbursement,
            actor=request.user,
            payment_reference=payload.payment_reference,
        )
    return disbursement_for(request.user, disbursement_id)


@router.post(
    "/funding/disbursements/{disbursement_id}/reject",
    response={200: DisbursementOut, **_ERRORS},
    summary="Reject a request with a reason (finance; never the requester)",
)
@idempotent
@_recent_auth
def disbursement_reject(request, disbursement_id: PathId, payload: Rejection):
    disbursement = disbursement_for(request.user, disbursement_id)
    _finance_only(request.user)
    with _refusals():
        services.disbursement_reject(
            disbursement=disbursement, actor=request.user, reason=payload.reason
        )
    return disbursement_for(request.user, disbursement_id)
