"""Reviewers and assignment: programme staff run review rounds, the optimiser, changes by hand
and publishing; reviewers keep their profile, bid and declare conflicts.

The same predicates as the pages (nurture.reviewers.permissions) decide; what a caller may
not see answers 404, and a conflicted reviewer never finds the startup's application here.
"""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from nurture.accounts.models import Role, User
from nurture.applications.models import Application
from nurture.programmes.models import Cohort, Sector
from nurture.reviewers import services
from nurture.reviewers.models import (
    Assignment,
    AssignmentRun,
    BidValue,
    Language,
    ReviewerKind,
    ReviewRound,
    RoundKind,
)
from nurture.reviewers.permissions import (
    biddable_applications,
    bidding_rounds,
    can_manage_reviews,
    is_reviewer,
    reviewer_applications,
)

from . import schemas
from .errors import ApiError, field_error
from .schemas import ObjectId, PathId, QueryId

router = Router(tags=["Reviewers and assignment"])

_ERRORS = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    409: schemas.Error,
    422: schemas.Error,
}
_STATUS = {"forbidden": 403, "not_found": 404, "invalid": 422}


def _raise(error: services.ReviewerError):
    status = _STATUS.get(error.code, 409)
    errors = [field_error(error.field, error.message)] if error.field else []
    raise ApiError(status, error.message, code=error.code, errors=errors) from error


def _forbidden():
    raise ApiError(403, _("You do not have permission to do this."), code="forbidden")


def _not_found():
    raise ApiError(404, _("Not found."), code="not_found")


# --- Schemas ----------------------------------------------------------------------------------


class Round(Schema):
    id: int
    cohort: int = Field(alias="cohort_id")
    kind: str
    state: str
    reviewers_per_application: int
    min_load: int
    max_load: int
    fairness: bool
    bidding_closes_at: datetime | None
    deadline: datetime | None
    pitch_at: datetime | None
    published_at: datetime | None


class RoundCreate(Schema):
    cohort: ObjectId
    kind: RoundKind = RoundKind.WRITTEN
    reviewers_per_application: int = Field(3, ge=1, le=20)
    min_load: int = Field(0, ge=0, le=500)
    max_load: int = Field(8, ge=1, le=500)
    fairness: bool = False
    bidding_closes_at: datetime | None = None
    deadline: datetime | None = None
    pitch_at: datetime | None = None
    panel: list[ObjectId] = Field(default_factory=list, max_length=200)


class Problem(Schema):
    code: str
    message: str
    applications: list[dict]
    reviewers: list[dict]
    total_missing: int


class Run(Schema):
    id: int
    round: int = Field(alias="round_id")
    state: str
    progress: int
    step: str
    objective: float | None
    lp_bound: float | None
    min_affinity: float | None
    problems: list[Problem]
    created_at: datetime
    finished_at: datetime | None


class Pair(Schema):
    id: int
    application: int = Field(alias="application_id")
    startup_name: str = Field(alias="application.startup.name")
    reviewer: int = Field(alias="reviewer_id")
    reviewer_name: str
    source: str
    affinity: float
    text_score: float
    sector_score: float
    bid: str

    @staticmethod
    def resolve_reviewer_name(obj) -> str:
        return str(obj.reviewer)


class PairCreate(Schema):
    application: ObjectId
    reviewer: ObjectId


class PairChange(Schema):
    reviewer: ObjectId


class Profile(Schema):
    kind: str
    affiliation: str
    expertise: str
    sectors: list[str]
    languages: list[str]
    max_per_round: int
    past_companies: str
    active: bool

    @staticmethod
    def resolve_sectors(obj) -> list[str]:
        return [s.slug for s in obj.sectors.all()] if obj.pk else []


class ProfilePatch(Schema):
    kind: ReviewerKind | None = None
    affiliation: str | None = Field(None, max_length=200)
    expertise: str | None = Field(None, max_length=5000)
    sectors: list[str] | None = Field(None, max_length=100)
    languages: list[Language] | None = Field(None, max_length=10)
    max_per_round: int | None = Field(None, ge=0, le=200)
    past_companies: str | None = Field(None, max_length=3000)


class BidItem(Schema):
    application: int
    startup_name: str
    sector: str | None
    stage: str
    product_description: str
    ai_description: str
    bid: str


class BidSet(Schema):
    value: BidValue | None = None


class ConflictDeclare(Schema):
    application: ObjectId
    reason: str = Field("", max_length=2000)


class ConflictOut(Schema):
    id: int
    startup_name: str = Field(alias="startup.name")
    source: str
    reason: str
    created_at: datetime


# --- Programme staff: rounds, runs, pairs -----------------------------------------------------


def _staff(request):
    if not can_manage_reviews(request.user):
        _forbidden()


def _round(request, round_id: int) -> ReviewRound:
    review_round = ReviewRound.objects.select_related("cohort").filter(pk=round_id).first()
    if review_round is None or not can_manage_reviews(request.user):
        _not_found()
    return review_round


@router.get("/reviewers/rounds", response={200: list[Round], **_ERRORS}, summary="Review rounds")
def round_list(request, cohort: QueryId = None):
    _staff(request)
    rounds = ReviewRound.objects.order_by("-created_at", "pk")
    if cohort is not None:
        rounds = rounds.filter(cohort_id=cohort)
    return list(rounds[:500])


@router.post(
    "/reviewers/rounds",
    response={201: Round, **_ERRORS},
    summary="Create a cohort's written round (opens for bidding) or panel round",
)
def round_create(request, payload: RoundCreate):
    _staff(request)
    cohort = Cohort.objects.filter(pk=payload.cohort).first()
    if cohort is None:
        raise ApiError(
            404,
            _("Not found."),
            code="not_found",
            errors=[field_error("cohort", _("No such cohort."))],
        )
    panel = list(User.objects.filter(pk__in=payload.panel, role=Role.REVIEWER))
    if len(panel) != len(set(payload.panel)):
        raise ApiError(
            422,
            _("The request is not valid."),
            code="invalid",
            errors=[field_error("panel", _("Panel members must be reviewers."))],
        )
    data = payload.dict(exclude={"cohort", "kind", "panel"})
    try:
        review_round = services.round_create(
            user=request.user, cohort=cohort, kind=payload.kind, data=data, panel=panel
        )
    except services.ReviewerError as error:
        _raise(error)
    return Status(201, review_round)


@router.get("/reviewers/rounds/{round_id}", response={200: Round, **_ERRORS})
def round_detail(request, round_id: PathId):
    return _round(request, round_id)


@router.post(
    "/reviewers/rounds/{round_id}/runs",
    response={202: Run, **_ERRORS},
    summary="Run the assignment optimiser as a background task; poll the run for progress",
)
def run_start(request, round_id: PathId):
    review_round = _round(request, round_id)
    try:
        run = services.assignment_run_start(user=request.user, review_round=review_round)
    except services.ReviewerError as error:
        _raise(error)
    run.refresh_from_db()
    return Status(202, run)


@router.get("/reviewers/runs/{run_id}", response={200: Run, **_ERRORS}, summary="A run's status")
def run_detail(request, run_id: PathId):
    run = AssignmentRun.objects.filter(pk=run_id).first()
    if run is None or not can_manage_reviews(request.user):
        _not_found()
    return run


def _pairs(review_round):
    return (
        Assignment.objects.filter(round=review_round)
        .select_related("application__startup", "reviewer")
        .order_by("application__startup__name", "-affinity", "pk")
    )


@router.get(
    "/reviewers/rounds/{round_id}/assignments",
    response={200: list[Pair], **_ERRORS},
    summary="A round's pairs with their reasons (text match, sector, bid)",
)
def pair_list(request, round_id: PathId):
    return list(_pairs(_round(request, round_id)))


def _reviewer_user(reviewer_id: int) -> User:
    user = User.objects.filter(pk=reviewer_id, role=Role.REVIEWER).first()
    if user is None:
        raise ApiError(
            422,
            _("The request is not valid."),
            code="invalid",
            errors=[field_error("reviewer", _("No such reviewer."))],
        )
    return user


@router.post(
    "/reviewers/rounds/{round_id}/assignments",
    response={201: Pair, **_ERRORS},
    summary="Add a reviewer to an application by hand (conflicts and loads checked)",
)
def pair_add(request, round_id: PathId, payload: PairCreate):
    review_round = _round(request, round_id)
    application = Application.objects.select_related("startup").filter(pk=payload.application)
    application = application.first()
    if application is None:
        raise ApiError(
            422,
            _("The request is not valid."),
            code="invalid",
            errors=[field_error("application", _("No such application."))],
        )
    reviewer = _reviewer_user(payload.reviewer)
    try:
        pair = services.assignment_add(
            user=request.user, review_round=review_round, application=application, reviewer=reviewer
        )
    except services.ReviewerError as error:
        _raise(error)
    return Status(201, _pairs(review_round).get(pk=pair.pk))


def _pair(request, assignment_id: int) -> Assignment:
    pair = Assignment.objects.select_related("round", "application__startup", "reviewer")
    pair = pair.filter(pk=assignment_id).first()
    if pair is None or not can_manage_reviews(request.user):
        _not_found()
    return pair


@router.patch(
    "/reviewers/assignments/{assignment_id}",
    response={200: Pair, **_ERRORS},
    summary="Give a pair's application to another reviewer (conflicts and loads checked)",
)
def pair_swap(request, assignment_id: PathId, payload: PairChange):
    pair = _pair(request, assignment_id)
    reviewer = _reviewer_user(payload.reviewer)
    try:
        services.assignment_swap(user=request.user, assignment=pair, reviewer=reviewer)
    except services.ReviewerError as error:
        _raise(error)
    return _pairs(pair.round).get(pk=pair.pk)


@router.delete(
    "/reviewers/assignments/{assignment_id}",
    response={204: None, **_ERRORS},
    summary="Remove a pair",
)
def pair_remove(request, assignment_id: PathId):
    pair = _pair(request, assignment_id)
    try:
        services.assignment_remove(user=request.user, assignment=pair)
    except services.ReviewerError as error:
        _raise(error)
    return Status(204, None)


@router.post(
    "/reviewers/rounds/{round_id}/publish",
    response={200: Round, **_ERRORS},
    summary="Publish the assignment; reviewers are told by e-mail",
)
def round_publish(request, round_id: PathId):
    review_round = _round(request, round_id)
    try:
        return services.round_publish(user=request.user, review_round=review_round)
    except services.ReviewerError as error:
        _raise(error)


# --- Reviewers: profile, bids, conflicts ------------------------------------------------------


def _reviewer(request):
    if not (is_reviewer(request.user) and request.user.is_active):
        _forbidden()


@router.get("/reviewers/me", response={200: Profile, **_ERRORS}, summary="Your reviewer profile")
def profile_detail(request):
    _reviewer(request)
    return services.profile_for(request.user)


@router.patch("/reviewers/me", response={200: Profile, **_ERRORS}, summary="Change your profile")
def profile_update(request, payload: ProfilePatch):
    _reviewer(request)
    profile = services.profile_for(request.user)
    data = payload.dict(exclude_unset=True, exclude={"sectors"})
    data = {name: value for name, value in data.items() if value is not None}
    if "languages" in data:
        data["languages"] = [str(language) for language in data["languages"]]
    if profile.pk is None and "kind" not in data:
        raise ApiError(
            422,
            _("The request is not valid."),
            code="invalid",
            errors=[field_error("kind", _("Say what kind of reviewer you are."))],
        )
    sectors = None
    if payload.sectors is not None:
        sectors = list(Sector.objects.filter(slug__in=payload.sectors))
        if len(sectors) != len(set(payload.sectors)):
            raise ApiError(
                422,
                _("The request is not valid."),
                code="invalid",
                errors=[field_error("sectors", _("Unknown sector."))],
            )
    try:
        profile = services.profile_update(
            user=request.user, profile=profile, data=data, sectors=sectors
        )
    except services.ReviewerError as error:
        _raise(error)
    return profile


def _bidding_round(request, round_id: int) -> ReviewRound:
    review_round = bidding_rounds(request.user).filter(pk=round_id).first()
    if review_round is None:
        _not_found()
    return review_round


def _bid_items(user, applications) -> list[dict]:
    from nurture.reviewers.models import Bid

    applications = list(applications)
    bids = dict(
        Bid.objects.filter(reviewer=user, application__in=applications).values_list(
            "application_id", "value"
        )
    )
    return [
        {
            "application": a.pk,
            "startup_name": a.startup.name,
            "sector": a.sector.slug if a.sector else None,
            "stage": a.stage,
            "product_description": a.product_description[:400],
            "ai_description": a.ai_description[:400],
            "bid": bids.get(a.pk, ""),
        }
        for a in applications
    ]


@router.get(
    "/reviewers/rounds/{round_id}/bids",
    response={200: list[BidItem], **_ERRORS},
    summary="The applications you may bid for (summaries), with your bids",
)
def bid_list(request, round_id: PathId):
    review_round = _bidding_round(request, round_id)
    applications = (
        biddable_applications(request.user, review_round)
        .select_related("startup", "sector")
        .order_by("startup__name", "pk")
    )
    return _bid_items(request.user, applications)


@router.put(
    "/reviewers/rounds/{round_id}/bids/{application_id}",
    response={200: BidItem, **_ERRORS},
    summary="Set (or, with no value, withdraw) your bid for an application",
)
def bid_set(request, round_id: PathId, application_id: PathId, payload: BidSet):
    review_round = _bidding_round(request, round_id)
    application = (
        biddable_applications(request.user, review_round)
        .select_related("startup", "sector")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        _not_found()
    try:
        services.bid_set(
            user=request.user,
            review_round=review_round,
            application=application,
            value=str(payload.value) if payload.value else "",
        )
    except services.ReviewerError as error:
        _raise(error)
    return _bid_items(request.user, [application])[0]


@router.post(
    "/reviewers/conflicts",
    response={201: ConflictOut, **_ERRORS},
    summary="Declare a conflict of interest with an application's startup",
)
def conflict_declare(request, payload: ConflictDeclare):
    _reviewer(request)
    visible = reviewer_applications(request.user).filter(pk=payload.application)
    application = visible.select_related("startup").first()
    if application is None:
        for review_round in bidding_rounds(request.user):
            application = (
                biddable_applications(request.user, review_round)
                .select_related("startup")
                .filter(pk=payload.application)
                .first()
            )
            if application is not None:
                break
    if application is None:
        _not_found()
    try:
        conflict = services.conflict_declare(
            user=request.user,
            reviewer=request.user,
            startup=application.startup,
            reason=payload.reason,
        )
    except services.ReviewerError as error:
        _raise(error)
    return Status(201, conflict)
