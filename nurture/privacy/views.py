"""Privacy pages: notices, the one-click marketing opt-out, a person's data requests, and
programme staff's screens for requests, marketing messages and retention."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nurture.accounts.models import User
from nurture.accounts.reauth import recent_auth_required

from . import retention, selectors, services
from .forms import DataRequestForm, MarketingMessageForm, ResolutionForm
from .marketing import UnsubscribeTokenInvalid, unsubscribe_token_read
from .models import (
    DataRequest,
    DeliveryStatus,
    MarketingMessage,
    NoticeKind,
    RequestKind,
    RequestState,
    RetentionStat,
)
from .permissions import can_download_export, can_make_request, staff_required
from .services import NoticeMissing, PrivacyError, notice_current

PAGE_SIZE = 50


@require_GET
def notice(request, kind):
    if kind not in NoticeKind.values:
        raise Http404
    try:
        current = notice_current(kind=kind)
    except NoticeMissing as exc:
        raise Http404 from exc
    return render(request, "privacy/notice.html", {"notice": current})


# The one-click opt-out ------------------------------------------------------------------------


# A mail client's RFC 8058 one-click POST carries no CSRF token; the signed, per-recipient
# token in the URL is what authorises the opt-out, and opting out is all it can do.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        data = unsubscribe_token_read(token)
    except UnsubscribeTokenInvalid:
        return render(request, "privacy/unsubscribe.html", {"invalid": True}, status=400)
    user = User.objects.filter(pk=data["u"]).first()
    if user is None:
        return render(request, "privacy/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        services.marketing_unsubscribe(user=user, delivery_id=data.get("d"))
        done = True
    response = render(
        request, "privacy/unsubscribe.html", {"done": done, "email": _masked(user.email)}
    )
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def _masked(email: str) -> str:
    local, _sep, domain = email.partition("@")
    return f"{local[:2]}{'•' * max(1, len(local) - 2)}@{domain}"


# A person's own requests ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_requests(request):
    if not can_make_request(request.user):
        raise PermissionDenied
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.data_request_create(user=request.user, **form.cleaned_data)
        except PrivacyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Your request is received. The Lab answers within 40 days; "
                    "you will get an e-mail."
                ),
            )
            return redirect("privacy:my_requests")
    requests_ = list(DataRequest.objects.filter(user=request.user).order_by("-created_at", "-id"))
    preparing = any(
        r.state == RequestState.OPEN and r.export_started_at and not r.export_ready_at
        for r in requests_
    )
    status = 400 if form.is_bound else 200
    return render(
        request,
        "privacy/my_requests.html",
        {"form": form, "requests": requests_, "preparing": preparing},
        status=status,
    )


@login_required
@recent_auth_required
@require_GET
def export_download(request, pk):
    data_request = get_object_or_404(DataRequest, pk=pk, user=request.user)
    if not can_download_export(request.user, data_request):
        raise Http404
    services.data_request_record_download(user=request.user, request=data_request)
    try:
        handle = data_request.export_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"nurture-personal-data-{data_request.pk}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# Staff: the queue of requests ------------------------------------------------------------------


@staff_required
@require_GET
def request_queue(request):
    state = request.GET.get("state", RequestState.OPEN)
    if state not in (*RequestState.values, "all"):
        state = RequestState.OPEN
    queryset = DataRequest.objects.select_related("user").order_by("due_at", "id")
    if state != "all":
        queryset = queryset.filter(state=state)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/request_queue.html",
        {
            "page_obj": page,
            "requests": page.object_list,
            "state": state,
            "states": [(s.value, s.label) for s in RequestState],
        },
    )


@staff_required
@require_GET
def request_detail(request, pk):
    data_request = get_object_or_404(DataRequest.objects.select_related("user"), pk=pk)
    services.data_request_record_view(user=request.user, request=data_request)
    current = ""
    if data_request.kind == RequestKind.CORRECTION and data_request.field in (
        "full_name",
        "organisation",
    ):
        current = getattr(data_request.user, data_request.field)
    return render(
        request,
        "privacy/request_detail.html",
        {"req": data_request, "current_value": current, "form": ResolutionForm()},
    )


def _act(request, pk, action):
    data_request = get_object_or_404(DataRequest, pk=pk)
    form = ResolutionForm(request.POST)
    form.is_valid()
    try:
        action(data_request, (form.cleaned_data.get("reason") or "").strip())
    except (PrivacyError, ValidationError) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, message)
        return render(
            request,
            "privacy/request_detail.html",
            {
                "req": DataRequest.objects.select_related("user").get(pk=pk),
                "form": form,
                "current_value": "",
            },
            status=400 if not isinstance(error, PrivacyError) or error.code != "closed" else 409,
        )
    return redirect("privacy:request_detail", pk=pk)


@staff_required
@recent_auth_required
@require_POST
def request_export(request, pk):
    def act(data_request, _reason):
        services.data_request_export_start(actor=request.user, request=data_request)
        messages.success(
            request, _("The export is being prepared; the person is told when it is ready.")
        )

    return _act(request, pk, act)


@staff_required
@require_POST
def request_apply(request, pk):
    def act(data_request, reason):
        services.data_request_correction_apply(
            actor=request.user, request=data_request, note=reason
        )
        messages.success(request, _("The correction is made and the person is told."))

    return _act(request, pk, act)


@staff_required
@require_POST
def request_refuse(request, pk):
    def act(data_request, reason):
        services.data_request_refuse(actor=request.user, request=data_request, reason=reason)
        messages.success(request, _("The request is refused and the person is told why."))

    return _act(request, pk, act)


# Staff: marketing messages --------------------------------------------------------------------


@staff_required
@require_GET
def marketing_list(request):
    page = Paginator(selectors.marketing_messages_with_counts(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "privacy/marketing_list.html", {"page_obj": page, "items": page.object_list}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def marketing_create(request):
    form = MarketingMessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        message = services.marketing_message_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The message is saved. Check it, then send it."))
        return redirect("privacy:marketing_detail", pk=message.pk)
    return render(
        request, "privacy/marketing_form.html", {"form": form}, status=400 if form.is_bound else 200
    )


@staff_required
@require_GET
def marketing_detail(request, pk):
    message = get_object_or_404(MarketingMessage, pk=pk)
    status = request.GET.get("status", "")
    deliveries = message.deliveries.select_related("user").order_by("id")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for row in message.deliveries.values("status").order_by().annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    audience = services.audience_users(audience=message.audience)
    return render(
        request,
        "privacy/marketing_detail.html",
        {
            "message": message,
            "page_obj": page,
            "deliveries": page.object_list,
            "counts": [(s, label, counts[s]) for s, label in DeliveryStatus.choices],
            "status": status,
            "audience_size": audience.count(),
            "consenting": len(
                services.consenting_user_ids(user_ids=list(audience.values_list("pk", flat=True)))
            ),
        },
    )


@staff_required
@require_POST
def marketing_send(request, pk):
    message = get_object_or_404(MarketingMessage, pk=pk)
    try:
        counts = services.marketing_message_send(actor=request.user, message=message)
    except PrivacyError as error:
        messages.error(request, str(error))
        return redirect("privacy:marketing_detail", pk=pk)
    messages.success(
        request,
        _("Queued: %(queued)d. Refused for lack of consent: %(refused)d.") % counts,
    )
    return redirect("privacy:marketing_detail", pk=pk)


# Staff: retention -------------------------------------------------------------------------------


@staff_required
@require_GET
def retention_overview(request):
    stats = RetentionStat.objects.order_by("-run_at", "rule", "cohort", "sector", "state")[:200]
    return render(
        request,
        "privacy/retention.html",
        {"schedule": retention.schedule(), "pending": retention.pending(), "stats": stats},
    )
