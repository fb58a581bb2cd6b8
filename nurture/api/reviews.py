"""Reviews: reviewers read their assigned applications and write their reviews; programme
staff read the reviews of a round or of an application.

A reviewer reaches only their own visible assignments (published rounds, never a conflicted
startup); anything else answers 404, as if it did not exist. Every write goes through
nurture.reviews.services, which checks the round's state and deadline inside the
transaction, so the API cannot bypass them.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from nurture.applications.models import Application
from nurture.reviewers.models import Assignment, ReviewRound
from nurture.reviews import scoring, selectors, services
from nurture.reviews.models import Criterion as CriterionModel
from nurture.reviews.models import Review
from nurture.reviews.permissions import (
    assignment_for,
    can_manage_reviews,
    can_review,
    edit_refusal,
    is_programme_staff,
)

from . import schemas
from .errors import ApiError, field_error
from .pagination import PageNumberPagination
from .schemas import PathId

router = Router(tags=["Reviews"])

_ERRORS = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    409: schemas.Error,
    422: schemas.Error,
}


# --- Schemas ----------------------------------------------------------------------------------


class Anchor(Schema):
    point: int
    text: str
    text_zh_hant: str


class RubricCriterion(Schema):
    id: int
    key: str
    label: str
    label_zh_hant: str
    description: str
    description_zh_hant: str
    weight: Decimal
    share_percent: Decimal
    anchors: list[Anchor]


class ReviewOut(Schema):
    id: int | None
    state: str  # not_started, draft or submitted
    scores: dict[str, int]
    weighted_total: Decimal | None
    recommendation: str
    confidence: int | None
    comment: str
    feedback: str
    updated_at: datetime | None
    submitted_at: datetime | None


class OtherReview(Schema):
    """A fellow reviewer's submitted review, without the reviewer's identity."""

    scores: dict[str, int]
    weighted_total: Decimal | None
    recommendation: str
    confidence: int | None
    comment: str


class AssignmentSummary(Schema):
    id: int
    round_id: int
    round_kind: str
    round_name: str
    deadline: datetime | None
    application_id: int
    startup_name: str
    review_state: str
    weighted_total: Decimal | None


class AssignmentDetail(AssignmentSummary):
    editable: bool
    application: schemas.Application
    rubric: list[RubricCriterion]
    review: ReviewOut
    other_reviews: list[OtherReview] | None


class ReviewIn(Schema):
    """Only the fields sent are changed. `scores` maps criterion keys to 1-5 (null clears)."""

    model_config = ConfigDict(extra="forbid")

    scores: dict[str, int | None] | None = None
    recommendation: str | None = None
    confidence: int | None = None
    comment: str | None = None
    feedback: str | None = None


class StaffReview(Schema):
    id: int | None
    assignment_id: int
    round_id: int
    application_id: int
    startup_name: str
    reviewer_id: int
    reviewer_name: str
    reviewer_email: str
    state: str
    scores: dict[str, int]
    weighted_total: Decimal | None
    recommendation: str
    confidence: int | None
    comment: str
    feedback: str
    submitted_at: datetime | None


class ApplicationReviews(Schema):
    application_id: int
    reviews: list[StaffReview]
    mean: Decimal | None
    low: Decimal | None
    high: Decimal | None
    spread: Decimal | None


# --- Helpers ----------------------------------------------------------------------------------


def _scores_by_key(review: Review | None) -> dict[str, int]:
    if review is None:
        return {}
    return {s.criterion.key: s.value for s in review.scores.all()}


def _review_out(review: Review | None) -> dict:
    if review is None:
        return {
            "id": None,
            "state": "not_started",
            "scores": {},
            "weighted_total": None,
            "recommendation": "",
            "confidence": None,
            "comment": "",
            "feedback": "",
            "updated_at": None,
            "submitted_at": None,
        }
    return {
        "id": review.pk,
        "state": review.state,
        "scores": _scores_by_key(review),
        "weighted_total": review.weighted_total,
        "recommendation": review.recommendation,
        "confidence": review.confidence,
        "comment": review.comment,
        "feedback": review.feedback,
        "updated_at": review.updated_at,
        "submitted_at": review.submitted_at,
    }


def _rubric_out(criteria: list) -> list[dict]:
    shares = scoring.normalised_weights({c.pk: c.weight for c in criteria})
    return [
        {
            "id": c.pk,
            "key": c.key,
            "label": c.label,
            "label_zh_hant": c.label_zh_hant,
            "description": c.description,
            "description_zh_hant": c.description_zh_hant,
            "weight": c.weight,
            "share_percent": shares[c.pk],
            "anchors": [
                {"point": a.point, "text": a.text, "text_zh_hant": a.text_zh_hant}
                for a in c.anchors.all()
            ],
        }
        for c in criteria
    ]


def _summary(assignment: Assignment, review: Review | None) -> dict:
    return {
        "id": assignment.pk,
        "round_id": assignment.round_id,
        "round_kind": assignment.round.kind,
        "round_name": str(assignment.round),
        "deadline": assignment.round.deadline,
        "application_id": assignment.application_id,
        "startup_name": assignment.application.startup.name,
        "review_state": review.state if review else "not_started",
        "weighted_total": review.weighted_total if review else None,
    }


def _assignment(request, assignment_id: int) -> Assignment:
    # 404 for anyone but the assigned reviewer, and for a conflicted application.
    return assignment_for(request.user, assignment_id)


def _detail(request, assignment: Assignment) -> dict:
    criteria = services.rubric_ensure(programme=assignment.round.cohort.programme)
    review = selectors.review_of(assignment)
    others = selectors.other_reviews(request.user, assignment, review)
    application = (
        Application.objects.select_related("cohort__call", "startup", "sector")
        .filter(pk=assignment.application_id)
        .get()
    )
    return {
        **_summary(assignment, review),
        "editable": edit_refusal(request.user, assignment, review) is None,
        "application": application,
        "rubric": _rubric_out(criteria),
        "review": _review_out(review),
        "other_reviews": None
        if others is None
        else [
            {
                "scores": _scores_by_key(r),
                "weighted_total": r.weighted_total,
                "recommendation": r.recommendation,
                "confidence": r.confidence,
                "comment": r.comment,
            }
            for r in others
        ],
    }


def _changes(assignment: Assignment, payload: ReviewIn | None) -> tuple[dict, dict[int, str]]:
    """The service's changes from the request; criterion keys become ids."""
    if payload is None:
        return {}, {}
    data = payload.dict(exclude_unset=True)
    keys = dict(
        CriterionModel.objects.filter(
            programme=assignment.round.cohort.programme, active=True
        ).values_list("key", "pk")
    )
    names = {pk: key for key, pk in keys.items()}
    if "scores" in data:
        scores = {}
        unknown = []
        for key, value in (data["scores"] or {}).items():
            if key not in keys:
                unknown.append(field_error(f"scores.{key}", _("No such criterion in this rubric.")))
            else:
                scores[keys[key]] = value
        if unknown:
            raise ApiError(422, _("Please correct the review."), code="invalid", errors=unknown)
        data["scores"] = scores
    return data, names


def _call(fn, names: dict[int, str], **kwargs):
    try:
        return fn(**kwargs)
    except services.ReviewError as error:
        errors = []
        for field, message in error.problems:
            if field and field.startswith("scores."):
                raw = field.split(".", 1)[1]
                field = f"scores.{names.get(int(raw), raw) if raw.isdigit() else raw}"
            errors.append(field_error(field, message))
        raise ApiError(error.status, error.message, code=error.code, errors=errors) from None


# --- Reviewer endpoints -----------------------------------------------------------------------


@router.get(
    "/reviews/assignments",
    response=list[AssignmentSummary],
    summary="Your assigned applications (reviewers; empty for everyone else)",
)
@paginate(PageNumberPagination)
def assignment_list(request):
    assignments = list(selectors.reviewer_assignments(request.user))
    return [
        {
            **_summary(a, None),
            "review_state": a.review_state or "not_started",
            "weighted_total": a.review_total,
        }
        for a in assignments
    ]


@router.get(
    "/reviews/assignments/{assignment_id}",
    response={200: AssignmentDetail, **_ERRORS},
    summary="An assigned application with the rubric and your review",
)
def assignment_detail(request, assignment_id: PathId):
    return _detail(request, _assignment(request, assignment_id))


@router.get(
    "/reviews/assignments/{assignment_id}/pitch-deck",
    response={200: None, **_ERRORS},
    summary="Download an assigned application's pitch deck (PDF attachment)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def assignment_pitch_deck(request, assignment_id: PathId):
    assignment = _assignment(request, assignment_id)
    application = assignment.application
    if not can_review(request.user, application) or not application.pitch_deck:
        raise Http404
    services.review_record_deck_download(user=request.user, assignment=assignment)
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


@router.get(
    "/reviews/assignments/{assignment_id}/review",
    response={200: ReviewOut, **_ERRORS},
    summary="Your review of an assigned application",
)
def review_get(request, assignment_id: PathId):
    assignment = _assignment(request, assignment_id)
    return _review_out(selectors.review_of(assignment))


@router.put(
    "/reviews/assignments/{assignment_id}/review",
    response={200: ReviewOut, **_ERRORS},
    summary="Save your review as a draft (only the fields sent change)",
)
def review_save(request, assignment_id: PathId, payload: ReviewIn):
    assignment = _assignment(request, assignment_id)
    changes, names = _changes(assignment, payload)
    _call(services.review_save, names, user=request.user, assignment=assignment, changes=changes)
    return _review_out(selectors.review_of(assignment))


@router.post(
    "/reviews/assignments/{assignment_id}/review/submit",
    response={200: ReviewOut, **_ERRORS},
    summary="Submit your review: every criterion scored, a recommendation and a confidence",
    description="The body's fields are saved first; send {} to submit what is saved.",
)
def review_submit(request, assignment_id: PathId, payload: ReviewIn):
    assignment = _assignment(request, assignment_id)
    changes, names = _changes(assignment, payload)
    _call(services.review_submit, names, user=request.user, assignment=assignment, changes=changes)
    return _review_out(selectors.review_of(assignment))


# --- Staff endpoints --------------------------------------------------------------------------


def _require_staff(request) -> None:
    if not is_programme_staff(request.user):
        raise PermissionDenied


def _staff_rows(pairs) -> list[dict]:
    rows = []
    for assignment, review in pairs:
        rows.append(
            {
                "id": review.pk if review else None,
                "assignment_id": assignment.pk,
                "round_id": assignment.round_id,
                "application_id": assignment.application_id,
                "startup_name": assignment.application.startup.name,
                "reviewer_id": assignment.reviewer_id,
                "reviewer_name": assignment.reviewer.full_name,
                "reviewer_email": assignment.reviewer.email,
                "state": review.state if review else "not_started",
                "scores": _scores_by_key(review),
                "weighted_total": review.weighted_total if review else None,
                "recommendation": review.recommendation if review else "",
                "confidence": review.confidence if review else None,
                "comment": review.comment if review else "",
                "feedback": review.feedback if review else "",
                "submitted_at": review.submitted_at if review else None,
            }
        )
    return rows


@router.get(
    "/reviews/rounds/{round_id}/reviews",
    response={200: list[StaffReview], **_ERRORS},
    summary="Every assignment of a round with its review (programme staff)",
)
def round_reviews(request, round_id: PathId):
    _require_staff(request)
    review_round = get_object_or_404(ReviewRound, pk=round_id)
    if not can_manage_reviews(request.user, review_round):
        raise PermissionDenied
    pairs = [(a, selectors._review(a)) for a in selectors.round_assignments(review_round)]
    return _staff_rows(pairs)


@router.get(
    "/reviews/applications/{application_id}/reviews",
    response={200: ApplicationReviews, **_ERRORS},
    summary="Every review of one application, in all rounds (programme staff)",
)
def application_reviews(request, application_id: PathId):
    _require_staff(request)
    application = get_object_or_404(Application, pk=application_id)
    assignments = (
        Assignment.objects.filter(application=application)
        .select_related("reviewer", "application__startup", "round")
        .prefetch_related("review__scores__criterion")
        .order_by("round__kind", "reviewer__email")
    )
    pairs = [(a, selectors._review(a)) for a in assignments]
    stats = scoring.summary(r.weighted_total for _a, r in pairs if r and r.is_submitted)
    return {
        "application_id": application.pk,
        "reviews": _staff_rows(pairs),
        "mean": stats["mean"],
        "low": stats["low"],
        "high": stats["high"],
        "spread": stats["range"],
    }
