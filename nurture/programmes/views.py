"""The programme manager's screens: rules, cohorts and calls, and the applications received.

Every view is for programme staff only (`permissions.staff_required`, then an object-level
predicate); views validate input and call `services`, reads go through `selectors`.
"""

import csv
import functools
import io
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from nurture.accounts.reauth import recent_auth_required
from nurture.applications import eligibility
from nurture.applications import services as application_services
from nurture.applications.models import Application, ApplicationState
from nurture.core.permissions import require

from . import selectors, services, table
from .forms import (
    ApplicationFilterForm,
    BenefitFormSet,
    CohortEditForm,
    CohortForm,
    ProgrammeForm,
)
from .models import Cohort, Programme
from .permissions import (
    can_create_cohort,
    can_edit_cohort,
    can_edit_programme,
    can_export_applications,
    can_list_applications,
    can_view_application_as_staff,
    can_view_programmes,
    staff_required,
)
from .selectors import STATE_ALL, STATE_ALL_BUT_DRAFTS

PAGE_SIZE = 50
# The sortable columns: (sort key, header, alignment).
LIST_HEADERS = (
    ("startup", gettext_lazy("Startup"), ""),
    ("sector", gettext_lazy("Sector"), ""),
    ("stage", gettext_lazy("Stage"), ""),
    ("state", gettext_lazy("State"), ""),
    ("submitted", gettext_lazy("Submitted"), ""),
    ("funding", gettext_lazy("Funding raised"), "end"),
    ("team", gettext_lazy("Team size"), "end"),
)


def _render_partial(request, template: str, fragment: str, context: dict) -> HttpResponse:
    """The whole page, or only the fragment that an htmx request swaps in."""
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, fragment if partial else template, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Programmes -------------------------------------------------------------------------------


@staff_required
@require_GET
def programme_list(request):
    require(can_view_programmes(request.user))
    programmes = Programme.objects.annotate(
        n_cohorts=Count("cohorts", distinct=True), n_benefits=Count("benefits", distinct=True)
    ).order_by("-is_active", "name")
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


@staff_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    require(can_edit_programme(request.user, programme))
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data, instance=programme, prefix="rules")
    formset = BenefitFormSet(
        data,
        instance=programme,
        prefix="benefits",
        queryset=programme.benefits.order_by("position", "id"),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.programme_update(
                user=request.user,
                programme=programme,
                data={name: form.cleaned_data[name] for name in services.PROGRAMME_RULE_FIELDS},
                benefits=formset.lines(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The programme's rules and benefit package are saved."))
            return redirect("programmes:programme_edit", pk=programme.pk)
    return render(
        request,
        "programmes/programme_edit.html",
        {"programme": programme, "form": form, "formset": formset},
    )


# --- Cohorts and calls ------------------------------------------------------------------------


@staff_required
@require_GET
def cohort_list(request):
    require(can_create_cohort(request.user))
    cohorts = selectors.cohorts_with_counts()
    return render(
        request, "programmes/cohort_list.html", {"cohorts": cohorts, "now": timezone.now()}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def cohort_create(request):
    require(can_create_cohort(request.user))
    default = selectors.programme_default()
    form = CohortForm(
        request.POST or None,
        initial={
            "programme": default.pk if default else None,
            "capacity": default.max_startups_per_cohort if default else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        require(can_create_cohort(request.user, form.chosen_programme))
        try:
            cohort = services.cohort_create(
                user=request.user,
                programme=form.chosen_programme,
                terms=form.terms(),
                call=form.call(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Cohort %(name)s and its call are created.") % {"name": cohort.name}
            )
            return redirect("programmes:cohort_list")
    return render(request, "programmes/cohort_form.html", {"form": form, "cohort": None})


@staff_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request, pk):
    cohort = get_object_or_404(Cohort.objects.select_related("programme", "call"), pk=pk)
    require(can_edit_cohort(request.user, cohort))
    form = CohortEditForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_update(
                user=request.user, cohort=cohort, terms=form.terms(), call=form.call()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Cohort %(name)s is saved.") % {"name": form.terms().name})
            return redirect("programmes:cohort_list")
    return render(request, "programmes/cohort_form.html", {"form": form, "cohort": cohort})


# --- Applications -----------------------------------------------------------------------------


def _cohort_for(request, pk) -> Cohort:
    return get_object_or_404(Cohort.objects.select_related("programme", "call"), pk=pk)


@functools.lru_cache(maxsize=256)
def _fixed_options(language: str, name: str, selected: str) -> str:
    """The options of the state or stage filter, in `language` (the active one, passed so
    that each language has its own entry): fixed choices, built once per selection."""
    choices = ApplicationFilterForm.base_fields[name].choices
    return table.options_html(choices, selected)


class _RowWindow:
    """The list's rows as the paginator slices them: each slice is one query for that window."""

    def __init__(self, cohort: Cohort, query: selectors.ApplicationQuery):
        self.cohort, self.query = cohort, query

    def __getitem__(self, window: slice) -> list[dict]:
        return selectors.cohort_application_rows(
            cohort=self.cohort,
            query=self.query,
            offset=window.start,
            limit=window.stop - window.start,
        )


@staff_required
@require_GET
def application_list(request, pk):
    """A cohort's applications, filtered, searched, sorted and paginated.

    Drafts: a draft is the founders' unfinished work, not yet addressed to the Lab, and it may
    still change. The list therefore leaves drafts out by default ("All but drafts") so that it
    shows what was actually submitted, while the per-state counts still say how many drafts
    there are. Staff can list them on purpose (state "Draft", or "All states"), for
    example to help a team before the deadline; opening any application, draft or not, is
    recorded in the audit log by `application_detail`.
    """
    form = ApplicationFilterForm(request.GET)
    query = form.query()
    # The heading and the per-state counts in one query (without a search).
    cohort, counts = selectors.cohort_heading_and_counts(pk, query)
    if cohort is None:
        raise Http404
    require(can_list_applications(request.user, cohort))
    if counts is None:
        counts = selectors.cohort_application_state_counts(cohort=cohort, query=query)
    total = sum(counts.values())
    without_drafts = total - counts[ApplicationState.DRAFT]
    # Only the columns shown: the answers are long texts that the table never displays.
    paginator = Paginator(_RowWindow(cohort, query), PAGE_SIZE)
    # The per-state counts already say how many rows match: no second COUNT query.
    paginator.count = {STATE_ALL: total, STATE_ALL_BUT_DRAFTS: without_drafts}.get(
        query.state, counts.get(query.state, 0)
    )
    page = paginator.get_page(request.GET.get("page"))
    # Each state's link keeps the other filters and goes back to the first page. The links
    # are the query string encoded once plus their own parameter, not a QueryDict each.
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("state", None)
    others = params.urlencode()

    def state_link(state: str) -> str:
        return table.query_link(others, "state", state)

    state_links = [
        (STATE_ALL_BUT_DRAFTS, _("All but drafts"), without_drafts, state_link("")),
        (STATE_ALL, _("All states"), total, state_link(STATE_ALL)),
    ]
    state_counts = [
        (state, label, counts[state], state_link(state))
        for state, label in ApplicationState.choices
    ]
    if query.state != STATE_ALL_BUT_DRAFTS:
        params["state"] = query.state
    # The pages' links keep the sort as asked; the headers' links each set their own.
    with_sort = params.urlencode()
    params.pop("sort", None)
    without_sort = params.urlencode()

    def page_link(number: int) -> str:
        return table.query_link(with_sort, "page", number)

    previous_href = page_link(page.previous_page_number()) if page.has_previous() else ""
    next_href = page_link(page.next_page_number()) if page.has_next() else ""
    context = {
        "cohort": cohort,
        "form": form,
        "query": query,
        "sort": query.sort,
        "page_obj": page,
        "cohort_name": cohort.display_name,
        "applications": mark_safe("".join(table.rows_html(page.object_list))),  # noqa: S308
        "headers": table.headers_html(
            LIST_HEADERS, query.sort, without_sort, "#applications-table"
        ),
        "search_input": table.search_input_html(form["q"]),
        "previous_href": previous_href,
        "next_href": next_href,
        "sector_options": table.options_html(
            [("", _("All sectors"))]
            + [(sector.slug, sector.display_name) for sector in selectors.sectors()],
            query.sector.slug if query.sector else "",
        ),
        "state_options": _fixed_options(get_language(), "state", query.state),
        "stage_options": _fixed_options(get_language(), "stage", query.stage),
        "state_pills": table.state_pills_html(state_links, query.state),
        "state_more_pills": table.state_pills_html(state_counts, query.state),
        "state_counts": state_counts,
        "total": total,
        "total_without_drafts": without_drafts,
        "hx_target": "#applications-table",
        "export_qs": urlencode(query.as_params()),
    }
    return _render_partial(
        request,
        "programmes/application_list.html",
        "programmes/_application_table.html",
        context,
    )


EXPORT_FORMATS = {"csv", "xlsx"}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _export_columns() -> list[tuple[str, object]]:
    """(header, how to get the value) for every exported column: all the answers."""

    def members(a: Application) -> str:
        return "; ".join(m.email for m in a.startup.members.all())

    return [
        (_("Application id"), lambda a: a.pk),
        (_("Startup"), lambda a: a.startup.name),
        (_("Registered company name"), lambda a: a.startup.legal_name),
        (_("Website"), lambda a: a.startup.website),
        (_("Founders' e-mail addresses"), members),
        (_("Cohort"), lambda a: a.cohort.name),
        (_("State"), lambda a: str(a.get_state_display())),
        (_("Submitted (Hong Kong time)"), lambda a: _local(a.submitted_at)),
        (_("Registered in Hong Kong"), lambda a: a.registered_in_hk),
        (_("Business registration number"), lambda a: a.business_registration_number),
        (_("Hong Kong presence"), lambda a: a.hk_presence_plan),
        (_("Date founded"), lambda a: a.date_founded),
        (_("People in the team"), lambda a: a.team_size),
        (_("Full-time staff"), lambda a: a.full_time_staff),
        (_("Technical staff"), lambda a: a.technical_staff),
        (_("Technical share (%)"), lambda a: a.technical_share),
        (_("Founders' equity (%)"), lambda a: a.founders_equity),
        (_("Sector"), lambda a: a.sector.name if a.sector else ""),
        (_("Stage"), lambda a: str(a.get_stage_display()) if a.stage else ""),
        (_("Product"), lambda a: a.product_description),
        (_("The AI it uses"), lambda a: a.ai_description),
        (_("Traction"), lambda a: a.traction),
        (_("Funding raised (USD)"), lambda a: a.funding_raised_usd),
        (_("GPU-hours a month"), lambda a: a.gpu_hours_per_month),
        (_("Deep-learning platforms"), lambda a: "; ".join(a.platform_labels())),
        (_("Other needs"), lambda a: a.lab_needs),
        (_("Pitch deck"), lambda a: a.pitch_deck_filename if a.pitch_deck else ""),
        (_("Last changed (Hong Kong time)"), lambda a: _local(a.updated_at)),
    ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        # openpyxl treats a string starting with "=" as a formula; keep every answer text.
        cell.data_type = "s"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    return cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(columns, rows) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
    yield writer.writerow([str(header) for header, _get in columns])
    for application in rows:
        yield writer.writerow([_csv_cell(get(application)) for _header, get in columns])


@staff_required
@recent_auth_required
@require_GET
def application_export(request, pk, fmt):
    """The filtered list (every page) with all the answers, as CSV (streamed) or XLSX."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    cohort = _cohort_for(request, pk)
    require(can_export_applications(request.user, cohort))
    query = ApplicationFilterForm(request.GET).query()
    applications = (
        selectors.cohort_applications(cohort=cohort, query=query)
        .select_related("cohort")
        .prefetch_related("startup__members")
    )
    count = applications.count()
    services.application_export_record(
        user=request.user, cohort=cohort, fmt=fmt, filters=query.as_params(), rows=count
    )
    columns = _export_columns()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"applications-{cohort.pk}-{stamp}.{fmt}"
    rows = applications.iterator(chunk_size=500)
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_stream(columns, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=_("Applications")[:31])
        sheet.append([_xlsx_cell(sheet, str(header)) for header, _get in columns])
        for application in rows:
            sheet.append([_xlsx_cell(sheet, get(application)) for _header, get in columns])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def application_detail(request, pk):
    """The staff view of one application; every opening is recorded in the audit log."""
    application = get_object_or_404(
        Application.objects.select_related(
            "cohort__programme", "cohort__call", "startup", "sector", "collection_notice"
        ),
        pk=pk,
    )
    require(can_view_application_as_staff(request.user, application))
    application_services.application_record_view(
        user=request.user, application=application, what="details"
    )
    members = list(application.startup.memberships.select_related("user").order_by("joined_at"))
    return render(
        request,
        "programmes/application_detail.html",
        {
            "application": application,
            "cohort": application.cohort,
            "members": members,
            "problems": eligibility.check(application),
            "history": selectors.application_history(application),
            "views": selectors.application_recent_views(application),
        },
    )
