"""Seed funding screens: founders' schedule, staff's schedules and requests, finance's decisions.

Every view asks `permissions` before it reads an object's data; writes go through `services`,
which check again (four eyes included) inside their transaction.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nurture.accounts.reauth import recent_auth_required
from nurture.applications.models import Application
from nurture.core.permissions import require, role_required
from nurture.programmes.models import Cohort, Programme

from . import selectors, services
from .forms import ApproveForm, DisbursementRequestForm, RejectForm, TrancheRuleFormSet
from .models import Disbursement, DisbursementStatus, Tranche, TrancheRule
from .permissions import (
    can_decide_disbursement,
    can_draw_up_schedules,
    can_edit_tranche_rules,
    can_oversee_funding,
    can_request_disbursement,
    can_view_bank_details,
    can_view_disbursement,
    can_view_schedule,
    is_finance_approver,
    is_programme_staff,
)


def _report(request, error: services.FundingError, form=None) -> None:
    if form is not None and error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        messages.error(request, error.message)


# --- Founders -------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    """The seed funding of the signed-in founder's admitted startups."""
    return render(
        request, "funding/mine.html", {"applications": selectors.admitted_of_user(request.user)}
    )


@login_required
@require_GET
def schedule(request, pk):
    application = get_object_or_404(
        Application.objects.select_related("startup", "cohort__programme"), pk=pk
    )
    require(can_view_schedule(request.user, application))
    tranches = selectors.schedule(application)
    return render(
        request,
        "funding/schedule.html",
        {
            "application": application,
            "tranches": tranches,
            "totals": selectors.schedule_totals(tranches),
            "can_request": can_request_disbursement(request.user),
            "can_draw_up": can_draw_up_schedules(request.user) and not tranches,
        },
    )


# --- Staff and finance ----------------------------------------------------------------------


@role_required(can_oversee_funding)
@require_GET
def overview(request):
    cohorts = list(Cohort.objects.select_related("programme").order_by("-starts_on")[:12])
    return render(
        request,
        "funding/overview.html",
        {
            "cohorts": cohorts,
            "queue": selectors.approval_queue(request.user),
            "programmes": Programme.objects.order_by("name"),
            "is_staff": is_programme_staff(request.user),
        },
    )


@role_required(can_oversee_funding)
@require_GET
def cohort(request, pk):
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    return render(
        request,
        "funding/cohort.html",
        {
            "cohort": cohort,
            "applications": selectors.cohort_schedules(cohort),
            "can_draw_up": can_draw_up_schedules(request.user, cohort),
        },
    )


@role_required(can_draw_up_schedules)
@require_POST
def schedules_create(request, pk):
    cohort = get_object_or_404(Cohort, pk=pk)
    try:
        made = services.cohort_schedules_create(cohort=cohort, actor=request.user)
    except services.FundingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Schedules drawn up: %(count)d.") % {"count": made}
            if made
            else _("Every admitted startup already has its schedule."),
        )
    return redirect("funding:cohort", pk=cohort.pk)


@role_required(can_edit_tranche_rules)
@require_http_methods(["GET", "POST"])
def rules(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    require(can_edit_tranche_rules(request.user, programme))
    queryset = TrancheRule.objects.filter(programme=programme).order_by("position")
    formset = TrancheRuleFormSet(
        request.POST if request.method == "POST" else None, queryset=queryset, prefix="tranches"
    )
    if request.method == "POST" and formset.is_valid():
        lines = [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.tranche_rules_update(programme=programme, actor=request.user, rules=lines)
        except services.FundingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The tranches are saved."))
            return redirect("funding:rules", pk=programme.pk)
    total = sum((rule.percent for rule in queryset), Decimal(0))
    return render(
        request,
        "funding/rules.html",
        {"programme": programme, "formset": formset, "total": total},
    )


@role_required(can_oversee_funding)
@require_GET
def disbursement_list(request):
    status = request.GET.get("status") or ""
    if status not in DisbursementStatus.values:
        status = ""
    return render(
        request,
        "funding/disbursement_list.html",
        {
            "disbursements": selectors.disbursements(status or None)[:200],
            "status": status,
            "statuses": DisbursementStatus.choices,
        },
    )


@role_required(can_request_disbursement)
@require_http_methods(["GET", "POST"])
def disbursement_create(request, pk):
    tranche = get_object_or_404(
        Tranche.objects.select_related("application__startup", "application__cohort"), pk=pk
    )
    require(can_request_disbursement(request.user, tranche))
    initial = {}
    previous = (
        Disbursement.objects.filter(tranche__application__startup=tranche.application.startup)
        .order_by("-requested_at")
        .first()
    )
    if previous is not None:
        initial = {
            "bank_account_name": previous.bank_account_name,
            "bank_name": previous.bank_name,
            "bank_account_number": previous.bank_account_number,
        }
    form = DisbursementRequestForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            disbursement = services.disbursement_request(
                tranche=tranche, actor=request.user, **form.cleaned_data
            )
        except services.FundingError as error:
            _report(request, error, form)
        else:
            messages.success(
                request, _("The request is sent to finance for a second person's approval.")
            )
            return redirect("funding:disbursement_detail", pk=disbursement.pk)
    live = tranche.disbursements.exclude(status=DisbursementStatus.REJECTED).first()
    return render(
        request,
        "funding/disbursement_form.html",
        {"tranche": tranche, "form": form, "live": live},
    )


def _disbursement(user, pk) -> Disbursement:
    disbursement = get_object_or_404(
        Disbursement.objects.select_related(
            "tranche__application__startup",
            "tranche__application__cohort",
            "requested_by",
            "decided_by",
            "ledger_transaction",
        ),
        pk=pk,
    )
    require(can_view_disbursement(user, disbursement))
    return disbursement


@login_required
@require_GET
def disbursement_detail(request, pk):
    disbursement = _disbursement(request.user, pk)
    return _detail(request, disbursement)


def _detail(request, disbursement, approve_form=None, reject_form=None, status=200):
    return render(
        request,
        "funding/disbursement_detail.html",
        {
            "d": disbursement,
            "show_bank": can_view_bank_details(request.user, disbursement),
            "can_decide": can_decide_disbursement(request.user, disbursement),
            "own_request": disbursement.requested_by_id == request.user.pk,
            "is_finance": is_finance_approver(request.user),
            "approve_form": approve_form or ApproveForm(),
            "reject_form": reject_form or RejectForm(),
        },
        status=status,
    )


def _decide(request, pk, form_class, act):
    disbursement = _disbursement(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        kwargs = {"approve_form" if form_class is ApproveForm else "reject_form": form}
        return _detail(request, disbursement, status=422, **kwargs)
    try:
        act(disbursement, form.cleaned_data)
    except services.FundingError as error:
        messages.error(request, error.message)
    return redirect("funding:disbursement_detail", pk=disbursement.pk)


@role_required(is_finance_approver)
@recent_auth_required
@require_POST
def disbursement_approve(request, pk):
    def act(disbursement, data):
        services.disbursement_approve(
            disbursement=disbursement,
            actor=request.user,
            payment_reference=data["payment_reference"],
        )
        messages.success(request, _("Approved: the tranche is recorded as paid."))

    return _decide(request, pk, ApproveForm, act)


@role_required(is_finance_approver)
@recent_auth_required
@require_POST
def disbursement_reject(request, pk):
    def act(disbursement, data):
        services.disbursement_reject(
            disbursement=disbursement, actor=request.user, reason=data["reason"]
        )
        messages.success(request, _("Rejected; the programme manager can see your reason."))

    return _decide(request, pk, RejectForm, act)
