"""The programme manager's selection screens and the founder's answer to an offer.

Staff views go through `programmes.permissions.staff_required` and then this app's
object-level predicates; views validate input and call `services`.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nurture.applications.models import Application
from nurture.core.permissions import require
from nurture.programmes.models import Cohort, Sector
from nurture.programmes.permissions import staff_required
from nurture.reviewers.models import ReviewRound

from . import explain, selectors, services
from .forms import CLEAR, MarkForm, OfferResponseForm, SelectionSettingsForm
from .models import (
    Decision,
    Mark,
    OfferResponse,
    Outcome,
    Proposal,
    ProposalKind,
    ProposalState,
    SectorCap,
)
from .permissions import can_answer_offer, can_calibrate, can_decide, can_select


def _cohort(pk) -> Cohort:
    return get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)


def _report(request, error: services.SelectionError) -> None:
    messages.error(request, error.message)


def _constraints(cohort: Cohort) -> dict:
    programme = cohort.programme
    settings = selectors.selection_settings(cohort)
    names = {s.pk: s.display_name for s in Sector.objects.all()}
    caps = sorted(
        (names.get(sector_id, sector_id), cap)
        for sector_id, cap in selectors.sector_caps(cohort).items()
    )
    return {
        "size_min": programme.min_startups_per_cohort,
        "size_max": min(programme.max_startups_per_cohort, cohort.capacity),
        "yearly_cap": programme.yearly_cap,
        "admitted_elsewhere": selectors.admitted_elsewhere_this_year(cohort),
        "remaining": selectors.remaining_places(cohort),
        "pool": selectors.funding_pool(cohort, settings),
        "seed": selectors.seed_per_startup(programme),
        "caps": caps,
        "settings": settings,
    }


@staff_required
@require_GET
def cohort_selection(request, pk):
    cohort = _cohort(pk)
    require(can_select(request.user, cohort))
    scoring_round = selectors.scoring_round(cohort)
    calibration = selectors.round_calibration(scoring_round) if scoring_round else None
    ranked = calibration.by_application if calibration else {}
    applications = list(
        Application.objects.filter(cohort=cohort, state__in=services.CANDIDATE_STATES)
        .select_related("startup", "sector", "selection_mark")
        .order_by("startup__name")
    )
    rows = sorted(
        (
            {"application": a, "calibration": ranked.get(a.pk), "mark": _mark(a)}
            for a in applications
        ),
        key=lambda row: (
            row["calibration"] is None,
            row["calibration"].rank if row["calibration"] else 0,
            row["application"].startup.name,
        ),
    )
    proposals = list(cohort.proposals.select_related("requested_by", "replaces__startup")[:10])
    decisions = Decision.objects.filter(application__cohort=cohort).aggregate(
        recorded=Count("pk"),
        unsent=Count("pk", filter=Q(sent_at__isnull=True)),
        confirmed=Count("pk", filter=Q(response=OfferResponse.CONFIRMED)),
        pending=Count("pk", filter=Q(response=OfferResponse.PENDING)),
    )
    return render(
        request,
        "selection/cohort.html",
        {
            "cohort": cohort,
            "rounds": list(ReviewRound.objects.filter(cohort=cohort).order_by("kind")),
            "scoring_round": scoring_round,
            "rows": rows,
            "proposals": proposals,
            "decisions": decisions,
            "offers": list(selectors.cohort_decisions(cohort).filter(outcome=Outcome.ACCEPTED)),
            "mark_form": MarkForm(applications=_markable(cohort)),
            "sent": Decision.objects.filter(
                application__cohort=cohort, sent_at__isnull=False
            ).exists(),
            **_constraints(cohort),
        },
    )


def _mark(application) -> Mark | None:
    try:
        return application.selection_mark
    except Mark.DoesNotExist:
        return None


@staff_required
@require_http_methods(["GET", "POST"])
def settings_edit(request, pk):
    cohort = _cohort(pk)
    require(can_select(request.user, cohort))
    instance = selectors.selection_settings(cohort)
    caps = dict(SectorCap.objects.filter(cohort=cohort).values_list("sector_id", "cap"))
    form = SelectionSettingsForm(
        request.POST or None,
        instance=instance,
        caps=caps,
        programme_caps=selectors.programme_sector_caps(cohort.programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.selection_settings_update(
                user=request.user,
                cohort=cohort,
                data=form.settings_data(),
                caps=form.caps(),
                programme_caps=form.programme_caps(),
            )
        except services.SelectionError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The selection settings are saved."))
            return redirect("selection:cohort", pk=cohort.pk)
    return render(
        request,
        "selection/settings.html",
        {"cohort": cohort, "form": form, **_constraints(cohort)},
    )


@staff_required
@require_POST
def shortlist(request, pk):
    cohort = _cohort(pk)
    require(can_select(request.user, cohort))
    try:
        ids = {int(value) for value in request.POST.getlist("application")}
    except ValueError:
        messages.error(request, _("The shortlist holds an unknown application."))
        return redirect("selection:cohort", pk=cohort.pk)
    try:
        size = services.shortlist_set(user=request.user, cohort=cohort, application_ids=ids)
    except services.SelectionError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "The shortlist holds %(n)d application.",
                "The shortlist holds %(n)d applications.",
                size,
            )
            % {"n": size},
        )
    return redirect("selection:cohort", pk=cohort.pk)


@staff_required
@require_POST
def mark(request, pk):
    cohort = _cohort(pk)
    require(can_select(request.user, cohort))
    form = MarkForm(request.POST, applications=_markable(cohort))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        application = form.cleaned_data["application"]
        try:
            if form.cleaned_data["kind"] == CLEAR:
                services.mark_clear(user=request.user, application=application)
            else:
                services.mark_set(
                    user=request.user,
                    application=application,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                )
        except services.SelectionError as error:
            _report(request, error)
        else:
            messages.success(
                request,
                _("The mark on %(startup)s is saved.") % {"startup": application.startup.name},
            )
    return redirect("selection:cohort", pk=cohort.pk)


def _markable(cohort: Cohort):
    return (
        Application.objects.filter(cohort=cohort, state__in=services.CANDIDATE_STATES)
        .select_related("startup")
        .order_by("startup__name")
    )


@staff_required
@require_POST
def proposal_run(request, pk):
    cohort = _cohort(pk)
    require(can_select(request.user, cohort))
    try:
        proposal = services.proposal_request(user=request.user, cohort=cohort)
    except services.SelectionError as error:
        _report(request, error)
        return redirect("selection:cohort", pk=cohort.pk)
    return redirect("selection:proposal", pk=proposal.pk)


@staff_required
@require_GET
def calibration(request, pk):
    review_round = get_object_or_404(ReviewRound.objects.select_related("cohort__programme"), pk=pk)
    require(can_calibrate(request.user, review_round.cohort))
    result = selectors.round_calibration(review_round)
    return render(
        request,
        "selection/calibration.html",
        {"round": review_round, "cohort": review_round.cohort, "result": result},
    )


@staff_required
@require_GET
def proposal_detail(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.select_related("cohort__programme", "replaces__startup"), pk=pk
    )
    cohort = proposal.cohort
    require(can_select(request.user, cohort))
    candidates = list(
        proposal.candidates.select_related(
            "application__startup", "application__sector", "application__decision"
        )
    )
    decided = {d.application_id: d for d in Decision.objects.filter(application__cohort=cohort)}
    for candidate in candidates:
        candidate.reason_label = explain.reason_label(candidate.reason)
        candidate.decision = decided.get(candidate.application_id)
        candidate.bar = round(100 * (candidate.probability or 0))
    groups = [
        (
            Outcome.ACCEPTED,
            _("Proposed for a place"),
            [c for c in candidates if c.outcome == "accepted"],
        ),
        (
            Outcome.WAITLISTED,
            _("Waiting list, in order"),
            sorted(
                (c for c in candidates if c.outcome == "waitlisted"),
                key=lambda c: c.waitlist_position or 0,
            ),
        ),
        (Outcome.REJECTED, _("Not selected"), [c for c in candidates if c.outcome == "rejected"]),
    ]
    sector_names = {str(s.pk): s.display_name for s in Sector.objects.all()}
    sent = Decision.objects.filter(application__cohort=cohort, sent_at__isnull=False).exists()
    return render(
        request,
        "selection/proposal.html",
        {
            "proposal": proposal,
            "cohort": cohort,
            "groups": groups,
            "outcomes": Outcome.choices,
            "binding": explain.binding_labels(proposal.binding, sector_names),
            "pool": Decimal(str(proposal.parameters.get("pool") or 0)),
            "caps": {
                sector_names.get(key, key): cap
                for key, cap in (proposal.parameters.get("sector_caps") or {}).items()
            },
            "sent": sent,
            "can_decide": (
                proposal.kind == ProposalKind.COHORT
                and proposal.state in (ProposalState.DONE, ProposalState.CONFIRMED)
                and not sent
                and can_decide(request.user, cohort)
            ),
            "newcomers": [
                c
                for c in candidates
                if c.outcome == Outcome.ACCEPTED and c.application.state != "accepted"
            ],
        },
    )


@staff_required
@require_POST
def decide(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("cohort"), pk=pk)
    require(can_decide(request.user, proposal.cohort))
    outcomes, reasons = {}, {}
    for key, value in request.POST.items():
        if key.startswith("outcome_") or key.startswith("reason_"):
            prefix, _sep, raw = key.partition("_")
            try:
                application_id = int(raw)
            except ValueError:
                messages.error(request, _("The decisions hold an unknown application."))
                return redirect("selection:proposal", pk=proposal.pk)
            (outcomes if prefix == "outcome" else reasons)[application_id] = value
    try:
        services.decisions_record(
            user=request.user, proposal=proposal, outcomes=outcomes, reasons=reasons
        )
    except services.SelectionError as error:
        _report(request, error)
        return redirect("selection:proposal", pk=proposal.pk)
    messages.success(
        request,
        _("The decisions are recorded. Send them when the committee is ready."),
    )
    return redirect("selection:cohort", pk=proposal.cohort_id)


@staff_required
@require_POST
def decisions_send(request, pk):
    cohort = _cohort(pk)
    require(can_decide(request.user, cohort))
    try:
        sent = services.decisions_send(user=request.user, cohort=cohort)
    except services.SelectionError as error:
        _report(request, error)
    else:
        if sent:
            messages.success(
                request,
                ngettext(
                    "%(n)d decision sent to the founders.",
                    "%(n)d decisions sent to the founders.",
                    sent,
                )
                % {"n": sent},
            )
        else:
            messages.info(request, _("There were no decisions left to send."))
    return redirect("selection:cohort", pk=cohort.pk)


@staff_required
@require_POST
def replacement_confirm(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("cohort"), pk=pk)
    require(can_decide(request.user, proposal.cohort))
    try:
        offers = services.replacement_confirm(user=request.user, proposal=proposal)
    except services.SelectionError as error:
        _report(request, error)
        return redirect("selection:proposal", pk=proposal.pk)
    messages.success(
        request,
        ngettext("%(n)d offer sent.", "%(n)d offers sent.", len(offers)) % {"n": len(offers)},
    )
    return redirect("selection:cohort", pk=proposal.cohort_id)


@login_required
@require_POST
def offer_respond(request, pk):
    application = get_object_or_404(Application.objects.select_related("startup"), pk=pk)
    decision = Decision.objects.filter(application=application).first()
    if decision is None or not can_answer_offer(request.user, decision):
        raise PermissionDenied
    form = OfferResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to confirm or decline the place."))
        return redirect("applications:detail", pk=application.pk)
    try:
        if form.cleaned_data["action"] == "confirm":
            services.offer_confirm(user=request.user, decision=decision)
            messages.success(request, _("Your place is confirmed. Welcome to the programme."))
        else:
            services.offer_decline(user=request.user, decision=decision)
            messages.info(request, _("You declined the place. Thank you for telling us."))
    except services.SelectionError as error:
        _report(request, error)
    return redirect("applications:detail", pk=application.pk)
