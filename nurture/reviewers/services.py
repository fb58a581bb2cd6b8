"""Every change to reviewers, conflicts, bids, review rounds and assignments: one transaction
and one audit entry each; e-mails and the assignment task after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from nurture.accounts.models import Role, User
from nurture.applications.models import Application, ApplicationState
from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail
from nurture.optimize import affinity as affinity_core
from nurture.optimize import assignment as assignment_core
from nurture.programmes.models import Cohort
from nurture.startups.models import Startup, StartupMember

from . import conflicts as rules
from .models import (
    Assignment,
    AssignmentRun,
    AssignmentSource,
    Bid,
    BidValue,
    Conflict,
    ConflictSource,
    ReviewerProfile,
    ReviewRound,
    RoundKind,
    RoundState,
    RunState,
)

logger = logging.getLogger(__name__)

AUTOMATIC_SOURCES = (
    ConflictSource.SAME_ORGANISATION,
    ConflictSource.SAME_EMAIL_DOMAIN,
    ConflictSource.EQUITY,
    ConflictSource.PAST_COMPANY,
)
DECLARED_SOURCES = (ConflictSource.DECLARED_BY_REVIEWER, ConflictSource.DECLARED_BY_STAFF)
# Applications that take part in a written round: submitted, and later under review.
REVIEWABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW)
PROFILE_FIELDS = (
    "kind",
    "affiliation",
    "expertise",
    "languages",
    "max_per_round",
    "past_companies",
)
ROUND_FIELDS = (
    "reviewers_per_application",
    "min_load",
    "max_load",
    "fairness",
    "bidding_closes_at",
    "deadline",
    "pitch_at",
    "reviews_visible_after_submit",
)
# Above this many allowed pairs the run skips the LP bound (the flow is exact anyway).
LP_BOUND_MAX_PAIRS = 200_000


class ReviewerError(Exception):
    """A refused change; the message is for the person who asked for it."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _in_each_language(value) -> dict[str, str]:
    result = {}
    for language in ("en", "zh-hant"):
        with translation.override(language):
            result[language] = str(value())
    return result


# --- Reviewer profiles ------------------------------------------------------------------------


def _is_reviewer(user) -> bool:
    return user.role == Role.REVIEWER


@transaction.atomic
def profile_update(
    *, user, profile: ReviewerProfile, data: dict[str, Any], sectors=None, holdings=None
) -> ReviewerProfile:
    """Change a profile (its owner, or programme staff), then look for new conflicts."""
    if not (user.pk == profile.user_id or user.is_programme_staff):
        raise ReviewerError(
            _("Only the reviewer or programme staff can do this."), code="forbidden"
        )
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ReviewerError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if "languages" in data:
        from .models import Language

        languages = list(dict.fromkeys(data["languages"] or []))
        if not set(languages) <= set(Language.values):
            raise ReviewerError(_("Unknown language."), field="languages")
        data = {**data, "languages": languages}
    changed = [name for name, value in data.items() if getattr(profile, name) != value]
    for name in changed:
        setattr(profile, name, data[name])
    profile.updated_at = timezone.now()
    profile.full_clean(exclude=["user"], validate_unique=False)
    if profile._state.adding:
        profile.save()
    else:
        profile.save(update_fields=[*changed, "updated_at"])
    if sectors is not None:
        profile.sectors.set(sectors)
        changed.append("sectors")
    if holdings is not None:
        profile.holdings.set(holdings)
        changed.append("holdings")
    audit_record(
        actor=user,
        action="reviewer.profile_updated",
        target=profile,
        summary=str(profile),
        data={"fields": sorted(set(changed))},
    )
    conflicts_detect(reviewers=[profile.user])
    return profile


def profile_for(user) -> ReviewerProfile:
    """The reviewer's profile; an unsaved one (saved by `profile_update`) the first time."""
    profile = ReviewerProfile.objects.filter(user=user).first()
    return profile or ReviewerProfile(user=user, affiliation=user.organisation)


def _set_password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", args=[uid, token])
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def reviewer_invite(
    *,
    user,
    email: str,
    full_name: str,
    kind: str,
    affiliation: str = "",
    max_per_round: int = 8,
    language: str = "en",
) -> ReviewerProfile:
    """Add a member of the advisory board: a user with the reviewer role and a profile, who
    receives a link to set a password. An existing reviewer account gets the profile only."""
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.role != Role.REVIEWER:
        raise ReviewerError(
            _("%(email)s already has an account with another role.") % {"email": email},
            code="duplicate",
            field="email",
        )
    if existing is not None and ReviewerProfile.objects.filter(user=existing).exists():
        raise ReviewerError(
            _("%(email)s is already a reviewer.") % {"email": email},
            code="duplicate",
            field="email",
        )
    reviewer = existing or User.objects.create_user(
        email=email,
        password=None,
        full_name=full_name,
        role=Role.REVIEWER,
        organisation=affiliation,
        preferred_language=language,
        email_verified_at=timezone.now(),
    )
    profile = ReviewerProfile(
        user=reviewer, kind=kind, affiliation=affiliation, max_per_round=max_per_round
    )
    profile.full_clean(exclude=["user"], validate_unique=False)
    profile.save()
    audit_record(
        actor=user, action="reviewer.invited", target=profile, summary=f"{full_name} <{email}>"
    )
    context = {
        "name": full_name,
        "inviter_name": user.full_name or user.email,
        "link": _set_password_link(reviewer)
        if existing is None
        else f"{settings.SITE_URL}{reverse('reviewers:profile')}",
    }
    transaction.on_commit(
        lambda: send_bilingual_mail(to=[email], template="reviewers/email/invite", context=context)
    )
    conflicts_detect(reviewers=[reviewer])
    return profile


@transaction.atomic
def profile_set_active(*, user, profile: ReviewerProfile, active: bool) -> ReviewerProfile:
    """Deactivate (or bring back) a reviewer: an inactive one takes no new assignment."""
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    if profile.active != active:
        profile.active = active
        profile.updated_at = timezone.now()
        profile.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=user,
            action="reviewer.activated" if active else "reviewer.deactivated",
            target=profile,
            summary=str(profile),
        )
    return profile


# --- Conflicts --------------------------------------------------------------------------------


def _reviewer_facts(reviewers: Iterable[User] | None) -> list[dict]:
    users = User.objects.filter(role=Role.REVIEWER)
    if reviewers is not None:
        users = users.filter(pk__in=[r.pk for r in reviewers])
    profiles = {
        p.user_id: p
        for p in ReviewerProfile.objects.filter(user__in=users).prefetch_related("holdings")
    }
    facts = []
    for reviewer in users.only("pk", "email", "organisation"):
        profile = profiles.get(reviewer.pk)
        facts.append(
            {
                "id": reviewer.pk,
                "email": reviewer.email,
                "organisation": reviewer.organisation,
                "affiliation": profile.affiliation if profile else "",
                "past_companies": profile.past_company_names if profile else [],
                "holdings": {s.pk for s in profile.holdings.all()} if profile else set(),
            }
        )
    return facts


def _startup_facts(startups: Iterable[Startup] | None) -> list[dict]:
    queryset = Startup.objects.all()
    if startups is not None:
        queryset = queryset.filter(pk__in=[s.pk for s in startups])
    facts = {
        s["pk"]: {"id": s["pk"], "name": s["name"], "legal_name": s["legal_name"], "founders": []}
        for s in queryset.values("pk", "name", "legal_name")
    }
    for member in StartupMember.objects.filter(startup_id__in=facts).values(
        "startup_id", "user__email", "user__organisation"
    ):
        facts[member["startup_id"]]["founders"].append(
            {"email": member["user__email"], "organisation": member["user__organisation"]}
        )
    return list(facts.values())


@transaction.atomic
def conflicts_detect(
    *, reviewers: Iterable[User] | None = None, startups: Iterable[Startup] | None = None
) -> tuple[int, int]:
    """Recompute the automatic conflicts among the given reviewers and startups (all when
    None): add those the rules find, lift those they no longer find. A conflict that a
    programme manager lifted by hand stays lifted. Returns (added, lifted)."""
    reviewers = list(reviewers) if reviewers is not None else None
    startups = list(startups) if startups is not None else None
    found = rules.find(_reviewer_facts(reviewers), _startup_facts(startups))
    scope = Conflict.objects.filter(source__in=AUTOMATIC_SOURCES)
    if reviewers is not None:
        scope = scope.filter(reviewer__in=[r.pk for r in reviewers])
    if startups is not None:
        scope = scope.filter(startup__in=[s.pk for s in startups])
    active = {
        (c.reviewer_id, c.startup_id, c.source): c for c in scope.filter(lifted_at__isnull=True)
    }
    overruled = set(
        scope.filter(lifted_by__isnull=False).values_list("reviewer_id", "startup_id", "source")
    )
    now = timezone.now()
    stale = [c.pk for key, c in active.items() if key not in found]
    if stale:
        Conflict.objects.filter(pk__in=stale).update(lifted_at=now)
    new = [
        Conflict(reviewer_id=r, startup_id=s, source=source, reason=reason[:2000], created_at=now)
        for (r, s, source), reason in found.items()
        if (r, s, source) not in active and (r, s, source) not in overruled
    ]
    Conflict.objects.bulk_create(new)
    if new or stale:
        audit_record(
            actor=None,
            action="conflict.detected",
            summary=_("%(added)d conflicts found, %(lifted)d no longer apply")
            % {"added": len(new), "lifted": len(stale)},
            data={
                "added": [[c.reviewer_id, c.startup_id, c.source] for c in new],
                "lifted": stale,
            },
        )
    return len(new), len(stale)


@transaction.atomic
def conflict_declare(
    *, user, reviewer: User, startup: Startup, reason: str = "", application=None
) -> Conflict:
    """A conflict declared by the reviewer (for themselves) or by programme staff."""
    if user.is_programme_staff:
        source = ConflictSource.DECLARED_BY_STAFF
    elif user.pk == reviewer.pk and _is_reviewer(user):
        source = ConflictSource.DECLARED_BY_REVIEWER
    else:
        raise ReviewerError(
            _("Only the reviewer or programme staff can do this."), code="forbidden"
        )
    if reviewer.role != Role.REVIEWER:
        raise ReviewerError(_("Choose a reviewer."), field="reviewer")
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ReviewerError(_("Keep the reason under 2000 characters."), field="reason")
    if source == ConflictSource.DECLARED_BY_STAFF and not reason:
        raise ReviewerError(_("Say why there is a conflict."), field="reason")
    existing = Conflict.objects.filter(
        reviewer=reviewer, startup=startup, source=source, lifted_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    conflict = Conflict.objects.create(
        reviewer=reviewer, startup=startup, source=source, reason=reason, declared_by=user
    )
    # Whatever was assigned or bid for this startup no longer applies.
    removed = list(
        Assignment.objects.filter(reviewer=reviewer, application__startup=startup).values_list(
            "pk", flat=True
        )
    )
    Assignment.objects.filter(pk__in=removed).delete()
    Bid.objects.filter(reviewer=reviewer, application__startup=startup).delete()
    audit_record(
        actor=user,
        action="conflict.declared",
        target=conflict,
        summary=f"{reviewer} × {startup}",
        data={"source": source, "removed_assignments": removed},
    )
    return conflict


@transaction.atomic
def conflict_lift(*, user, conflict: Conflict, reason: str) -> Conflict:
    """Programme staff lift a conflict, saying why; automatic detection leaves it lifted."""
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewerError(_("Say why the conflict no longer applies."), field="reason")
    conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.lifted_at is not None:
        raise ReviewerError(_("This conflict is already lifted."), code="lifted")
    conflict.lifted_at = timezone.now()
    conflict.lifted_by = user
    conflict.save(update_fields=["lifted_at", "lifted_by"])
    audit_record(
        actor=user,
        action="conflict.lifted",
        target=conflict,
        summary=str(conflict),
        data={"reason": reason[:2000], "source": conflict.source},
    )
    return conflict


# --- Bids -------------------------------------------------------------------------------------


def bidding_open(review_round: ReviewRound) -> bool:
    return review_round.state == RoundState.BIDDING and (
        review_round.bidding_closes_at is None or timezone.now() < review_round.bidding_closes_at
    )


@transaction.atomic
def bid_set(*, user, review_round: ReviewRound, application: Application, value: str) -> Bid | None:
    """Record the reviewer's bid; an empty value withdraws it."""
    from .permissions import biddable_applications

    if not _is_reviewer(user):
        raise ReviewerError(_("Only reviewers bid."), code="forbidden")
    if not bidding_open(review_round):
        raise ReviewerError(_("Bidding is closed for this round."), code="bidding_closed")
    if not biddable_applications(user, review_round).filter(pk=application.pk).exists():
        raise ReviewerError(_("No such application."), code="not_found")
    if value and value not in BidValue.values:
        raise ReviewerError(_("Choose eager, willing or not willing."), field="value")
    Bid.objects.filter(reviewer=user, application=application).delete()
    bid = None
    if value:
        bid = Bid.objects.create(reviewer=user, application=application, value=value)
    audit_record(
        actor=user,
        action="bid.set",
        target=application,
        summary=f"{user} · {application}",
        data={"value": value or None},
    )
    return bid


# --- Rounds -----------------------------------------------------------------------------------


def _clean_round(review_round: ReviewRound) -> None:
    from django.core.exceptions import ValidationError

    if review_round.min_load > review_round.max_load:
        raise ReviewerError(
            _("The fewest applications per reviewer cannot exceed the most."), field="min_load"
        )
    try:
        review_round.full_clean(exclude=["cohort", "published_by"], validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ReviewerError(messages[0], field=None if field == "__all__" else field) from error
    if (
        review_round.bidding_closes_at
        and review_round.deadline
        and review_round.deadline <= review_round.bidding_closes_at
    ):
        raise ReviewerError(
            _("The review deadline must come after bidding closes."), field="deadline"
        )


@transaction.atomic
def round_create(
    *, user, cohort: Cohort, kind: str, data: dict[str, Any], panel: Iterable[User] = ()
) -> ReviewRound:
    """A written round opens for bidding at once; a panel round waits for its shortlist."""
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    if kind not in RoundKind.values:
        raise ReviewerError(_("Unknown kind of round."), field="kind")
    unknown = set(data) - set(ROUND_FIELDS)
    if unknown:
        raise ReviewerError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if ReviewRound.objects.filter(cohort=cohort, kind=kind).exists():
        raise ReviewerError(
            _("%(cohort)s already has a round of this kind.") % {"cohort": cohort.display_name},
            code="duplicate",
        )
    state = RoundState.BIDDING if kind == RoundKind.WRITTEN else RoundState.SETUP
    review_round = ReviewRound(cohort=cohort, kind=kind, state=state, **data)
    _clean_round(review_round)
    try:
        with transaction.atomic():
            review_round.save()
    except IntegrityError as error:
        raise ReviewerError(_("The round's settings are not valid."), code="duplicate") from error
    if kind == RoundKind.PANEL:
        _set_panel(review_round, panel)
    audit_record(
        actor=user,
        action="review_round.created",
        target=review_round,
        summary=str(review_round),
        data={"kind": kind},
    )
    return review_round


def _set_panel(review_round: ReviewRound, panel: Iterable[User]) -> None:
    members = list(panel)
    if any(m.role != Role.REVIEWER for m in members):
        raise ReviewerError(_("Panel members must be reviewers."), field="panel")
    review_round.panel.set(members)


@transaction.atomic
def round_update(
    *, user, review_round: ReviewRound, data: dict[str, Any], panel: Iterable[User] | None = None
) -> ReviewRound:
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if review_round.state in (RoundState.PUBLISHED, RoundState.CLOSED):
        locked = {"reviewers_per_application", "min_load", "max_load", "fairness"} & set(data)
        changed_locked = [n for n in locked if getattr(review_round, n) != data[n]]
        if changed_locked:
            raise ReviewerError(
                _("The round is published: its loads and reviewers per application are fixed."),
                code="published",
            )
    changed = [n for n, v in data.items() if n in ROUND_FIELDS and getattr(review_round, n) != v]
    for name in changed:
        setattr(review_round, name, data[name])
    _clean_round(review_round)
    if changed:
        review_round.save(update_fields=changed)
    if panel is not None and review_round.kind == RoundKind.PANEL:
        _set_panel(review_round, panel)
        changed.append("panel")
    audit_record(
        actor=user,
        action="review_round.updated",
        target=review_round,
        summary=str(review_round),
        data={"fields": sorted(changed)},
    )
    return review_round


def round_applications(review_round: ReviewRound):
    """The applications a round reviews: a written round every submitted one of the cohort,
    a panel round the shortlist."""
    states = (
        REVIEWABLE_STATES
        if review_round.kind == RoundKind.WRITTEN
        else (ApplicationState.SHORTLISTED,)
    )
    return Application.objects.filter(cohort_id=review_round.cohort_id, state__in=states)


def reviewer_capacity(review_round: ReviewRound, profile: ReviewerProfile | None) -> int:
    """The most applications a reviewer takes in this round: the round's maximum, lowered
    to the reviewer's own."""
    if profile is None:
        return review_round.max_load
    return min(review_round.max_load, profile.max_per_round)


def round_reviewers(review_round: ReviewRound) -> list[ReviewerProfile]:
    """The reviewers the optimiser may use: active profiles of active reviewer accounts."""
    return list(
        ReviewerProfile.objects.filter(active=True, user__is_active=True, user__role=Role.REVIEWER)
        .select_related("user")
        .prefetch_related("sectors")
        .order_by("user_id")
    )


# --- The assignment problem and its run -------------------------------------------------------


@dataclass
class Problem:
    """One round's assignment problem as arrays, with the rows and columns it stands for."""

    applications: list[Application]
    reviewers: list[ReviewerProfile]
    affinity: affinity_core.Affinity
    conflicts: np.ndarray
    min_load: np.ndarray
    max_load: np.ndarray
    k: int


def _application_text(application: Application) -> str:
    return "\n".join(
        part
        for part in (
            application.product_description,
            application.ai_description,
            application.startup.summary,
        )
        if part
    )


def problem_build(review_round: ReviewRound) -> Problem:
    """Applications, reviewers, affinity (text, sectors, bids), conflicts and loads."""
    applications = list(
        round_applications(review_round).select_related("startup", "sector").order_by("pk")
    )
    reviewers = round_reviewers(review_round)
    app_index = {a.pk: i for i, a in enumerate(applications)}
    reviewer_index = {p.user_id: j for j, p in enumerate(reviewers)}
    bids = {
        (app_index[a], reviewer_index[r]): v
        for a, r, v in Bid.objects.filter(
            application_id__in=app_index, reviewer_id__in=reviewer_index
        ).values_list("application_id", "reviewer_id", "value")
    }
    affinity = affinity_core.affinity_matrix(
        [_application_text(a) for a in applications],
        [p.expertise for p in reviewers],
        application_sectors=[[a.sector.slug] if a.sector else [] for a in applications],
        reviewer_sectors=[[s.slug for s in p.sectors.all()] for p in reviewers],
        bids=bids,
    )
    conflicts = np.zeros((len(applications), len(reviewers)), dtype=bool)
    startup_rows: dict[int, list[int]] = {}
    for i, a in enumerate(applications):
        startup_rows.setdefault(a.startup_id, []).append(i)
    pairs = Conflict.objects.filter(
        lifted_at__isnull=True, reviewer_id__in=reviewer_index, startup_id__in=startup_rows
    ).values_list("reviewer_id", "startup_id")
    for reviewer_id, startup_id in pairs:
        conflicts[startup_rows[startup_id], reviewer_index[reviewer_id]] = True
    max_load = np.array([reviewer_capacity(review_round, p) for p in reviewers], dtype=np.int64)
    min_load = np.minimum(review_round.min_load, max_load)
    return Problem(
        applications=applications,
        reviewers=reviewers,
        affinity=affinity,
        conflicts=conflicts,
        min_load=min_load,
        max_load=max_load,
        k=review_round.reviewers_per_application,
    )


@transaction.atomic
def assignment_run_start(*, user, review_round: ReviewRound) -> AssignmentRun:
    """Queue the optimiser for a written round; the task starts after commit."""
    from .tasks import assignment_run_task

    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if review_round.kind != RoundKind.WRITTEN:
        raise ReviewerError(
            _("A panel round needs no optimiser: assign the panel instead."), code="wrong_kind"
        )
    if review_round.state not in (RoundState.SETUP, RoundState.BIDDING, RoundState.ASSIGNED):
        raise ReviewerError(
            _("The round is %(state)s; its assignment can no longer be re-run.")
            % {"state": review_round.get_state_display().lower()},
            code="published",
        )
    if review_round.runs.filter(state__in=[RunState.QUEUED, RunState.RUNNING]).exists():
        raise ReviewerError(_("An assignment run is already in progress."), code="running")
    run = AssignmentRun.objects.create(
        round=review_round,
        requested_by=user,
        step=_("Queued"),
        parameters={
            "k": review_round.reviewers_per_application,
            "min_load": review_round.min_load,
            "max_load": review_round.max_load,
            "fairness": review_round.fairness,
        },
    )
    audit_record(actor=user, action="assignment_run.requested", target=run, summary=str(run))
    transaction.on_commit(lambda: assignment_run_task.enqueue(run_id=run.pk))
    return run


def _progress(run: AssignmentRun, percent: int, step: str, **fields) -> None:
    # Saved outside any transaction, so that a page polling the run sees each step.
    for name, value in fields.items():
        setattr(run, name, value)
    run.progress, run.step = percent, step
    run.save(update_fields=["progress", "step", *fields])


def _problems(result: assignment_core.AssignmentResult, problem: Problem) -> list[dict]:
    out = []
    for reason in result.reasons:
        # `missing` counts per named application, or else per named reviewer.
        app_missing = list(reason.missing) if reason.applications else []
        reviewer_missing = list(reason.missing) if not reason.applications else []
        app_missing += [None] * (len(reason.applications) - len(app_missing))
        reviewer_missing += [None] * (len(reason.reviewers) - len(reviewer_missing))
        out.append(
            {
                "code": reason.code,
                "message": reason.message,
                "applications": [
                    {
                        "id": problem.applications[i].pk,
                        "name": problem.applications[i].startup.name,
                        "missing": missing,
                    }
                    for i, missing in zip(reason.applications, app_missing, strict=False)
                ],
                "reviewers": [
                    {
                        "id": problem.reviewers[j].user_id,
                        "name": str(problem.reviewers[j]),
                        "missing": missing,
                    }
                    for j, missing in zip(reason.reviewers, reviewer_missing, strict=False)
                ],
                "missing": list(reason.missing),
                "total_missing": reason.total_missing,
            }
        )
    return out


def assignment_run_execute(*, run_id: int) -> AssignmentRun:
    """The task's work: build the problem, solve it, store the pairs or the reasons none
    exists. Progress is saved step by step."""
    run = AssignmentRun.objects.select_related("round__cohort").get(pk=run_id)
    if run.state != RunState.QUEUED:
        return run
    review_round = run.round
    _progress(
        run,
        5,
        _("Looking for conflicts of interest"),
        state=RunState.RUNNING,
        started_at=timezone.now(),
    )
    try:
        startups = Startup.objects.filter(
            pk__in=round_applications(review_round).values("startup_id")
        )
        conflicts_detect(startups=list(startups))
        _progress(run, 25, _("Computing affinities"))
        problem = problem_build(review_round)
        _progress(run, 55, _("Solving the assignment"))
        result = assignment_core.assign(
            problem.affinity.matrix,
            k=problem.k,
            min_load=problem.min_load,
            max_load=problem.max_load,
            conflicts=problem.conflicts,
            fair=review_round.fairness,
        )
        if not problem.applications:
            result = assignment_core.AssignmentResult(
                feasible=False,
                reasons=[
                    assignment_core.InfeasibilityReason(
                        code="no_applications",
                        message="The round has no submitted application to assign.",
                    )
                ],
            )
        if not result.feasible:
            _progress(
                run,
                100,
                _("No assignment possible"),
                state=RunState.INFEASIBLE,
                problems=_problems(result, problem),
                finished_at=timezone.now(),
            )
            audit_record(
                actor=None,
                action="assignment_run.infeasible",
                target=run,
                summary=str(run),
                data={"codes": [r.code for r in result.reasons]},
            )
            return run
        bound = None
        if problem.conflicts.size - problem.conflicts.sum() <= LP_BOUND_MAX_PAIRS and not (
            review_round.fairness
        ):
            _progress(run, 75, _("Checking optimality against the LP bound"))
            bound = assignment_core.lp_bound(
                problem.affinity.matrix,
                k=problem.k,
                min_load=problem.min_load,
                max_load=problem.max_load,
                conflicts=problem.conflicts,
            ).value
        _progress(run, 90, _("Saving the assignment"))
        _store(run, problem, result, bound)
    except Exception as error:  # a failed run must say so instead of staying "running"
        logger.exception("assignment run %s failed", run.pk)
        _progress(
            run,
            100,
            _("Failed"),
            state=RunState.FAILED,
            error=str(error)[:2000],
            finished_at=timezone.now(),
        )
    return run


@transaction.atomic
def _store(run, problem: Problem, result, bound) -> None:
    review_round = ReviewRound.objects.select_for_update().get(pk=run.round_id)
    if review_round.state not in (RoundState.SETUP, RoundState.BIDDING, RoundState.ASSIGNED):
        raise ReviewerError(_("The round was published while the optimiser ran."))
    review_round.assignments.all().delete()
    aff = problem.affinity
    rows = []
    for i, j in zip(result.applications.tolist(), result.reviewers.tolist(), strict=True):
        bid = aff.bids.get((i, j))
        rows.append(
            Assignment(
                round=review_round,
                application=problem.applications[i],
                reviewer_id=problem.reviewers[j].user_id,
                run=run,
                affinity=float(aff.matrix[i, j]),
                text_score=float(aff.text[i, j]),
                sector_score=float(aff.sector[i, j]),
                bid=str(bid) if bid else "",
            )
        )
    Assignment.objects.bulk_create(rows)
    review_round.state = RoundState.ASSIGNED
    review_round.save(update_fields=["state"])
    _progress(
        run,
        100,
        _("Done"),
        state=RunState.DONE,
        objective=float(result.objective),
        lp_bound=bound,
        min_affinity=result.min_application_affinity,
        finished_at=timezone.now(),
    )
    audit_record(
        actor=None,
        action="assignment_run.done",
        target=run,
        summary=str(run),
        data={"pairs": len(rows), "objective": float(result.objective), "method": result.method},
    )


# --- Changes by hand --------------------------------------------------------------------------

EDITABLE_ROUND_STATES = (RoundState.ASSIGNED, RoundState.PUBLISHED)


def _pair_scores(review_round: ReviewRound, application: Application, reviewer: User) -> dict:
    """The reasons the optimiser would have shown for a pair chosen by hand."""
    problem = problem_build(review_round)
    rows = {a.pk: i for i, a in enumerate(problem.applications)}
    cols = {p.user_id: j for j, p in enumerate(problem.reviewers)}
    i, j = rows.get(application.pk), cols.get(reviewer.pk)
    if i is None or j is None:
        return {}
    bid = problem.affinity.bids.get((i, j))
    return {
        "affinity": float(problem.affinity.matrix[i, j]),
        "text_score": float(problem.affinity.text[i, j]),
        "sector_score": float(problem.affinity.sector[i, j]),
        "bid": str(bid) if bid else "",
    }


def _check_pair(review_round: ReviewRound, application: Application, reviewer: User) -> None:
    if reviewer.role != Role.REVIEWER or not reviewer.is_active:
        raise ReviewerError(_("Choose an active reviewer."), field="reviewer")
    profile = ReviewerProfile.objects.filter(user=reviewer).first()
    if profile is None or not profile.active:
        raise ReviewerError(
            _("%(name)s has no active reviewer profile.") % {"name": reviewer}, field="reviewer"
        )
    if not round_applications(review_round).filter(pk=application.pk).exists():
        raise ReviewerError(_("This application is not part of the round."), field="application")
    conflicts_detect(reviewers=[reviewer], startups=[application.startup])
    if Conflict.objects.filter(
        reviewer=reviewer, startup_id=application.startup_id, lifted_at__isnull=True
    ).exists():
        raise ReviewerError(
            _("%(name)s has a conflict of interest with %(startup)s and cannot review it.")
            % {"name": reviewer, "startup": application.startup.name},
            code="conflict",
            field="reviewer",
        )
    if review_round.assignments.filter(application=application, reviewer=reviewer).exists():
        raise ReviewerError(
            _("%(name)s already reviews this application.") % {"name": reviewer},
            code="duplicate",
            field="reviewer",
        )
    capacity = reviewer_capacity(review_round, profile)
    load = review_round.assignments.filter(reviewer=reviewer).count()
    if load >= capacity:
        raise ReviewerError(
            _("%(name)s already has %(load)d applications, the most they take in this round.")
            % {"name": reviewer, "load": load},
            code="overloaded",
            field="reviewer",
        )


def _lock_round(review_round: ReviewRound) -> ReviewRound:
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if review_round.state not in EDITABLE_ROUND_STATES:
        raise ReviewerError(
            _("Pairs can be changed once an assignment exists and until the round closes."),
            code="wrong_state",
        )
    return review_round


def _notify_new_reviewer(review_round: ReviewRound, reviewer: User) -> None:
    if review_round.state == RoundState.PUBLISHED:
        _notify(review_round, [reviewer])


@transaction.atomic
def assignment_add(
    *, user, review_round: ReviewRound, application: Application, reviewer: User
) -> Assignment:
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    review_round = _lock_round(review_round)
    _check_pair(review_round, application, reviewer)
    assignment = Assignment.objects.create(
        round=review_round,
        application=application,
        reviewer=reviewer,
        source=AssignmentSource.MANUAL,
        created_by=user,
        **_pair_scores(review_round, application, reviewer),
    )
    audit_record(
        actor=user,
        action="assignment.added",
        target=assignment,
        summary=f"{reviewer} → {application}",
    )
    _notify_new_reviewer(review_round, reviewer)
    return assignment


@transaction.atomic
def assignment_remove(*, user, assignment: Assignment) -> None:
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    _lock_round(assignment.round)
    audit_record(
        actor=user,
        action="assignment.removed",
        target=assignment,
        summary=f"{assignment.reviewer} → {assignment.application}",
    )
    assignment.delete()


@transaction.atomic
def assignment_swap(*, user, assignment: Assignment, reviewer: User) -> Assignment:
    """Give the pair's application to another reviewer instead."""
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    review_round = _lock_round(assignment.round)
    previous = assignment.reviewer
    if previous.pk == reviewer.pk:
        raise ReviewerError(_("Choose a different reviewer."), field="reviewer")
    _check_pair(review_round, assignment.application, reviewer)
    scores = _pair_scores(review_round, assignment.application, reviewer)
    assignment.reviewer = reviewer
    assignment.source = AssignmentSource.MANUAL
    assignment.created_by = user
    assignment.created_at = timezone.now()
    for name, value in scores.items():
        setattr(assignment, name, value)
    assignment.save()
    audit_record(
        actor=user,
        action="assignment.swapped",
        target=assignment,
        summary=f"{previous} ⇄ {reviewer} · {assignment.application}",
        data={"from": previous.pk, "to": reviewer.pk},
    )
    _notify_new_reviewer(review_round, reviewer)
    return assignment


@transaction.atomic
def panel_assign(*, user, review_round: ReviewRound) -> int:
    """Every panel member gets every shortlisted application, conflicts excepted."""
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if review_round.kind != RoundKind.PANEL:
        raise ReviewerError(_("Only a panel round has a panel."), code="wrong_kind")
    if review_round.state not in (RoundState.SETUP, RoundState.ASSIGNED):
        raise ReviewerError(_("The panel round is already published."), code="published")
    members = list(review_round.panel.filter(is_active=True, role=Role.REVIEWER))
    if not members:
        raise ReviewerError(_("Choose the panel members first."), field="panel")
    applications = list(round_applications(review_round).select_related("startup"))
    if not applications:
        raise ReviewerError(_("No application is shortlisted yet."), code="empty")
    conflicts_detect(reviewers=members, startups=[a.startup for a in applications])
    conflicted = set(
        Conflict.objects.filter(
            lifted_at__isnull=True,
            reviewer__in=members,
            startup_id__in=[a.startup_id for a in applications],
        ).values_list("reviewer_id", "startup_id")
    )
    review_round.assignments.all().delete()
    rows = [
        Assignment(
            round=review_round,
            application=a,
            reviewer=m,
            source=AssignmentSource.MANUAL,
            created_by=user,
        )
        for a in applications
        for m in members
        if (m.pk, a.startup_id) not in conflicted
    ]
    Assignment.objects.bulk_create(rows)
    review_round.state = RoundState.ASSIGNED
    review_round.save(update_fields=["state"])
    audit_record(
        actor=user,
        action="panel.assigned",
        target=review_round,
        summary=str(review_round),
        data={"pairs": len(rows), "conflicts_left_out": len(conflicted)},
    )
    return len(rows)


def round_shortfalls(review_round: ReviewRound) -> list[tuple[Application, int]]:
    """Applications of the round with fewer reviewers than it asks for, with the count."""
    if review_round.kind == RoundKind.PANEL:
        return []
    k = review_round.reviewers_per_application
    counted = (
        round_applications(review_round)
        .select_related("startup")
        .annotate(n=Count("assignments", filter=Q(assignments__round=review_round)))
        .filter(n__lt=k)
        .order_by("startup__name")
    )
    return [(a, k - a.n) for a in counted]


def _notify(review_round: ReviewRound, reviewers: Iterable[User]) -> None:
    counts = dict(
        review_round.assignments.values_list("reviewer_id")
        .annotate(n=Count("pk"))
        .values_list("reviewer_id", "n")
    )
    cohort = review_round.cohort
    for reviewer in reviewers:
        context = {
            "name": reviewer.full_name or reviewer.email,
            "cohort_name": _in_each_language(lambda: cohort.display_name),
            "round_kind": _in_each_language(lambda: review_round.get_kind_display()),
            "count": counts.get(reviewer.pk, 0),
            "deadline": timezone.localtime(review_round.deadline).strftime("%Y-%m-%d %H:%M")
            if review_round.deadline
            else "",
            "link": f"{settings.SITE_URL}{reverse('reviewers:assigned')}",
        }
        email = reviewer.email
        transaction.on_commit(
            lambda email=email, context=context: send_bilingual_mail(
                to=[email], template="reviewers/email/assigned", context=context
            )
        )


@transaction.atomic
def round_publish(*, user, review_round: ReviewRound) -> ReviewRound:
    """Reviewers see their assignments and are told by e-mail; a written round's
    applications move to "under review"."""
    if not user.is_programme_staff:
        raise ReviewerError(_("Only programme staff can do this."), code="forbidden")
    review_round = (
        ReviewRound.objects.select_for_update().select_related("cohort").get(pk=review_round.pk)
    )
    if review_round.state != RoundState.ASSIGNED:
        raise ReviewerError(
            _("Only a drafted assignment can be published; this round is %(state)s.")
            % {"state": review_round.get_state_display().lower()},
            code="wrong_state",
        )
    short = round_shortfalls(review_round)
    if short:
        names = ", ".join(a.startup.name for a, _n in short[:10])
        raise ReviewerError(
            _("These applications have fewer than %(k)d reviewers: %(names)s.")
            % {"k": review_round.reviewers_per_application, "names": names},
            code="incomplete",
        )
    if not review_round.assignments.exists():
        raise ReviewerError(_("The round has no assignment to publish."), code="incomplete")
    review_round.state = RoundState.PUBLISHED
    review_round.published_at = timezone.now()
    review_round.published_by = user
    review_round.save(update_fields=["state", "published_at", "published_by"])
    moved = []
    if review_round.kind == RoundKind.WRITTEN:
        moved = list(
            round_applications(review_round)
            .filter(state=ApplicationState.SUBMITTED)
            .values_list("pk", flat=True)
        )
        Application.objects.filter(pk__in=moved).update(
            state=ApplicationState.UNDER_REVIEW, updated_at=review_round.published_at
        )
    reviewers = list(
        User.objects.filter(pk__in=review_round.assignments.values("reviewer_id")).order_by("pk")
    )
    audit_record(
        actor=user,
        action="review_round.published",
        target=review_round,
        summary=str(review_round),
        data={"reviewers": len(reviewers), "applications_under_review": moved},
    )
    _notify(review_round, reviewers)
    return review_round
