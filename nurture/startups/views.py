from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import InvitationForm, StartupForm
from .models import Invitation, Startup
from .permissions import can_edit_startup, can_view_startup


def _startup_for(user, pk, *, edit=False) -> Startup:
    startup = get_object_or_404(Startup.objects.select_related("sector"), pk=pk)
    allowed = can_edit_startup(user, startup) if edit else can_view_startup(user, startup)
    if not allowed:
        # The same answer as for a missing startup: its existence is not disclosed.
        raise PermissionDenied
    return startup


@login_required
@require_http_methods(["GET", "POST"])
def startup_create(request):
    if not request.user.is_founder:
        raise PermissionDenied
    form = StartupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        startup = services.startup_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("The startup's profile is created."))
        return redirect("startups:detail", pk=startup.pk)
    return render(request, "startups/form.html", {"form": form, "creating": True})


@login_required
def startup_detail(request, pk):
    startup = _startup_for(request.user, pk)
    is_member = can_edit_startup(request.user, startup)
    invitations = [i for i in startup.invitations.all() if i.is_pending] if is_member else []
    return render(
        request,
        "startups/detail.html",
        {
            "startup": startup,
            "members": startup.memberships.select_related("user"),
            "invitations": invitations,
            "applications": startup.applications.select_related("cohort"),
            "can_edit": is_member,
            "invite_form": InvitationForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def startup_edit(request, pk):
    startup = _startup_for(request.user, pk, edit=True)
    form = StartupForm(request.POST or None, instance=startup)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        # The form has already set the new values on the instance; reload to compare.
        startup.refresh_from_db()
        services.startup_update(user=request.user, startup=startup, **data)
        messages.success(request, _("The startup's profile is saved."))
        return redirect("startups:detail", pk=startup.pk)
    return render(request, "startups/form.html", {"form": form, "startup": startup})


@login_required
@require_POST
def invitation_create(request, pk):
    startup = _startup_for(request.user, pk, edit=True)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                user=request.user, startup=startup, email=form.cleaned_data["email"]
            )
        except services.StartupError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("An invitation is on its way to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
    else:
        messages.error(request, _("Please enter a valid e-mail address."))
    return redirect("startups:detail", pk=startup.pk)


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_pk):
    startup = _startup_for(request.user, pk, edit=True)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, startup=startup)
    try:
        services.invitation_revoke(user=request.user, invitation=invitation)
    except services.StartupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation is withdrawn."))
    return redirect("startups:detail", pk=startup.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = (
        Invitation.objects.select_related("startup", "invited_by").filter(token=token).first()
    )
    valid = (
        invitation is not None
        and invitation.is_pending
        and invitation.email.lower() == request.user.email.lower()
    )
    if request.method == "POST" and valid:
        try:
            startup = services.invitation_accept(user=request.user, token=token)
        except services.StartupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("You have joined %(name)s.") % {"name": startup.name})
            return redirect("startups:detail", pk=startup.pk)
    return render(
        request, "startups/invitation.html", {"invitation": invitation if valid else None}
    )
