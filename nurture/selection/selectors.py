"""Reads for calibration and selection, each at a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Q

from nurture.applications.models import Application, ApplicationState
from nurture.optimize.calibration import Calibration, calibrate
from nurture.programmes.models import BenefitKind, BenefitUnit, Cohort, Programme
from nurture.reviewers.models import ReviewRound, RoundKind

from .models import (
    Decision,
    OfferResponse,
    Outcome,
    ProgrammeSectorCap,
    SectorCap,
    SelectionSettings,
)
from .scores import ReviewScore, round_scores

DEFAULT_SEED_USD = Decimal("100000")


@dataclass
class ApplicationCalibration:
    application_id: int
    raw_mean: float | None
    merit: float
    reviews: int
    disagreement: float
    flagged: bool
    rank: int = 0
    # (reviewer id, raw score, calibrated score) for staff only.
    scores: list[tuple[int, float, float]] = field(default_factory=list)
    application: Application | None = None

    @property
    def shift(self) -> float | None:
        """Calibrated minus raw: what the reviewers' leniency and scale moved."""
        return None if self.raw_mean is None else self.merit - self.raw_mean


@dataclass
class ReviewerEffect:
    reviewer_id: int
    leniency: float
    scale: float
    reviews: int
    reviewer: object | None = None


@dataclass
class RoundCalibration:
    mean: float
    applications: list[ApplicationCalibration]
    reviewers: list[ReviewerEffect]
    threshold: float
    calibration: Calibration | None = None

    @property
    def by_application(self) -> dict[int, ApplicationCalibration]:
        return {row.application_id: row for row in self.applications}

    @property
    def flagged_count(self) -> int:
        return sum(1 for row in self.applications if row.flagged)


def calibration_from_scores(
    scores: list[ReviewScore], *, threshold: float = 1.0
) -> RoundCalibration:
    """Leniency and scale per reviewer, calibrated merit per application, ranked by merit.
    Pure: no queries."""
    app_ids = sorted({s.application_id for s in scores})
    reviewer_ids = sorted({s.reviewer_id for s in scores})
    app_index = {pk: i for i, pk in enumerate(app_ids)}
    reviewer_index = {pk: i for i, pk in enumerate(reviewer_ids)}
    apps_arr = np.array([app_index[s.application_id] for s in scores], dtype=np.int64)
    revs_arr = np.array([reviewer_index[s.reviewer_id] for s in scores], dtype=np.int64)
    values = np.array([s.score for s in scores], dtype=float)
    result = calibrate(
        apps_arr,
        revs_arr,
        values,
        n_applications=len(app_ids),
        n_reviewers=len(reviewer_ids),
        disagreement_threshold=threshold,
    )
    rows = [
        ApplicationCalibration(
            application_id=pk,
            raw_mean=None if np.isnan(result.raw_mean[i]) else float(result.raw_mean[i]),
            merit=float(result.merit[i]),
            reviews=int(result.review_counts[i]),
            disagreement=float(result.disagreement[i]),
            flagged=bool(result.flagged[i]),
        )
        for i, pk in enumerate(app_ids)
    ]
    for k, s in enumerate(scores):
        rows[app_index[s.application_id]].scores.append(
            (s.reviewer_id, s.score, float(result.calibrated_scores[k]))
        )
    rows.sort(key=lambda row: (-row.merit, row.application_id))
    for position, row in enumerate(rows, start=1):
        row.rank = position
    reviewers = [
        ReviewerEffect(
            reviewer_id=pk,
            leniency=float(result.leniency[j]),
            scale=float(result.scale[j]),
            reviews=int(result.reviewer_counts[j]),
        )
        for j, pk in enumerate(reviewer_ids)
    ]
    reviewers.sort(key=lambda r: (-abs(r.leniency), r.reviewer_id))
    return RoundCalibration(
        mean=result.mean,
        applications=rows,
        reviewers=reviewers,
        threshold=threshold,
        calibration=result,
    )


def round_calibration(
    review_round: ReviewRound, *, scores: list[ReviewScore] | None = None
) -> RoundCalibration:
    """The calibration of a round with its applications and reviewers loaded (three
    queries besides the scores)."""
    settings = selection_settings(review_round.cohort)
    if scores is None:
        scores = round_scores(review_round)
    result = calibration_from_scores(scores, threshold=float(settings.disagreement_threshold))
    applications = Application.objects.select_related("startup", "sector").in_bulk(
        [row.application_id for row in result.applications]
    )
    for row in result.applications:
        row.application = applications.get(row.application_id)
    users = get_user_model().objects.in_bulk([r.reviewer_id for r in result.reviewers])
    for effect in result.reviewers:
        effect.reviewer = users.get(effect.reviewer_id)
    return result


def scoring_round(cohort: Cohort) -> ReviewRound | None:
    """The round whose scores decide: the pitch panel once it has scores, else the written
    review."""
    rounds = {r.kind: r for r in ReviewRound.objects.filter(cohort=cohort)}
    panel = rounds.get(RoundKind.PANEL)
    if panel is not None and round_scores(panel):
        return panel
    return rounds.get(RoundKind.WRITTEN)


def selection_settings(cohort: Cohort) -> SelectionSettings:
    """The cohort's settings, or the defaults (unsaved) if none were saved."""
    found = SelectionSettings.objects.filter(cohort=cohort).first()
    return found or SelectionSettings(cohort=cohort)


def sector_caps(cohort: Cohort) -> dict[int, int]:
    """Sector id -> cap: the programme's defaults, overridden by the cohort's own caps."""
    caps = dict(
        ProgrammeSectorCap.objects.filter(programme_id=cohort.programme_id).values_list(
            "sector_id", "cap"
        )
    )
    caps.update(SectorCap.objects.filter(cohort=cohort).values_list("sector_id", "cap"))
    return caps


def programme_sector_caps(programme: Programme) -> dict[int, int]:
    return dict(
        ProgrammeSectorCap.objects.filter(programme=programme).values_list("sector_id", "cap")
    )


def seed_per_startup(programme: Programme) -> Decimal:
    """The seed funding of one startup in US dollars, from the programme's benefit
    package."""
    line = (
        programme.benefits.filter(kind=BenefitKind.SEED_FUNDING, unit=BenefitUnit.USD)
        .exclude(amount__isnull=True)
        .order_by("position", "id")
        .first()
    )
    return line.amount if line is not None else DEFAULT_SEED_USD


def funding_pool(cohort: Cohort, settings: SelectionSettings | None = None) -> Decimal:
    settings = settings or selection_settings(cohort)
    if settings.funding_pool_usd is not None:
        return settings.funding_pool_usd
    return cohort.capacity * seed_per_startup(cohort.programme)


def admitted_elsewhere_this_year(cohort: Cohort) -> int:
    """Startups accepted (and not withdrawn since) in the programme's other cohorts of the
    cohort's year: both intakes count towards the yearly cap."""
    return (
        Application.objects.filter(
            cohort__programme_id=cohort.programme_id,
            cohort__year=cohort.year,
            state=ApplicationState.ACCEPTED,
        )
        .exclude(cohort_id=cohort.pk)
        .count()
    )


def remaining_places(cohort: Cohort) -> int:
    return max(0, cohort.programme.yearly_cap - admitted_elsewhere_this_year(cohort))


def cohort_decisions(cohort: Cohort):
    return (
        Decision.objects.filter(application__cohort=cohort)
        .select_related("application__startup", "application__sector")
        .order_by("outcome", "waitlist_position", "application__startup__name")
    )


def founder_decision(application: Application) -> Decision | None:
    """The decision the founders may see: only once it is sent."""
    return (
        Decision.objects.filter(application=application, sent_at__isnull=False)
        .only(
            "outcome",
            "waitlist_position",
            "sent_at",
            "offer_deadline",
            "response",
            "responded_at",
            "application_id",
        )
        .first()
    )


def founder_feedback(application: Application) -> list[str]:
    """The reviewers' feedback for the founders, anonymous, once the decision is sent."""
    if not Decision.objects.filter(application=application, sent_at__isnull=False).exists():
        return []
    try:
        from nurture.reviews.selectors import founder_feedback as reviews_feedback
    except ImportError:
        return []
    return [str(text) for text in reviews_feedback(application) if str(text).strip()]


def pending_offers(now) -> Q:
    return Q(
        outcome=Outcome.ACCEPTED,
        sent_at__isnull=False,
        response=OfferResponse.PENDING,
        offer_deadline__lt=now,
    )
