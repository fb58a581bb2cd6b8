"""Every write of calibration and selection: settings, marks, the shortlist, proposals,
decisions, and the offer a startup confirms or declines. One transaction and one audit entry
each; e-mails after commit."""

from __future__ import annotations

import logging
from datetime import timedelta

import numpy as np
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nurture.applications import eligibility
from nurture.applications.models import Application, ApplicationState
from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail
from nurture.funding.services import tranche_schedule_create
from nurture.optimize.selection import (
    SelectionProblem,
    bootstrap_selection,
    select_cohort,
)
from nurture.programmes.models import Cohort
from nurture.resources.services import benefits_open
from nurture.startups.permissions import is_member

from . import selectors
from .models import (
    Candidate,
    Decision,
    Mark,
    MarkKind,
    OfferResponse,
    Outcome,
    ProgrammeSectorCap,
    Proposal,
    ProposalKind,
    ProposalState,
    SectorCap,
    SelectionSettings,
)
from .scores import ReviewScore, round_scores

logger = logging.getLogger(__name__)

# Applications that are still in the running before any decision is sent.
IN_REVIEW = (
    ApplicationState.SUBMITTED,
    ApplicationState.UNDER_REVIEW,
    ApplicationState.SHORTLISTED,
)
CANDIDATE_STATES = (
    *IN_REVIEW,
    ApplicationState.ACCEPTED,
    ApplicationState.WAITLISTED,
    ApplicationState.REJECTED,
)
OUTCOME_STATE = {
    Outcome.ACCEPTED: ApplicationState.ACCEPTED,
    Outcome.WAITLISTED: ApplicationState.WAITLISTED,
    Outcome.REJECTED: ApplicationState.REJECTED,
}


class SelectionError(Exception):
    """A refused change; the message is for the person who asked for it."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _in_each_language(make) -> dict[str, str]:
    values = {}
    for language in ("en", "zh-hant"):
        with translation.override(language):
            values[language] = str(make())
    return values


def _emails(application: Application) -> list[str]:
    return list(application.startup.members.values_list("email", flat=True))


# --- Settings, marks, shortlist -------------------------------------------------------------


@transaction.atomic
def selection_settings_update(
    *,
    user,
    cohort: Cohort,
    data: dict,
    caps: dict[int, int],
    programme_caps: dict[int, int] | None = None,
) -> SelectionSettings:
    """Save the cohort's selection settings and replace its sector caps; with
    `programme_caps`, also replace the programme's default caps."""
    if any(cap < 0 for cap in caps.values()):
        raise SelectionError(_("A sector cap cannot be negative."), field="caps")
    settings, _created = SelectionSettings.objects.get_or_create(cohort=cohort)
    for name, value in data.items():
        setattr(settings, name, value)
    settings.full_clean(exclude=["cohort"])
    settings.save()
    SectorCap.objects.filter(cohort=cohort).exclude(sector_id__in=list(caps)).delete()
    for sector_id, cap in caps.items():
        SectorCap.objects.update_or_create(
            cohort=cohort, sector_id=sector_id, defaults={"cap": cap}
        )
    if programme_caps is not None:
        if any(cap < 0 for cap in programme_caps.values()):
            raise SelectionError(_("A sector cap cannot be negative."), field="caps")
        programme = cohort.programme
        ProgrammeSectorCap.objects.filter(programme=programme).exclude(
            sector_id__in=list(programme_caps)
        ).delete()
        for sector_id, cap in programme_caps.items():
            ProgrammeSectorCap.objects.update_or_create(
                programme=programme, sector_id=sector_id, defaults={"cap": cap}
            )
    audit_record(
        actor=user,
        action="selection.settings_updated",
        target=cohort,
        summary=str(cohort),
        data={
            **{k: str(v) for k, v in data.items()},
            "caps": {str(k): v for k, v in caps.items()},
            "programme_caps": (
                None if programme_caps is None else {str(k): v for k, v in programme_caps.items()}
            ),
        },
    )
    return settings


@transaction.atomic
def mark_set(*, user, application: Application, kind: str, reason: str) -> Mark:
    reason = (reason or "").strip()
    if kind not in MarkKind.values:
        raise SelectionError(_("Choose must include or must exclude."), field="kind")
    if not reason:
        raise SelectionError(_("Give a reason for the mark."), field="reason")
    if application.state not in CANDIDATE_STATES:
        raise SelectionError(
            _("Only applications under consideration can be marked."), code="state"
        )
    mark, _created = Mark.objects.update_or_create(
        application=application,
        defaults={
            "kind": kind,
            "reason": reason[:500],
            "created_by": user,
            "created_at": timezone.now(),
        },
    )
    audit_record(
        actor=user,
        action="selection.marked",
        target=application,
        summary=f"{application.startup.name}: {mark.get_kind_display()}",
        data={"kind": kind, "reason": reason[:500]},
    )
    return mark


@transaction.atomic
def mark_clear(*, user, application: Application) -> None:
    deleted, _rows = Mark.objects.filter(application=application).delete()
    if deleted:
        audit_record(
            actor=user,
            action="selection.mark_cleared",
            target=application,
            summary=application.startup.name,
        )


@transaction.atomic
def shortlist_set(*, user, cohort: Cohort, application_ids: set[int]) -> int:
    """Mark exactly these applications of the cohort as shortlisted; others in review go back
    to under review. Returns the shortlist's size."""
    if Decision.objects.filter(application__cohort=cohort, sent_at__isnull=False).exists():
        raise SelectionError(
            _("Decisions have been sent; the shortlist can no longer change."), code="state"
        )
    in_review = list(
        Application.objects.select_for_update().filter(cohort=cohort, state__in=IN_REVIEW)
    )
    known = {a.pk for a in in_review}
    unknown = set(application_ids) - known
    if unknown:
        raise SelectionError(
            _("Only applications of this cohort that are under review can be shortlisted."),
            field="applications",
        )
    now = timezone.now()
    changed = []
    for application in in_review:
        target = (
            ApplicationState.SHORTLISTED
            if application.pk in application_ids
            else ApplicationState.UNDER_REVIEW
        )
        if application.state != target:
            changed.append((application.pk, application.state, target))
            application.state = target
            application.updated_at = now
            application.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=user,
        action="selection.shortlisted",
        target=cohort,
        summary=_("%(n)d applications shortlisted") % {"n": len(application_ids)},
        data={"shortlist": sorted(application_ids), "changes": changed},
    )
    return len(application_ids)


# --- Proposals ------------------------------------------------------------------------------


@transaction.atomic
def proposal_request(
    *,
    user,
    cohort: Cohort,
    kind: str = ProposalKind.COHORT,
    replaces: Application | None = None,
) -> Proposal:
    """Queue a run of the optimiser; the task runs after commit (immediately with the default
    backend)."""
    if (
        kind == ProposalKind.COHORT
        and Decision.objects.filter(application__cohort=cohort, sent_at__isnull=False).exists()
    ):
        raise SelectionError(
            _(
                "Decisions have been sent for this cohort; a new proposal can only replace a"
                " startup that declined."
            ),
            code="state",
        )
    proposal = Proposal.objects.create(
        cohort=cohort, kind=kind, replaces=replaces, requested_by=user
    )
    audit_record(
        actor=user,
        action="selection.proposal_requested",
        target=cohort,
        summary=str(proposal),
        data={"proposal": proposal.pk, "kind": kind},
    )
    from .tasks import proposal_run

    transaction.on_commit(lambda: proposal_run.enqueue(proposal_id=proposal.pk))
    return proposal


def _candidates(cohort: Cohort) -> list[Application]:
    return list(
        Application.objects.filter(cohort=cohort, state__in=CANDIDATE_STATES)
        .select_related("cohort__programme", "sector", "selection_mark", "decision")
        .order_by("pk")
    )


def _has_decision(application: Application) -> Decision | None:
    try:
        return application.decision
    except Decision.DoesNotExist:
        return None


def _has_mark(application: Application) -> Mark | None:
    try:
        return application.selection_mark
    except Mark.DoesNotExist:
        return None


def proposal_compute(*, proposal_id: int, scores: list[ReviewScore] | None = None) -> Proposal:
    """Solve the cohort proposal exactly, explain each decision, and bootstrap the
    probabilities; the proposal row records its progress and outcome."""
    proposal = Proposal.objects.select_related("cohort__programme").get(pk=proposal_id)
    if proposal.state != ProposalState.QUEUED:
        return proposal
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.RUNNING)
    try:
        with transaction.atomic():
            _compute(proposal, scores)
    except Exception as error:  # noqa: BLE001 - recorded for the manager on the proposal
        logger.exception("Proposal %s failed", proposal.pk)
        Proposal.objects.filter(pk=proposal.pk).update(
            state=ProposalState.FAILED, problems=[str(error)[:500]], finished_at=timezone.now()
        )
    proposal.refresh_from_db()
    return proposal


def _compute(proposal: Proposal, scores: list[ReviewScore] | None) -> None:
    cohort = proposal.cohort
    programme = cohort.programme
    settings = selectors.selection_settings(cohort)
    review_round = selectors.scoring_round(cohort)
    if scores is None:
        scores = round_scores(review_round)
    calibration = selectors.calibration_from_scores(
        scores, threshold=float(settings.disagreement_threshold)
    )
    by_app = calibration.by_application
    candidates = _candidates(cohort)
    has_shortlist = any(
        a.state
        in (
            ApplicationState.SHORTLISTED,
            ApplicationState.ACCEPTED,
            ApplicationState.WAITLISTED,
        )
        for a in candidates
    )
    n = len(candidates)
    merit = np.array(
        [by_app[a.pk].merit if a.pk in by_app else 0.0 for a in candidates], dtype=float
    )
    eligible = np.array([not eligibility.check(a) for a in candidates], dtype=bool)
    include = np.zeros(n, dtype=bool)
    exclude = np.zeros(n, dtype=bool)
    fixed_reason: dict[int, str] = {}
    for i, application in enumerate(candidates):
        mark = _has_mark(application)
        decision = _has_decision(application)
        sent = decision is not None and decision.sent_at is not None
        if application.pk not in by_app:
            exclude[i] = True
            fixed_reason[i] = "no_reviews"
        elif sent and application.state == ApplicationState.ACCEPTED:
            include[i] = True
            fixed_reason[i] = "already_accepted"
        elif sent and application.state == ApplicationState.REJECTED:
            exclude[i] = True
            fixed_reason[i] = "already_rejected"
        elif has_shortlist and application.state in (
            ApplicationState.SUBMITTED,
            ApplicationState.UNDER_REVIEW,
        ):
            exclude[i] = True
            fixed_reason[i] = "not_shortlisted"
        elif mark is not None:
            if mark.kind == MarkKind.INCLUDE:
                include[i] = True
            else:
                exclude[i] = True
    caps = {str(sector_id): cap for sector_id, cap in selectors.sector_caps(cohort).items()}
    seed = selectors.seed_per_startup(programme)
    pool = selectors.funding_pool(cohort, settings)
    remaining = selectors.remaining_places(cohort)
    size_max = min(programme.max_startups_per_cohort, cohort.capacity)
    if proposal.kind == ProposalKind.REPLACEMENT:
        # A replacement fills the place given up, not places the committee left empty.
        size_max = min(size_max, int(include.sum()) + 1)
    problem = SelectionProblem(
        merit=merit,
        size_min=programme.min_startups_per_cohort,
        size_max=size_max,
        remaining_places=remaining,
        sectors=[str(a.sector_id) for a in candidates],
        sector_caps=caps,
        costs=np.full(n, float(seed)),
        pool=float(pool),
        eligible=eligible,
        must_include=include,
        must_exclude=exclude,
    )
    proposal.parameters = {
        "size_min": problem.size_min,
        "size_max": size_max,
        "yearly_cap": programme.yearly_cap,
        "remaining_places": remaining,
        "size_limit": problem.size_limit,
        "pool": str(pool),
        "seed_per_startup": str(seed),
        "sector_caps": caps,
        "bootstrap_rounds": settings.bootstrap_rounds,
        "round": review_round.pk if review_round is not None else None,
        "reviews": len(scores),
    }
    result = select_cohort(problem)
    proposal.finished_at = timezone.now()
    if not result.feasible:
        proposal.state = ProposalState.INFEASIBLE
        proposal.problems = result.reasons
        proposal.save(update_fields=["state", "problems", "parameters", "finished_at"])
        return
    probability = np.full(n, np.nan)
    if settings.bootstrap_rounds and scores:
        index = {a.pk: i for i, a in enumerate(candidates)}
        kept = [s for s in scores if s.application_id in index]
        reviewer_ids = sorted({s.reviewer_id for s in kept})
        reviewer_index = {pk: j for j, pk in enumerate(reviewer_ids)}
        if kept:
            probability = bootstrap_selection(
                problem,
                [index[s.application_id] for s in kept],
                [reviewer_index[s.reviewer_id] for s in kept],
                [s.score for s in kept],
                rounds=settings.bootstrap_rounds,
                seed=proposal.pk,
                n_reviewers=len(reviewer_ids),
            ).probability
    selected = result.selected
    available = eligible & ~exclude & ~selected
    waitlist_order = sorted(np.flatnonzero(available), key=lambda i: (-merit[i], i))
    waitlist = {int(i): pos for pos, i in enumerate(waitlist_order[: settings.waitlist_size], 1)}
    rows = []
    for decision in result.decisions:
        i = decision.index
        application = candidates[i]
        row = by_app.get(application.pk)
        if selected[i]:
            outcome = Outcome.ACCEPTED
        elif i in waitlist:
            outcome = Outcome.WAITLISTED
        else:
            outcome = Outcome.REJECTED
        rows.append(
            Candidate(
                proposal=proposal,
                application=application,
                outcome=outcome,
                waitlist_position=waitlist.get(i),
                rank=decision.rank,
                merit=float(merit[i]),
                raw_mean=row.raw_mean if row else None,
                reviews=row.reviews if row else 0,
                disagreement=row.disagreement if row else 0.0,
                flagged=row.flagged if row else False,
                margin=decision.margin if np.isfinite(decision.margin) else None,
                reason=fixed_reason.get(i, decision.reason),
                probability=None if np.isnan(probability[i]) else float(probability[i]),
            )
        )
    Candidate.objects.bulk_create(rows)
    proposal.state = ProposalState.DONE
    proposal.objective = result.objective
    proposal.binding = _binding(problem, selected)
    proposal.problems = []
    proposal.save(
        update_fields=["state", "objective", "binding", "problems", "parameters", "finished_at"]
    )


def _binding(problem: SelectionProblem, selected) -> list[str]:
    """The constraints that hold with equality in the chosen cohort."""
    binding = []
    count = int(selected.sum())
    if count >= problem.size_limit:
        binding.append("yearly_cap" if problem.size_limit < problem.size_max else "cohort_size")
    if count <= problem.size_min:
        binding.append("cohort_minimum")
    if problem.costs is not None and problem.pool is not None:
        costs = np.asarray(problem.costs)
        spent = float(costs[selected].sum())
        left_out = ~selected
        cheapest = float(costs[left_out].min()) if left_out.any() else 0.0
        if left_out.any() and spent + cheapest > problem.pool:
            binding.append("funding_pool")
    sectors = np.asarray(problem.sectors or [], dtype=object)
    for name, cap in problem.sector_caps.items():
        if sectors.size and int((selected & (sectors == name)).sum()) >= cap:
            binding.append(f"sector:{name}")
    return binding


# --- Decisions ------------------------------------------------------------------------------


def _check_size(cohort: Cohort, accepted: int) -> None:
    programme = cohort.programme
    limit = min(programme.max_startups_per_cohort, cohort.capacity)
    remaining = selectors.remaining_places(cohort)
    if accepted > limit:
        raise SelectionError(
            _("At most %(n)d startups can be accepted into this cohort.") % {"n": limit},
            code="size",
        )
    if accepted > remaining:
        raise SelectionError(
            _(
                "Only %(n)d places remain this year: the programme admits at most %(cap)d"
                " startups a year across its cohorts."
            )
            % {"n": remaining, "cap": programme.yearly_cap},
            code="yearly_cap",
        )


@transaction.atomic
def decisions_record(
    *,
    user,
    proposal: Proposal,
    outcomes: dict[int, str],
    reasons: dict[int, str] | None = None,
) -> list[Decision]:
    """Record the committee's decisions on a proposal's candidates. An outcome other than the
    proposed one needs a reason, which is audited. Decisions already sent cannot change."""
    reasons = reasons or {}
    proposal = (
        Proposal.objects.select_for_update().select_related("cohort__programme").get(pk=proposal.pk)
    )
    if proposal.kind != ProposalKind.COHORT or proposal.state not in (
        ProposalState.DONE,
        ProposalState.CONFIRMED,
    ):
        raise SelectionError(_("Only a finished cohort proposal can be decided."), code="state")
    cohort = proposal.cohort
    if Decision.objects.filter(application__cohort=cohort, sent_at__isnull=False).exists():
        raise SelectionError(
            _("Decisions have been sent for this cohort and can no longer change."),
            code="state",
        )
    candidates = {c.application_id: c for c in proposal.candidates.select_related("application")}
    unknown = set(outcomes) - set(candidates)
    if unknown:
        raise SelectionError(
            _("Some applications are not candidates of this proposal."), field="outcomes"
        )
    final: dict[int, str] = {}
    for pk, candidate in candidates.items():
        outcome = outcomes.get(pk, candidate.outcome)
        if outcome not in Outcome.values:
            raise SelectionError(_("Unknown decision: %(value)s") % {"value": outcome})
        if outcome != candidate.outcome and not (reasons.get(pk) or "").strip():
            raise SelectionError(
                _("Give a reason for changing the proposal for %(startup)s.")
                % {"startup": candidate.application.startup.name},
                field=f"reason_{pk}",
            )
        final[pk] = outcome
    _check_size(cohort, sum(1 for o in final.values() if o == Outcome.ACCEPTED))
    # Waitlist positions follow the proposal's order (rank) among those waitlisted.
    waitlisted = sorted(
        (pk for pk, o in final.items() if o == Outcome.WAITLISTED),
        key=lambda pk: candidates[pk].rank,
    )
    position = {pk: k for k, pk in enumerate(waitlisted, 1)}
    now = timezone.now()
    decisions = []
    changes = []
    for pk, outcome in final.items():
        candidate = candidates[pk]
        reason = (reasons.get(pk) or "").strip()[:500] if outcome != candidate.outcome else ""
        decision, _created = Decision.objects.update_or_create(
            application_id=pk,
            defaults={
                "outcome": outcome,
                "waitlist_position": position.get(pk),
                "proposal": proposal,
                "proposed_outcome": candidate.outcome,
                "change_reason": reason,
                "decided_by": user,
                "decided_at": now,
            },
        )
        decisions.append(decision)
        if reason:
            changes.append(
                {"application": pk, "from": candidate.outcome, "to": outcome, "reason": reason}
            )
            audit_record(
                actor=user,
                action="selection.proposal_changed",
                target=candidate.application,
                summary=f"{candidate.application.startup.name}: {candidate.outcome} → {outcome}",
                data={"from": candidate.outcome, "to": outcome, "reason": reason},
            )
    proposal.state = ProposalState.CONFIRMED
    proposal.confirmed_at = now
    proposal.confirmed_by = user
    proposal.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    audit_record(
        actor=user,
        action="selection.decisions_recorded",
        target=cohort,
        summary=str(cohort),
        data={
            "proposal": proposal.pk,
            "accepted": sorted(pk for pk, o in final.items() if o == Outcome.ACCEPTED),
            "waitlisted": waitlisted,
            "changes": changes,
        },
    )
    return decisions


def _mail_context(decision: Decision, application: Application) -> dict:
    context = {
        "startup_name": application.startup.name,
        "cohort_name": _in_each_language(lambda: application.cohort.display_name),
        "link": f"{django_settings.SITE_URL}/applications/{application.pk}/",
        "waitlist_position": decision.waitlist_position or 0,
        "offer_deadline": (
            timezone.localtime(decision.offer_deadline).strftime("%Y-%m-%d %H:%M")
            if decision.offer_deadline
            else ""
        ),
    }
    return context


def _send(decision: Decision, application: Application, now) -> None:
    """Apply a decision to the application and mail the founders after commit; the caller
    holds the lock and has checked that it was not sent."""
    settings = selectors.selection_settings(application.cohort)
    decision.sent_at = now
    fields = ["sent_at"]
    if decision.outcome == Outcome.ACCEPTED:
        decision.offer_deadline = now + timedelta(days=settings.offer_days)
        decision.response = OfferResponse.PENDING
        fields += ["offer_deadline", "response"]
    decision.save(update_fields=fields)
    application.state = OUTCOME_STATE[decision.outcome]
    application.updated_at = now
    application.save(update_fields=["state", "updated_at"])
    template = f"selection/email/{decision.outcome}"
    context = _mail_context(decision, application)
    emails = _emails(application)
    transaction.on_commit(
        lambda: send_bilingual_mail(to=emails, template=template, context=context)
    )


@transaction.atomic
def decisions_send(*, user, cohort: Cohort) -> int:
    """Send every recorded decision of the cohort not sent yet: the applications take their
    new state and the founders get one bilingual e-mail each, after commit. Sending twice
    sends nothing more."""
    decisions = list(
        Decision.objects.select_for_update()
        .filter(application__cohort=cohort, sent_at__isnull=True)
        .select_related("application__startup", "application__cohort")
    )
    if not decisions:
        return 0
    accepted = Application.objects.filter(cohort=cohort, state=ApplicationState.ACCEPTED).count()
    _check_size(cohort, accepted + sum(1 for d in decisions if d.outcome == Outcome.ACCEPTED))
    now = timezone.now()
    for decision in decisions:
        _send(decision, decision.application, now)
    audit_record(
        actor=user,
        action="selection.decisions_sent",
        target=cohort,
        summary=_("%(n)d decisions sent") % {"n": len(decisions)},
        data={"decisions": [d.application_id for d in decisions]},
    )
    return len(decisions)


# --- Offers ---------------------------------------------------------------------------------


def _locked_offer(decision: Decision) -> Decision:
    decision = (
        Decision.objects.select_for_update()
        .select_related("application__startup", "application__cohort__programme")
        .get(pk=decision.pk)
    )
    if not decision.awaits_response or decision.application.state != ApplicationState.ACCEPTED:
        raise SelectionError(_("This offer is not awaiting an answer."), code="state")
    return decision


@transaction.atomic
def offer_confirm(*, user, decision: Decision) -> Decision:
    """The startup takes its place; its benefits are opened (once)."""
    decision = _locked_offer(decision)
    application = decision.application
    if not is_member(user, application.startup):
        raise SelectionError(
            _("Only the startup's founders can answer the offer."), code="forbidden"
        )
    now = timezone.now()
    if decision.offer_deadline and decision.offer_deadline < now:
        raise SelectionError(_("The deadline to confirm this place has passed."), code="deadline")
    decision.response = OfferResponse.CONFIRMED
    decision.responded_at = now
    decision.responded_by = user
    decision.save(update_fields=["response", "responded_at", "responded_by"])
    audit_record(
        actor=user,
        action="selection.offer_confirmed",
        target=application,
        summary=application.startup.name,
    )
    # The benefit package: the entitlements posted from the pools, and the seed-funding
    # schedule drawn up from the programme's tranches (both once, whoever calls again).
    benefits_open(application=application, actor=user)
    tranche_schedule_create(application=application, actor=None)
    return decision


def _release(decision: Decision, *, user, response: str, now) -> Proposal:
    """The place is given up: the application is withdrawn and a replacement proposal is
    queued, with the decliner out and the startups already accepted in."""
    application = decision.application
    decision.response = response
    decision.responded_at = now
    decision.responded_by = user if response == OfferResponse.DECLINED else None
    decision.save(update_fields=["response", "responded_at", "responded_by"])
    application.state = ApplicationState.WITHDRAWN
    application.withdrawn_at = now
    application.updated_at = now
    application.save(update_fields=["state", "withdrawn_at", "updated_at"])
    audit_record(
        actor=user,
        action=f"selection.offer_{response}",
        target=application,
        summary=application.startup.name,
    )
    return proposal_request(
        user=user,
        cohort=application.cohort,
        kind=ProposalKind.REPLACEMENT,
        replaces=application,
    )


@transaction.atomic
def offer_decline(*, user, decision: Decision) -> Proposal:
    decision = _locked_offer(decision)
    if not is_member(user, decision.application.startup):
        raise SelectionError(
            _("Only the startup's founders can answer the offer."), code="forbidden"
        )
    return _release(decision, user=user, response=OfferResponse.DECLINED, now=timezone.now())


@transaction.atomic
def offers_lapse(*, now=None) -> list[Proposal]:
    """Offers whose deadline passed without an answer lapse; each queues a replacement."""
    now = now or timezone.now()
    lapsed = list(
        Decision.objects.select_for_update()
        .filter(selectors.pending_offers(now))
        .select_related("application__startup", "application__cohort__programme")
        .order_by("offer_deadline", "pk")
    )
    return [
        _release(decision, user=None, response=OfferResponse.LAPSED, now=now) for decision in lapsed
    ]


@transaction.atomic
def replacement_confirm(*, user, proposal: Proposal) -> list[Decision]:
    """The manager accepts a replacement proposal: each newly proposed startup (waitlisted
    until now) gets an offer at once, with its e-mail after commit."""
    proposal = Proposal.objects.select_for_update().select_related("cohort").get(pk=proposal.pk)
    if proposal.kind != ProposalKind.REPLACEMENT or proposal.state != ProposalState.DONE:
        raise SelectionError(
            _("Only a finished replacement proposal can be confirmed."), code="state"
        )
    newcomers = list(
        proposal.candidates.filter(outcome=Outcome.ACCEPTED)
        .exclude(application__state=ApplicationState.ACCEPTED)
        .select_related("application__startup", "application__cohort")
    )
    accepted = Application.objects.filter(
        cohort=proposal.cohort, state=ApplicationState.ACCEPTED
    ).count()
    _check_size(proposal.cohort, accepted + len(newcomers))
    now = timezone.now()
    offers = []
    for candidate in newcomers:
        decision, _created = Decision.objects.select_for_update().get_or_create(
            application=candidate.application,
            defaults={"outcome": Outcome.WAITLISTED, "decided_by": user},
        )
        previous = decision.outcome
        decision.outcome = Outcome.ACCEPTED
        decision.waitlist_position = None
        decision.proposal = proposal
        decision.proposed_outcome = Outcome.ACCEPTED
        decision.change_reason = ""
        decision.decided_by = user
        decision.decided_at = now
        decision.response = ""
        decision.responded_at = None
        decision.save()
        _send(decision, candidate.application, now)
        offers.append(decision)
        audit_record(
            actor=user,
            action="selection.replacement_offered",
            target=candidate.application,
            summary=candidate.application.startup.name,
            data={"from": previous, "proposal": proposal.pk},
        )
    # The rest of the waitlist moves up in the replacement's order.
    for candidate in proposal.candidates.filter(outcome=Outcome.WAITLISTED):
        Decision.objects.filter(
            application_id=candidate.application_id, outcome=Outcome.WAITLISTED
        ).update(waitlist_position=candidate.waitlist_position)
    proposal.state = ProposalState.CONFIRMED
    proposal.confirmed_at = now
    proposal.confirmed_by = user
    proposal.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    return offers


__all__ = [
    "SelectionError",
    "decisions_record",
    "decisions_send",
    "mark_clear",
    "mark_set",
    "offer_confirm",
    "offer_decline",
    "offers_lapse",
    "proposal_compute",
    "proposal_request",
    "replacement_confirm",
    "selection_settings_update",
    "shortlist_set",
]
