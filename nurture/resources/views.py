"""The founder's "My benefits", a startup's statement and its downloads, the programme's totals."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from nurture.core.permissions import require
from nurture.programmes.models import Programme
from nurture.programmes.selectors import programme_default
from nurture.startups.models import Startup

from . import exports, selectors, services
from .models import Resource, TransactionKind
from .permissions import can_export_statement, can_view_programme_totals, can_view_statement

# Seed funding, cloud credits, GPU-hours: the order a programme lists its benefits in.
RESOURCE_ORDER = {resource: position for position, resource in enumerate(Resource.values)}


def _chosen(request, startups: list[Startup]) -> Startup | None:
    """The startup picked with ?startup=<id> among the user's own, else the first."""
    wanted = request.GET.get("startup", "")
    for startup in startups:
        if str(startup.pk) == wanted:
            return startup
    return startups[0] if startups else None


def _sections(request, startup: Startup) -> dict:
    """What the other benefit areas say about the startup, through their own selectors."""
    from nurture.compute import selectors as compute
    from nurture.funding import selectors as funding
    from nurture.workspace import selectors as workspace

    quota = compute.quota_of(startup)
    current, _past = workspace.startup_allocations(startup)
    coming_rooms, _past_rooms = workspace.startup_bookings(startup)
    schedules = [
        application
        for application in funding.admitted_of_user(request.user)
        if application.startup_id == startup.pk
    ]
    return {
        "funding": schedules,
        # Tranches not paid yet: approved disbursements are paid, anything else is to come.
        "coming_tranches": [
            tranche
            for application in schedules
            for tranche in application.schedule
            if not (tranche.live and tranche.live.status == "approved")
        ],
        "quota": quota,
        "chart": compute.usage_chart(startup, quota=quota),
        "credits": compute.credits_of(startup),
        "gpu_bookings": list(compute.startup_bookings(startup)[:5]),
        "spaces": current,
        "room_bookings": coming_rooms[:5],
    }


@login_required
@require_GET
def mine(request):
    """The founder's benefits: balances per resource, what is still to come, links to the rest."""
    startups = selectors.startups_of_user(request.user)
    startup = _chosen(request, startups)
    context = {"startups": startups, "startup": startup}
    if startup is not None:
        balances = sorted(
            selectors.balances_for_startup(startup=startup),
            key=lambda balance: (RESOURCE_ORDER.get(balance.resource, 9), balance.unit),
        )
        context.update(
            balances=balances,
            upcoming=selectors.upcoming_for_startup(startup=startup),
            **_sections(request, startup),
        )
    return render(request, "resources/mine.html", context)


@login_required
@require_GET
def statement(request, pk):
    """Every entry of a startup's accounts with the running balance; its members and staff."""
    startup = get_object_or_404(Startup, pk=pk)
    require(can_view_statement(request.user, startup))
    lines = selectors.startup_statement(startup=startup)
    accounts: dict[int, list] = {}
    for line in lines:
        accounts.setdefault(line.account_id, []).append(line)
    ordered = sorted(
        accounts.values(),
        key=lambda lines: (
            RESOURCE_ORDER.get(lines[0].resource, 9),
            lines[0].unit,
            lines[0].account_kind != "asset",
        ),
    )
    return render(
        request,
        "resources/statement.html",
        {
            "startup": startup,
            "accounts": ordered,
            "formats": exports.FORMATS,
            "kinds": TransactionKind.choices,
            "balances": selectors.balances_for_startup(startup=startup),
        },
    )


@login_required
@require_GET
def statement_export(request, pk, fmt):
    """The statement as CSV, XLSX or PDF; each download is recorded in the audit log."""
    if fmt not in exports.FORMATS:
        raise Http404
    startup = get_object_or_404(Startup, pk=pk)
    require(can_export_statement(request.user, startup))
    lines = selectors.startup_statement(startup=startup)
    body = exports.render(fmt, startup, lines)
    services.statement_export_record(user=request.user, startup=startup, fmt=fmt, lines=len(lines))
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(startup, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def totals(request):
    """Committed, disbursed, used and left per cohort and resource; the pools beside."""
    require(can_view_programme_totals(request.user))
    programmes = list(Programme.objects.order_by("name"))
    programme = None
    wanted = request.GET.get("programme", "")
    if wanted:
        programme = next((p for p in programmes if str(p.pk) == wanted), None)
        if programme is None:
            raise Http404
    programme = programme or programme_default() or (programmes[0] if programmes else None)
    context = {"programmes": programmes, "programme": programme}
    if programme is not None:
        cohorts = selectors.programme_totals(programme=programme)
        context.update(
            cohorts=cohorts,
            grand=selectors.programme_grand_totals(cohorts),
            pools=sorted(
                selectors.totals_for_pools(programme=programme),
                key=lambda pool: (RESOURCE_ORDER.get(pool.resource, 9), pool.unit),
            ),
            accepted=_accepted_startups(programme),
        )
    return render(request, "resources/totals.html", context)


def _accepted_startups(programme):
    from nurture.applications.models import Application, ApplicationState

    return list(
        Application.objects.filter(cohort__programme=programme, state=ApplicationState.ACCEPTED)
        .select_related("startup", "cohort")
        .order_by("-cohort__starts_on", "startup__name")
    )
