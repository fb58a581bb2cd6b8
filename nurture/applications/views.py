from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nurture.privacy.models import NoticeKind
from nurture.privacy.services import NoticeMissing, notice_current
from nurture.startups.permissions import can_edit_startup

from . import eligibility, services
from .forms import ApplicationForm, StartForm
from .models import Application
from .permissions import applications_visible_to, can_edit_application, can_view_application


def _application_for(user, pk, *, edit=False) -> Application:
    application = get_object_or_404(
        Application.objects.select_related(
            "cohort__call", "cohort__programme", "startup", "sector", "collection_notice"
        ),
        pk=pk,
    )
    allowed = (
        can_edit_application(user, application) if edit else can_view_application(user, application)
    )
    if not allowed:
        raise PermissionDenied
    return application


def _report(request, error: services.ApplicationError) -> None:
    messages.error(request, error.message)
    for problem in error.problems:
        messages.warning(request, problem.message)


@login_required
@require_GET
def my_applications(request):
    applications = (
        applications_visible_to(request.user)
        .filter(startup__memberships__user_id=request.user.pk)
        .select_related("startup", "cohort__call")
        .order_by("-cohort__starts_on", "startup__name")
    )
    return render(request, "applications/mine.html", {"applications": applications})


@login_required
@require_POST
def application_start(request):
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a startup and an open call."))
        return redirect("core:dashboard")
    startup, cohort = form.cleaned_data["startup"], form.cleaned_data["cohort"]
    if not can_edit_startup(request.user, startup):
        raise PermissionDenied
    try:
        application = services.application_start(user=request.user, startup=startup, cohort=cohort)
    except services.ApplicationError as error:
        _report(request, error)
        existing = Application.objects.filter(startup=startup, cohort=cohort).first()
        if existing is not None:
            return redirect("applications:detail", pk=existing.pk)
        return redirect("core:dashboard")
    messages.success(request, _("Your draft is created. Save it as often as you like."))
    return redirect("applications:edit", pk=application.pk)


@login_required
@require_GET
def application_detail(request, pk):
    application = _application_for(request.user, pk)
    if not can_edit_application(request.user, application):
        # Staff read applications on their own screen, which records the view.
        return redirect("programmes:application_detail", pk=application.pk)
    call = application.cohort.call
    problems = eligibility.check(application) if application.is_editable_state else []
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "call": call,
            "call_open": call.is_open(),
            "problems": problems,
            "can_withdraw": application.state in services.WITHDRAWABLE_STATES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    application = _application_for(request.user, pk, edit=True)
    call = application.cohort.call
    if not (application.is_editable_state and call.is_open()):
        messages.error(
            request,
            _("This application can no longer be changed: the call has closed.")
            if not call.is_open()
            else _("Only a draft can be changed."),
        )
        return redirect("applications:detail", pk=application.pk)
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        instance=application,
        max_upload_mb=settings.MAX_UPLOAD_MB,
    )
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        application.refresh_from_db()
        try:
            application = services.application_update(
                user=request.user,
                application=application,
                data=answers,
                pitch_deck=form.cleaned_data.get("pitch_deck"),
            )
        except services.ApplicationError as error:
            _report(request, error)
            return redirect("applications:detail", pk=application.pk)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if "submit" in request.POST:
                return _submit(request, application)
            messages.success(request, _("Draft saved."))
            return redirect("applications:detail", pk=application.pk)
    try:
        notice = notice_current(kind=NoticeKind.COLLECTION)
    except NoticeMissing:
        notice = None
    return render(
        request,
        "applications/edit.html",
        {"application": application, "form": form, "call": call, "notice": notice},
    )


def _submit(request, application):
    try:
        services.application_submit(user=request.user, application=application)
    except services.ApplicationError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _("Your application is submitted. We have e-mailed a confirmation to the team."),
        )
    return redirect("applications:detail", pk=application.pk)


@login_required
@require_POST
def application_submit(request, pk):
    return _submit(request, _application_for(request.user, pk, edit=True))


@login_required
@require_POST
def application_withdraw(request, pk):
    application = _application_for(request.user, pk, edit=True)
    try:
        services.application_withdraw(user=request.user, application=application)
    except services.ApplicationError as error:
        _report(request, error)
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect("applications:detail", pk=application.pk)


@login_required
@require_POST
def application_reopen(request, pk):
    application = _application_for(request.user, pk, edit=True)
    try:
        services.application_reopen(user=request.user, application=application)
    except services.ApplicationError as error:
        _report(request, error)
    else:
        messages.success(request, _("The application is a draft again."))
    return redirect("applications:detail", pk=application.pk)


@login_required
@require_GET
def pitch_deck_download(request, pk):
    application = _application_for(request.user, pk)
    if not application.pitch_deck:
        raise Http404
    services.application_record_view(user=request.user, application=application, what="pitch_deck")
    response = FileResponse(
        application.pitch_deck.open("rb"),
        as_attachment=True,
        filename=application.pitch_deck_filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
