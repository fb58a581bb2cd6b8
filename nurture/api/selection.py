"""Calibration and selection: programme staff read a round's calibration, run and read the
cohort proposal and record (and send) decisions; founders read their startup's decision
once sent and answer an offer.

Staff endpoints refuse every other role (403) before looking anything up; a founder asking
about another startup's application gets 404, as if it did not exist. Every write goes
through nurture.selection.services.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from nurture.applications.models import Application
from nurture.programmes.models import Cohort
from nurture.reviewers.models import ReviewRound
from nurture.selection import selectors, services
from nurture.selection.models import Decision as DecisionModel
from nurture.selection.models import Outcome, Proposal
from nurture.selection.permissions import (
    can_calibrate,
    can_decide,
    can_select,
    can_view_decision,
    is_programme_staff,
)
from nurture.startups.permissions import is_member

from . import schemas
from .errors import ApiError, field_error
from .schemas import MAX_ID, PathId

router = Router(tags=["Selection"])

_ERRORS = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    409: schemas.Error,
    422: schemas.Error,
}
OutcomeName = Literal[tuple(Outcome.values)]


# --- Schemas ----------------------------------------------------------------------------------


class CalibratedApplication(Schema):
    application: int
    startup: str
    rank: int
    raw_mean: float | None
    calibrated: float
    reviews: int
    disagreement: float
    flagged: bool


class ReviewerEffect(Schema):
    reviewer: int
    name: str
    leniency: float
    scale: float
    reviews: int


class RoundCalibration(Schema):
    round: int
    mean: float
    threshold: float
    applications: list[CalibratedApplication]
    reviewers: list[ReviewerEffect]


class Candidate(Schema):
    application: int
    startup: str
    outcome: str
    waitlist_position: int | None
    rank: int
    calibrated: float
    raw_mean: float | None
    reviews: int
    disagreement: float
    flagged: bool
    margin: float | None
    reason: str
    probability: float | None


class ProposalOut(Schema):
    id: int
    cohort: int
    kind: str
    state: str
    objective: float | None
    parameters: dict
    problems: list[str]
    binding: list[str]
    created_at: datetime
    candidates: list[Candidate]


class DecisionIn(Schema):
    application: int = Field(ge=1, le=MAX_ID)
    outcome: OutcomeName
    reason: str = Field("", max_length=500)


class DecisionsIn(Schema):
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=1000)
    send: bool = False


class DecisionOut(Schema):
    application: int
    outcome: str
    waitlist_position: int | None
    proposed_outcome: str
    change_reason: str
    sent_at: datetime | None
    offer_deadline: datetime | None
    response: str


class FounderDecision(Schema):
    """What the founders see: no reviewer, score or staff comment."""

    application: int
    outcome: str
    waitlist_position: int | None
    sent_at: datetime
    offer_deadline: datetime | None
    response: str
    feedback: list[str]


class OfferAnswer(Schema):
    response: Literal["confirm", "decline"]


# --- Helpers ----------------------------------------------------------------------------------


def _refuse(error: services.SelectionError):
    status = {"forbidden": 403, "state": 409, "deadline": 409}.get(error.code, 422)
    raise ApiError(
        status,
        error.message,
        code=error.code,
        errors=[field_error(error.field, error.message)] if error.field else [],
    )


def _require_staff(user) -> None:
    if not is_programme_staff(user):
        raise PermissionDenied


def _proposal_out(proposal: Proposal) -> dict:
    candidates = proposal.candidates.select_related("application__startup").order_by("rank")
    return {
        "id": proposal.pk,
        "cohort": proposal.cohort_id,
        "kind": proposal.kind,
        "state": proposal.state,
        "objective": proposal.objective,
        "parameters": proposal.parameters,
        "problems": [str(p) for p in proposal.problems],
        "binding": proposal.binding,
        "created_at": proposal.created_at,
        "candidates": [
            {
                "application": c.application_id,
                "startup": c.application.startup.name,
                "outcome": c.outcome,
                "waitlist_position": c.waitlist_position,
                "rank": c.rank,
                "calibrated": c.merit,
                "raw_mean": c.raw_mean,
                "reviews": c.reviews,
                "disagreement": c.disagreement,
                "flagged": c.flagged,
                "margin": c.margin,
                "reason": c.reason,
                "probability": c.probability,
            }
            for c in candidates
        ],
    }


def _decision_out(decision: DecisionModel) -> dict:
    return {
        "application": decision.application_id,
        "outcome": decision.outcome,
        "waitlist_position": decision.waitlist_position,
        "proposed_outcome": decision.proposed_outcome,
        "change_reason": decision.change_reason,
        "sent_at": decision.sent_at,
        "offer_deadline": decision.offer_deadline,
        "response": decision.response,
    }


def _own_application(user, application_id: int) -> Application:
    application = (
        Application.objects.select_related("startup", "cohort").filter(pk=application_id).first()
    )
    if application is None or not can_view_decision(user, application):
        raise Http404
    return application


# --- Programme staff --------------------------------------------------------------------------


@router.get(
    "/selection/rounds/{round_id}/calibration",
    response={200: RoundCalibration, **_ERRORS},
    summary="A review round's calibration: reviewer leniency and scale, calibrated scores",
)
def round_calibration(request, round_id: PathId):
    _require_staff(request.user)
    review_round = ReviewRound.objects.select_related("cohort").filter(pk=round_id).first()
    if review_round is None:
        raise Http404
    if not can_calibrate(request.user, review_round.cohort):
        raise PermissionDenied
    result = selectors.round_calibration(review_round)
    return {
        "round": review_round.pk,
        "mean": result.mean,
        "threshold": result.threshold,
        "applications": [
            {
                "application": row.application_id,
                "startup": row.application.startup.name if row.application else "",
                "rank": row.rank,
                "raw_mean": row.raw_mean,
                "calibrated": row.merit,
                "reviews": row.reviews,
                "disagreement": row.disagreement,
                "flagged": row.flagged,
            }
            for row in result.applications
        ],
        "reviewers": [
            {
                "reviewer": effect.reviewer_id,
                "name": str(effect.reviewer or ""),
                "leniency": effect.leniency,
                "scale": effect.scale,
                "reviews": effect.reviews,
            }
            for effect in result.reviewers
        ],
    }


@router.post(
    "/selection/cohorts/{cohort_id}/proposals",
    response={201: ProposalOut, **_ERRORS},
    summary="Run the exact optimiser for a cohort's proposal (as a task; immediate by default)",
)
def proposal_run(request, cohort_id: PathId):
    _require_staff(request.user)
    cohort = Cohort.objects.select_related("programme").filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404
    if not can_select(request.user, cohort):
        raise PermissionDenied
    try:
        proposal = services.proposal_request(user=request.user, cohort=cohort)
    except services.SelectionError as error:
        _refuse(error)
    proposal.refresh_from_db()
    return Status(201, _proposal_out(proposal))


@router.get(
    "/selection/proposals/{proposal_id}",
    response={200: ProposalOut, **_ERRORS},
    summary="A cohort proposal with each candidate's outcome, explanation and probability",
)
def proposal_detail(request, proposal_id: PathId):
    _require_staff(request.user)
    proposal = Proposal.objects.select_related("cohort").filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404
    if not can_select(request.user, proposal.cohort):
        raise PermissionDenied
    return _proposal_out(proposal)


@router.post(
    "/selection/proposals/{proposal_id}/decisions",
    response={200: list[DecisionOut], **_ERRORS},
    summary="Record the decisions on a proposal (changes need a reason); optionally send them",
)
def decisions_record(request, proposal_id: PathId, payload: DecisionsIn):
    _require_staff(request.user)
    proposal = Proposal.objects.select_related("cohort").filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404
    if not can_decide(request.user, proposal.cohort):
        raise PermissionDenied
    seen = [d.application for d in payload.decisions]
    if len(seen) != len(set(seen)):
        raise ApiError(
            422,
            _("The request is not valid."),
            code="invalid",
            errors=[field_error("decisions", _("Each application may appear only once."))],
        )
    try:
        decisions = services.decisions_record(
            user=request.user,
            proposal=proposal,
            outcomes={d.application: d.outcome for d in payload.decisions},
            reasons={d.application: d.reason for d in payload.decisions},
        )
        if payload.send:
            services.decisions_send(user=request.user, cohort=proposal.cohort)
    except services.SelectionError as error:
        _refuse(error)
    fresh = DecisionModel.objects.in_bulk([d.pk for d in decisions])
    return [_decision_out(fresh[d.pk]) for d in decisions]


# --- Founders -----------------------------------------------------------------------------


@router.get(
    "/applications/{application_id}/decision",
    response={200: FounderDecision, **_ERRORS},
    summary="The decision on an application, once sent, with the reviewers' anonymous feedback",
)
def application_decision(request, application_id: PathId):
    application = _own_application(request.user, application_id)
    decision = selectors.founder_decision(application)
    if decision is None:
        raise ApiError(404, _("No decision has been sent yet."), code="not_found")
    return {
        "application": application.pk,
        "outcome": decision.outcome,
        "waitlist_position": decision.waitlist_position,
        "sent_at": decision.sent_at,
        "offer_deadline": decision.offer_deadline,
        "response": decision.response,
        "feedback": selectors.founder_feedback(application),
    }


@router.post(
    "/applications/{application_id}/offer",
    response={200: FounderDecision, **_ERRORS},
    summary="Confirm or decline the offered place before its deadline",
)
def offer_answer(request, application_id: PathId, payload: OfferAnswer):
    application = _own_application(request.user, application_id)
    if not is_member(request.user, application.startup):
        raise PermissionDenied
    decision = DecisionModel.objects.filter(application=application, sent_at__isnull=False).first()
    if decision is None:
        raise ApiError(404, _("No decision has been sent yet."), code="not_found")
    try:
        if payload.response == "confirm":
            services.offer_confirm(user=request.user, decision=decision)
        else:
            services.offer_decline(user=request.user, decision=decision)
    except services.SelectionError as error:
        _refuse(error)
    return application_decision(request, application_id)
