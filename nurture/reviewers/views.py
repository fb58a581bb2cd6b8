"""Reviewers' pages (profile, bidding, conflicts, assignments) and the programme manager's
(reviewer profiles, conflicts, review rounds, the assignment run and its changes by hand).

Reviewer pages list applications only through `permissions` (never one of a conflicted
startup); manager pages are for programme staff (`staff_required`, then a predicate)."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nurture.accounts.models import User
from nurture.applications.models import Application
from nurture.core.permissions import require
from nurture.programmes.models import Cohort
from nurture.programmes.permissions import staff_required

from . import services
from .forms import (
    BidFilterForm,
    BidForm,
    ConflictDeclareForm,
    InviteForm,
    LiftForm,
    PairForm,
    PanelRoundForm,
    ProfileForm,
    RoundForm,
    StaffConflictForm,
    StaffProfileForm,
)
from .models import (
    Assignment,
    AssignmentRun,
    Bid,
    BidValue,
    Conflict,
    ReviewerProfile,
    ReviewRound,
    RoundKind,
    RoundState,
    RunState,
)
from .permissions import (
    biddable_applications,
    bidding_rounds,
    can_manage_reviews,
    reviewer_required,
    visible_assignments,
)

SUMMARY_CHARS = 400


def _error_to_form(form, error: services.ReviewerError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _partial(request, template: str, fragment: str, context: dict) -> HttpResponse:
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, fragment if partial else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Reviewer: profile ------------------------------------------------------------------------


@reviewer_required
@require_http_methods(["GET", "POST"])
def profile(request):
    instance = services.profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=request.user,
                profile=instance,
                data=form.data_for_service(),
                sectors=form.cleaned_data["sectors"],
            )
        except services.ReviewerError as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("Your reviewer profile is saved."))
            return redirect("reviewers:profile")
    # The reviewer learns how many conflicts count, not which startups the automatic rules
    # found: that would tell them who applied.
    n_conflicts = Conflict.objects.filter(reviewer=request.user, lifted_at__isnull=True).count()
    return render(
        request, "reviewers/profile.html", {"form": form, "n_conflicts": n_conflicts, "own": True}
    )


# --- Reviewer: bidding ------------------------------------------------------------------------


@reviewer_required
@require_GET
def bidding(request):
    rounds = list(bidding_rounds(request.user).select_related("cohort").order_by("-created_at"))
    if len(rounds) == 1:
        return redirect("reviewers:bids", pk=rounds[0].pk)
    return render(request, "reviewers/bidding.html", {"rounds": rounds})


def _bidding_round(request, pk) -> ReviewRound:
    review_round = bidding_rounds(request.user).select_related("cohort").filter(pk=pk).first()
    if review_round is None:
        raise Http404
    return review_round


def _bid_rows(user, review_round, applications):
    bids = dict(
        Bid.objects.filter(reviewer=user, application__in=applications).values_list(
            "application_id", "value"
        )
    )
    return [
        {
            "application": a,
            "bid": bids.get(a.pk, ""),
            "summary": (a.product_description or "")[:SUMMARY_CHARS],
            "ai": (a.ai_description or "")[:SUMMARY_CHARS],
        }
        for a in applications
    ]


@reviewer_required
@require_GET
def bids(request, pk):
    review_round = _bidding_round(request, pk)
    form = BidFilterForm(request.GET or None)
    applications = biddable_applications(request.user, review_round).select_related(
        "startup", "sector"
    )
    if form.is_valid():
        q = form.cleaned_data.get("q")
        if q:
            applications = applications.filter(
                Q(startup__name__icontains=q)
                | Q(product_description__icontains=q)
                | Q(ai_description__icontains=q)
            )
        if form.cleaned_data.get("sector"):
            applications = applications.filter(sector=form.cleaned_data["sector"])
    applications = list(applications.order_by("startup__name", "pk"))
    context = {
        "round": review_round,
        "form": form,
        "rows": _bid_rows(request.user, review_round, applications),
        "bid_choices": BidValue.choices,
        "bidding_open": services.bidding_open(review_round),
    }
    return _partial(request, "reviewers/bids.html", "reviewers/_bid_table.html", context)


@reviewer_required
@require_POST
def bid(request, pk, application_pk):
    review_round = _bidding_round(request, pk)
    application = (
        biddable_applications(request.user, review_round)
        .select_related("startup", "sector")
        .filter(pk=application_pk)
        .first()
    )
    if application is None:
        raise Http404
    form = BidForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose eager, willing or not willing."), status=400)
    try:
        services.bid_set(
            user=request.user,
            review_round=review_round,
            application=application,
            value=form.cleaned_data["value"],
        )
    except services.ReviewerError as error:
        if request.htmx:
            return HttpResponse(error.message, status=409)
        messages.error(request, error.message)
        return redirect("reviewers:bids", pk=review_round.pk)
    if request.htmx:
        row = _bid_rows(request.user, review_round, [application])[0]
        return render(
            request,
            "reviewers/_bid_row.html",
            {
                "round": review_round,
                "row": row,
                "bid_choices": BidValue.choices,
                "bidding_open": True,
                "saved": True,
            },
        )
    messages.success(request, _("Your bid is saved."))
    return redirect(reverse("reviewers:bids", args=[review_round.pk]) + f"#a{application.pk}")


@reviewer_required
@require_http_methods(["GET", "POST"])
def declare(request, pk, application_pk):
    review_round = _bidding_round(request, pk)
    application = (
        biddable_applications(request.user, review_round)
        .select_related("startup", "sector")
        .filter(pk=application_pk)
        .first()
    )
    if application is None:
        raise Http404
    form = ConflictDeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(
                user=request.user,
                reviewer=request.user,
                startup=application.startup,
                reason=form.cleaned_data["reason"],
            )
        except services.ReviewerError as error:
            _error_to_form(form, error)
        else:
            messages.success(
                request,
                _("Conflict declared: %(startup)s no longer appears to you.")
                % {"startup": application.startup.name},
            )
            return redirect("reviewers:bids", pk=review_round.pk)
    return render(
        request,
        "reviewers/declare.html",
        {"round": review_round, "application": application, "form": form},
    )


# --- Reviewer: assignments --------------------------------------------------------------------


@reviewer_required
@require_http_methods(["GET", "POST"])
def declare_assigned(request, pk):
    """A conflict found after assignment: the pair goes, and programme staff see the gap."""
    assignment = (
        visible_assignments(request.user)
        .select_related("application__startup", "round__cohort")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    application = assignment.application
    form = ConflictDeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(
                user=request.user,
                reviewer=request.user,
                startup=application.startup,
                reason=form.cleaned_data["reason"],
            )
        except services.ReviewerError as error:
            _error_to_form(form, error)
        else:
            messages.success(
                request,
                _("Conflict declared: %(startup)s no longer appears to you.")
                % {"startup": application.startup.name},
            )
            return redirect("reviewers:assigned")
    return render(
        request,
        "reviewers/declare.html",
        {"round": assignment.round, "application": application, "form": form, "assigned": True},
    )


@reviewer_required
@require_GET
def assigned(request):
    form = BidFilterForm(request.GET or None)
    assignments = visible_assignments(request.user).select_related(
        "application__startup", "application__sector", "round__cohort"
    )
    if form.is_valid():
        q = form.cleaned_data.get("q")
        if q:
            assignments = assignments.filter(
                Q(application__startup__name__icontains=q)
                | Q(application__product_description__icontains=q)
            )
        if form.cleaned_data.get("sector"):
            assignments = assignments.filter(application__sector=form.cleaned_data["sector"])
    assignments = assignments.order_by("-round__published_at", "application__startup__name")
    return render(request, "reviewers/assigned.html", {"assignments": assignments, "form": form})


# --- Manager: reviewer profiles ---------------------------------------------------------------


@staff_required
@require_GET
def manage_list(request):
    require(can_manage_reviews(request.user))
    profiles = (
        ReviewerProfile.objects.select_related("user")
        .prefetch_related("sectors")
        .annotate(
            n_conflicts=Count(
                "user__conflicts", filter=Q(user__conflicts__lifted_at__isnull=True), distinct=True
            )
        )
        .order_by("-active", "user__full_name")
    )
    without_profile = User.objects.filter(role="reviewer", reviewer_profile__isnull=True)
    return render(
        request,
        "reviewers/manage_list.html",
        {"profiles": profiles, "without_profile": without_profile},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def manage_invite(request):
    require(can_manage_reviews(request.user))
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.reviewer_invite(user=request.user, **form.cleaned_data)
        except services.ReviewerError as error:
            _error_to_form(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is added to the advisory board and receives a link to sign in.")
                % {"name": profile.user},
            )
            return redirect("reviewers:manage_edit", pk=profile.pk)
    return render(request, "reviewers/manage_invite.html", {"form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, pk):
    profile = get_object_or_404(ReviewerProfile.objects.select_related("user"), pk=pk)
    require(can_manage_reviews(request.user))
    form = StaffProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=request.user,
                profile=profile,
                data=form.data_for_service(),
                sectors=form.cleaned_data["sectors"],
                holdings=form.cleaned_data["holdings"],
            )
        except services.ReviewerError as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("The reviewer profile is saved."))
            return redirect("reviewers:manage_edit", pk=profile.pk)
    conflicts = (
        Conflict.objects.filter(reviewer=profile.user)
        .select_related("startup", "lifted_by", "declared_by")
        .order_by("lifted_at", "startup__name")
    )
    return render(
        request,
        "reviewers/profile.html",
        {"form": form, "profile": profile, "conflicts": conflicts, "own": False},
    )


@staff_required
@require_POST
def manage_active(request, pk):
    profile = get_object_or_404(ReviewerProfile.objects.select_related("user"), pk=pk)
    require(can_manage_reviews(request.user))
    active = request.POST.get("active") == "1"
    services.profile_set_active(user=request.user, profile=profile, active=active)
    if active:
        messages.success(request, _("%(name)s is active again.") % {"name": profile.user})
    else:
        messages.success(
            request,
            _("%(name)s is deactivated and takes no new assignment.") % {"name": profile.user},
        )
    return redirect("reviewers:manage_list")


# --- Manager: conflicts -----------------------------------------------------------------------


@staff_required
@require_GET
def conflict_list(request):
    require(can_manage_reviews(request.user))
    show = request.GET.get("show", "active")
    conflicts = Conflict.objects.select_related("reviewer", "startup", "declared_by", "lifted_by")
    if show == "active":
        conflicts = conflicts.filter(lifted_at__isnull=True)
    elif show == "lifted":
        conflicts = conflicts.filter(lifted_at__isnull=False)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        conflicts = conflicts.filter(
            Q(reviewer__full_name__icontains=q)
            | Q(reviewer__email__icontains=q)
            | Q(startup__name__icontains=q)
        )
    conflicts = conflicts.order_by("startup__name", "reviewer__full_name")[:500]
    return render(
        request,
        "reviewers/conflict_list.html",
        {"conflicts": conflicts, "show": show, "q": q, "lift_form": LiftForm()},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def conflict_create(request):
    require(can_manage_reviews(request.user))
    form = StaffConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(
                user=request.user,
                reviewer=form.cleaned_data["reviewer"],
                startup=form.cleaned_data["startup"],
                reason=form.cleaned_data["reason"],
            )
        except services.ReviewerError as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("The conflict of interest is recorded."))
            return redirect("reviewers:conflict_list")
    return render(request, "reviewers/conflict_form.html", {"form": form})


@staff_required
@require_POST
def conflict_lift(request, pk):
    conflict = get_object_or_404(Conflict, pk=pk)
    require(can_manage_reviews(request.user))
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the conflict no longer applies."))
        return redirect("reviewers:conflict_list")
    try:
        services.conflict_lift(
            user=request.user, conflict=conflict, reason=form.cleaned_data["reason"]
        )
    except services.ReviewerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The conflict is lifted."))
    return redirect("reviewers:conflict_list")


# --- Manager: rounds --------------------------------------------------------------------------


@staff_required
@require_GET
def cohort_rounds(request, pk):
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    require(can_manage_reviews(request.user))
    rounds = {r.kind: r for r in cohort.review_rounds.annotate(n_pairs=Count("assignments"))}
    return render(
        request,
        "reviewers/cohort_rounds.html",
        {
            "cohort": cohort,
            "written": rounds.get(RoundKind.WRITTEN),
            "panel": rounds.get(RoundKind.PANEL),
            "n_submitted": services.round_applications(
                ReviewRound(cohort=cohort, kind=RoundKind.WRITTEN)
            ).count(),
        },
    )


def _round_form(kind, *args, **kwargs):
    return (PanelRoundForm if kind == RoundKind.PANEL else RoundForm)(*args, **kwargs)


def _round_data(form) -> dict:
    return {n: v for n, v in form.cleaned_data.items() if n in services.ROUND_FIELDS}


@staff_required
@require_http_methods(["GET", "POST"])
def round_create(request, pk, kind):
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    require(can_manage_reviews(request.user))
    if kind not in RoundKind.values:
        raise Http404
    form = _round_form(kind, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_round = services.round_create(
                user=request.user,
                cohort=cohort,
                kind=kind,
                data=_round_data(form),
                panel=form.cleaned_data.get("panel", ()),
            )
        except services.ReviewerError as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("The round is created."))
            return redirect("reviewers:round_detail", pk=review_round.pk)
    return render(
        request,
        "reviewers/round_form.html",
        {
            "form": form,
            "cohort": cohort,
            "kind": kind,
            "round": None,
            "kind_label": RoundKind(kind).label,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def round_edit(request, pk):
    review_round = get_object_or_404(ReviewRound.objects.select_related("cohort"), pk=pk)
    require(can_manage_reviews(request.user))
    form = _round_form(review_round.kind, request.POST or None, instance=review_round)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(
                user=request.user,
                review_round=ReviewRound.objects.get(pk=review_round.pk),
                data=_round_data(form),
                panel=form.cleaned_data.get("panel"),
            )
        except services.ReviewerError as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("The round is saved."))
            return redirect("reviewers:round_detail", pk=review_round.pk)
    return render(
        request,
        "reviewers/round_form.html",
        {
            "form": form,
            "cohort": review_round.cohort,
            "kind": review_round.kind,
            "round": review_round,
            "kind_label": review_round.get_kind_display(),
        },
    )


def _round_context(review_round: ReviewRound) -> dict:
    applications = list(
        services.round_applications(review_round)
        .select_related("startup", "sector")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(round=review_round)
                .select_related("reviewer")
                .order_by("-affinity"),
                to_attr="pairs",
            )
        )
        .order_by("startup__name")
    )
    profiles = {p.user_id: p for p in services.round_reviewers(review_round)}
    loads = dict(review_round.assignments.values_list("reviewer_id").annotate(n=Count("pk")))
    reviewers = [
        {
            "user": p.user,
            "load": loads.get(uid, 0),
            "capacity": services.reviewer_capacity(review_round, p),
        }
        for uid, p in profiles.items()
    ]
    reviewers.sort(key=lambda r: (-r["load"], str(r["user"])))
    run = review_round.runs.first()
    return {
        "round": review_round,
        "applications": applications,
        "reviewers": reviewers,
        "run": run,
        "pair_form": PairForm(),
        "k": review_round.reviewers_per_application,
        "shortfalls": services.round_shortfalls(review_round)
        if review_round.state == RoundState.ASSIGNED
        else [],
        "editable": review_round.state in services.EDITABLE_ROUND_STATES,
        "n_pairs": sum(len(a.pairs) for a in applications),
    }


@staff_required
@require_GET
def round_detail(request, pk):
    review_round = get_object_or_404(ReviewRound.objects.select_related("cohort__programme"), pk=pk)
    require(can_manage_reviews(request.user))
    return render(request, "reviewers/round_detail.html", _round_context(review_round))


@staff_required
@require_POST
def run_start(request, pk):
    review_round = get_object_or_404(ReviewRound, pk=pk)
    require(can_manage_reviews(request.user))
    try:
        run = services.assignment_run_start(user=request.user, review_round=review_round)
    except services.ReviewerError as error:
        messages.error(request, error.message)
        return redirect("reviewers:round_detail", pk=review_round.pk)
    run.refresh_from_db()
    if run.state == RunState.DONE:
        messages.success(request, _("The assignment is ready: check it, change pairs, publish."))
    elif run.state == RunState.INFEASIBLE:
        messages.error(request, _("No assignment is possible; the reasons are below."))
    return redirect("reviewers:round_detail", pk=review_round.pk)


@staff_required
@require_GET
def run_detail(request, pk):
    run = get_object_or_404(AssignmentRun.objects.select_related("round__cohort"), pk=pk)
    require(can_manage_reviews(request.user))
    finished = run.state not in (RunState.QUEUED, RunState.RUNNING)
    if request.htmx and finished and request.GET.get("poll"):
        # The run ended while the page polled: reload it to show the result.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _partial(
        request,
        "reviewers/run_detail.html",
        "reviewers/_run.html",
        {"run": run, "round": run.round},
    )


def _back_to_round(review_round, application=None):
    url = reverse("reviewers:round_detail", args=[review_round.pk])
    return redirect(f"{url}#a{application.pk}" if application else url)


@staff_required
@require_POST
def pair_add(request, pk, application_pk):
    review_round = get_object_or_404(ReviewRound, pk=pk)
    require(can_manage_reviews(request.user))
    application = get_object_or_404(
        Application.objects.select_related("startup"), pk=application_pk
    )
    form = PairForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reviewer."))
        return _back_to_round(review_round, application)
    try:
        services.assignment_add(
            user=request.user,
            review_round=review_round,
            application=application,
            reviewer=form.cleaned_data["reviewer"],
        )
    except services.ReviewerError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s now reviews %(startup)s.")
            % {"name": form.cleaned_data["reviewer"], "startup": application.startup.name},
        )
    return _back_to_round(review_round, application)


@staff_required
@require_POST
def pair_remove(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("round", "application__startup", "reviewer"), pk=pk
    )
    require(can_manage_reviews(request.user))
    try:
        services.assignment_remove(user=request.user, assignment=assignment)
    except services.ReviewerError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s no longer reviews %(startup)s.")
            % {"name": assignment.reviewer, "startup": assignment.application.startup.name},
        )
    return _back_to_round(assignment.round, assignment.application)


@staff_required
@require_POST
def pair_swap(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("round", "application__startup", "reviewer"), pk=pk
    )
    require(can_manage_reviews(request.user))
    form = PairForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reviewer."))
        return _back_to_round(assignment.round, assignment.application)
    previous = assignment.reviewer
    try:
        services.assignment_swap(
            user=request.user, assignment=assignment, reviewer=form.cleaned_data["reviewer"]
        )
    except services.ReviewerError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(new)s reviews %(startup)s instead of %(old)s.")
            % {
                "new": form.cleaned_data["reviewer"],
                "startup": assignment.application.startup.name,
                "old": previous,
            },
        )
    return _back_to_round(assignment.round, assignment.application)


@staff_required
@require_POST
def round_publish(request, pk):
    review_round = get_object_or_404(ReviewRound, pk=pk)
    require(can_manage_reviews(request.user))
    try:
        services.round_publish(user=request.user, review_round=review_round)
    except services.ReviewerError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The assignment is published; the reviewers are told by e-mail.")
        )
    return redirect("reviewers:round_detail", pk=review_round.pk)


@staff_required
@require_POST
def panel_assign(request, pk):
    review_round = get_object_or_404(ReviewRound, pk=pk)
    require(can_manage_reviews(request.user))
    try:
        n = services.panel_assign(user=request.user, review_round=review_round)
    except services.ReviewerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(n)d pairs assigned to the panel.") % {"n": n})
    return redirect("reviewers:round_detail", pk=review_round.pk)
