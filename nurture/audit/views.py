"""The audit log for programme staff: filter, search, page through, export."""

import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from nurture.accounts.reauth import has_recent_auth, reauth_redirect

from .forms import AuditFilterForm, audit_choices
from .models import AuditEntry
from .permissions import can_export_audit_log, can_view_audit_log
from .services import audit_record

PAGE_SIZE = 50
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _filter_form(request) -> AuditFilterForm:
    actions, types = audit_choices()
    return AuditFilterForm(request.GET, actions=actions, target_types=types)


@login_required
@require_GET
def audit_list(request):
    if not can_view_audit_log(request.user):
        raise PermissionDenied
    form = _filter_form(request)
    entries = form.apply(AuditEntry.objects.all()).order_by("-at", "-id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "entries": page.object_list,
        "hx_target": "#audit-table",
        "export_qs": request.GET.urlencode() if request.GET else "",
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "audit/_audit_table.html" if partial else "audit/list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def audit_export(request):
    """The filtered entries as CSV; the export itself is recorded in the log first."""
    if not can_export_audit_log(request.user):
        raise PermissionDenied
    if not has_recent_auth(request):
        # An export of personal data: the password again first (nurture.accounts.reauth).
        return reauth_redirect(request)
    form = _filter_form(request)
    entries = form.apply(AuditEntry.objects.all()).order_by("-at", "-id")
    count = entries.count()
    record = audit_record(
        actor=request.user,
        action="audit.exported",
        summary=f"{count} audit entries as CSV",
        data={"format": "csv", "filters": form.filters(), "rows": count},
    )
    # The export's own entry is not part of what was counted and exported.
    rows = entries.exclude(pk=record.pk)
    header = [
        _("When (Hong Kong time)"),
        _("Who"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("What"),
        pgettext("network address", "From"),
        _("User agent"),
        _("Data"),
    ]

    def stream():
        writer = csv.writer(_Echo())
        yield "\ufeff"
        yield writer.writerow(header)
        for e in rows.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    _cell(timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
                    _cell(e.actor_label),
                    _cell(e.action),
                    _cell(e.target_type),
                    _cell(e.target_id),
                    _cell(e.summary),
                    _cell(e.ip_address),
                    _cell(e.user_agent),
                    _cell(e.data and json.dumps(e.data, ensure_ascii=False)),
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
