"""Founders' "My compute" pages and programme staff's inventory, quotas, imports and exports.

Every view asks `permissions` first (object-level for a startup's pages), validates input
with a form, and calls `services`; refusals from the services come back as form errors.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nurture.core import ics
from nurture.core.permissions import require, role_required
from nurture.startups.models import Startup

from . import selectors, services
from .forms import (
    BillingImportForm,
    BookingForm,
    CloudAccountForm,
    ClusterForm,
    ComputeAccountForm,
    GpuModelForm,
    NodeForm,
    SlurmImportForm,
    TopUpForm,
)
from .models import (
    Booking,
    Cluster,
    ComputeAccount,
    GpuModel,
    ImportJob,
    ImportKind,
    Node,
)
from .permissions import (
    can_book,
    can_cancel_booking,
    can_manage_compute,
    can_view_availability,
    can_view_compute,
)

staff_required = role_required(can_manage_compute)


def _form_error(form, error: services.ComputeError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- Founders --------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    """My compute: the founder's startup page, or a choice when they have several."""
    user = request.user
    if can_manage_compute(user):
        return redirect("compute:quotas")
    require(user.is_founder)
    startups = list(Startup.objects.filter(memberships__user_id=user.pk).order_by("name"))
    if len(startups) == 1:
        return redirect("compute:startup", startups[0].pk)
    return render(request, "compute/mine.html", {"startups": startups})


@login_required
@require_GET
def startup_compute(request, pk: int):
    startup = get_object_or_404(Startup, pk=pk)
    require(can_view_compute(request.user, startup))
    quota = selectors.quota_of(startup)
    return render(
        request,
        "compute/startup.html",
        {
            "startup": startup,
            "quota": quota,
            "credits": selectors.credits_of(startup),
            "chart": selectors.usage_chart(startup, quota=quota),
            "bookings": list(selectors.startup_bookings(startup)[:50]),
            "now": timezone.now(),
            "can_book": can_book(request.user, startup),
            "account": ComputeAccount.objects.filter(startup=startup).first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_new(request, pk: int):
    startup = get_object_or_404(Startup, pk=pk)
    require(can_book(request.user, startup))
    initial = {"day": timezone.localdate()}
    if request.GET.get("gpu_model"):
        initial["gpu_model"] = request.GET["gpu_model"]
    form = BookingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.window()
        try:
            booking = services.booking_create(
                startup=startup,
                gpu_model=form.cleaned_data["gpu_model"],
                gpus=form.cleaned_data["gpus"],
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=form.cleaned_data["purpose"],
                actor=request.user,
            )
        except services.ComputeError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Booked %(gpus)s × %(model)s, %(hours)s GPU-hours.")
                % {
                    "gpus": booking.gpus,
                    "model": booking.gpu_model.name,
                    "hours": booking.gpu_hours.normalize(),
                },
            )
            return redirect("compute:startup", startup.pk)
    return render(
        request,
        "compute/book.html",
        {"startup": startup, "form": form, "quota": selectors.quota_of(startup)},
    )


@login_required
@require_POST
def booking_cancel(request, pk: int):
    booking = get_object_or_404(Booking.objects.select_related("startup", "gpu_model"), pk=pk)
    require(can_cancel_booking(request.user, booking))
    try:
        services.booking_cancel(booking=booking, actor=request.user)
    except services.ComputeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The booking is cancelled."))
    if can_view_compute(request.user, booking.startup):
        return redirect("compute:startup", booking.startup_id)
    return redirect("compute:mine")  # pragma: no cover - staff always see it


@login_required
@require_GET
def booking_ics(request, pk: int):
    """The booking as an .ics file for the founder's calendar (404 for others' bookings)."""
    booking = get_object_or_404(Booking.objects.select_related("startup", "gpu_model"), pk=pk)
    if not can_view_compute(request.user, booking.startup):
        raise Http404
    summary = _("%(gpus)s × %(model)s GPUs") % {
        "gpus": booking.gpus,
        "model": booking.gpu_model.name,
    }
    cal = ics.calendar(_("GPU booking"))
    cal.add_component(
        ics.event(
            uid=f"gpu-booking-{booking.pk}",
            start=booking.starts_at,
            end=booking.ends_at,
            summary=summary,
            location=_("HKAI Lab GPU cluster"),
            description=booking.purpose or booking.startup.name,
            sequence=0 if booking.is_active else 1,
            cancelled=not booking.is_active,
        )
    )
    return ics.response(cal, f"gpu-booking-{booking.pk}.ics")


@login_required
@require_GET
def availability(request):
    require(can_view_availability(request.user))
    models = list(selectors.gpu_models_with_capacity())
    chosen = None
    if models:
        wanted = request.GET.get("model")
        chosen = next((m for m in models if str(m.pk) == wanted), models[0])
    try:
        start = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        start = timezone.localdate()
    week = selectors.availability(chosen, start) if chosen else None
    context = {"models": models, "chosen": chosen, "week": week}
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request, "compute/_week.html" if partial else "compute/availability.html", context
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Staff -----------------------------------------------------------------------------------


@staff_required
@require_GET
def inventory(request):
    return render(
        request,
        "compute/manage/inventory.html",
        {
            "clusters": list(Cluster.objects.all()),
            "models": list(selectors.gpu_models_with_capacity()),
            "nodes": list(Node.objects.select_related("cluster", "gpu_model")),
        },
    )


INVENTORY = {
    "cluster": (Cluster, ClusterForm, _("cluster")),
    "gpu-model": (GpuModel, GpuModelForm, _("GPU model")),
    "node": (Node, NodeForm, _("node")),
}


@staff_required
@require_http_methods(["GET", "POST"])
def inventory_edit(request, kind: str, pk: int | None = None):
    if kind not in INVENTORY:
        raise Http404
    model, form_class, label = INVENTORY[kind]
    instance = get_object_or_404(model, pk=pk) if pk is not None else None
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.inventory_save(obj=form.save(commit=False), actor=request.user)
        messages.success(request, _("Saved."))
        return redirect("compute:inventory")
    return render(
        request,
        "compute/manage/inventory_form.html",
        {"form": form, "label": label, "instance": instance},
    )


@staff_required
@require_GET
def quotas(request):
    return render(
        request,
        "compute/manage/quotas.html",
        {"rows": selectors.quota_rows(), "clusters": list(Cluster.objects.all())},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def startup_manage(request, pk: int):
    startup = get_object_or_404(Startup, pk=pk)
    account = ComputeAccount.objects.filter(startup=startup).first()
    action = request.POST.get("action") if request.method == "POST" else None
    account_form = ComputeAccountForm(
        request.POST if action == "account" else None,
        instance=account,
        prefix="account",
    )
    top_up_form = TopUpForm(request.POST if action == "top_up" else None, prefix="top_up")
    cloud_form = CloudAccountForm(request.POST if action == "cloud" else None, prefix="cloud")
    try:
        if action == "account" and account_form.is_valid():
            data = account_form.cleaned_data
            services.compute_account_save(
                startup=startup,
                slurm_account=data["slurm_account"],
                namespace=data["namespace"],
                max_gpus=data["max_gpus"],
                actor=request.user,
            )
            messages.success(request, _("Cluster names saved."))
            return redirect("compute:startup_manage", startup.pk)
        if action == "top_up" and top_up_form.is_valid():
            services.quota_top_up(
                startup=startup,
                hours=top_up_form.cleaned_data["hours"],
                reason=top_up_form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(request, _("GPU-hours added."))
            return redirect("compute:startup_manage", startup.pk)
        if action == "cloud" and cloud_form.is_valid():
            services.cloud_account_add(
                startup=startup,
                provider=cloud_form.cleaned_data["provider"],
                account_id=cloud_form.cleaned_data["account_id"],
                actor=request.user,
            )
            messages.success(request, _("Cloud account linked."))
            return redirect("compute:startup_manage", startup.pk)
    except services.ComputeError as error:
        form = {"account": account_form, "top_up": top_up_form, "cloud": cloud_form}[action]
        _form_error(form, error)
    return render(
        request,
        "compute/manage/startup.html",
        {
            "startup": startup,
            "account": account,
            "quota": selectors.quota_of(startup),
            "credits": selectors.credits_of(startup),
            "cloud_accounts": list(startup.cloud_accounts.all()),
            "account_form": account_form,
            "top_up_form": top_up_form,
            "cloud_form": cloud_form,
        },
    )


def _import_view(request, *, form_class, kind, template, **fixed):
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.import_job_create(
                kind=kind,
                upload=data["file"],
                actor=request.user,
                cluster=data.get("cluster"),
                provider=data.get("provider", ""),
            )
        except services.ComputeError as error:
            _form_error(form, error)
        else:
            return redirect("compute:import_job", job.pk)
    history = ImportJob.objects.filter(kind=kind).select_related("cluster", "created_by")
    return render(request, template, {"form": form, "history": list(history[:20])})


@staff_required
@require_http_methods(["GET", "POST"])
def slurm_upload(request):
    return _import_view(
        request,
        form_class=SlurmImportForm,
        kind=ImportKind.SLURM,
        template="compute/manage/slurm_import.html",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def billing_upload(request):
    return _import_view(
        request,
        form_class=BillingImportForm,
        kind=ImportKind.BILLING,
        template="compute/manage/billing_import.html",
    )


@staff_required
@require_GET
def import_job(request, pk: int):
    """An import's state; htmx asks again every two seconds until it has finished."""
    job = get_object_or_404(ImportJob.objects.select_related("cluster", "created_by"), pk=pk)
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request,
        "compute/manage/_import_job.html" if partial else "compute/manage/import_job.html",
        {"job": job},
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


def _download(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def export_sacctmgr(request):
    return _download(
        selectors.sacctmgr_script(Cluster.objects.all()),
        "gpu-quotas-sacctmgr.sh",
        "text/x-shellscript",
    )


@staff_required
@require_GET
def export_resourcequota(request):
    return _download(
        selectors.resource_quotas_yaml(), "gpu-resourcequotas.yaml", "application/yaml"
    )
