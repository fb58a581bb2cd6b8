"""Deep-learning platform accounts: founders ask, staff provision and revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nurture.applications.models import Application, ApplicationState
from nurture.core.permissions import require, role_required

from . import services
from .forms import AccessRequestForm, PlatformForm, ProvisionForm
from .models import AccessStatus, Platform, PlatformAccess
from .permissions import accesses_visible_to, can_manage_platforms, can_request_access


def _admitted(user) -> list[Application]:
    today = timezone.localdate()
    return list(
        Application.objects.filter(
            state=ApplicationState.ACCEPTED,
            startup__memberships__user_id=user.pk,
            cohort__ends_on__gte=today,
        )
        .select_related("startup", "cohort")
        .order_by("startup__name")
    )


@login_required
@require_GET
def mine(request):
    accesses = accesses_visible_to(request.user).filter(
        application__startup__memberships__user_id=request.user.pk
    )
    applications = _admitted(request.user)
    return render(
        request,
        "platforms/mine.html",
        {
            "accesses": accesses.order_by("-requested_at"),
            "form": AccessRequestForm(applications=applications) if applications else None,
            "platforms": Platform.objects.filter(is_active=True),
        },
    )


@login_required
@require_POST
def access_request(request):
    applications = _admitted(request.user)
    form = AccessRequestForm(request.POST, applications=applications)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("platforms:mine")
    application = next(a for a in applications if a.pk == form.cleaned_data["application"])
    require(can_request_access(request.user, application))
    try:
        services.platform_access_request(
            application=application,
            platform=form.cleaned_data["platform"],
            actor=request.user,
            purpose=form.cleaned_data["purpose"],
        )
    except services.PlatformError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request is sent; the Lab will open the account."))
    return redirect("platforms:mine")


SHOWS = {
    "open": lambda qs: qs.filter(status=AccessStatus.REQUESTED),
    "due": lambda qs: qs.filter(status=AccessStatus.PROVISIONED, ends_on__lt=timezone.localdate()),
    "active": lambda qs: qs.filter(status=AccessStatus.PROVISIONED),
    "all": lambda qs: qs,
}


@role_required(can_manage_platforms)
@require_GET
def manage(request):
    show = request.GET.get("show") or "open"
    if show not in SHOWS:
        show = "open"
    accesses = SHOWS[show](accesses_visible_to(request.user)).order_by("ends_on", "requested_at")
    return render(
        request,
        "platforms/manage.html",
        {
            "accesses": accesses[:300],
            "show": show,
            "due_count": SHOWS["due"](PlatformAccess.objects.all()).count(),
            "today": timezone.localdate(),
        },
    )


@role_required(can_manage_platforms)
@require_http_methods(["GET", "POST"])
def provision(request, pk):
    access = get_object_or_404(accesses_visible_to(request.user), pk=pk)
    form = ProvisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.platform_access_provision(
                access=access, actor=request.user, **form.cleaned_data
            )
        except services.PlatformError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Marked provisioned; the founders are told by e-mail."))
            return redirect("platforms:manage")
    return render(request, "platforms/provision.html", {"access": access, "form": form})


@role_required(can_manage_platforms)
@require_POST
def close(request, pk):
    access = get_object_or_404(accesses_visible_to(request.user), pk=pk)
    try:
        access = services.platform_access_close(
            access=access, actor=request.user, note=request.POST.get("note", "")
        )
    except services.PlatformError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Marked revoked.") if access.status == AccessStatus.REVOKED else _("Declined."),
        )
    if request.POST.get("back") == "due":
        return redirect(f"{reverse('platforms:manage')}?show=due")
    return redirect("platforms:manage")


@role_required(can_manage_platforms)
@require_http_methods(["GET", "POST"])
def platform_list(request):
    form = PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.platform_save(actor=request.user, data=form.cleaned_data)
        except services.PlatformError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The platform is added."))
            return redirect("platforms:platform_list")
    return render(
        request,
        "platforms/platform_list.html",
        {"platforms": Platform.objects.order_by("position", "name"), "form": form},
    )


@role_required(can_manage_platforms)
@require_http_methods(["GET", "POST"])
def platform_edit(request, pk):
    platform = get_object_or_404(Platform, pk=pk)
    form = PlatformForm(request.POST or None, instance=platform)
    if request.method == "POST" and form.is_valid():
        try:
            services.platform_save(
                actor=request.user, data=form.cleaned_data, platform=Platform.objects.get(pk=pk)
            )
        except services.PlatformError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The platform is saved."))
            return redirect("platforms:platform_list")
    return render(request, "platforms/platform_form.html", {"platform": platform, "form": form})
