from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from nurture.accounts.models import Role
from nurture.programmes.selectors import calls_current, programme_default

from . import dashboards


@require_GET
def home(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    programme = programme_default()
    return render(
        request,
        "core/home.html",
        {
            "programme": programme,
            "benefits": list(programme.benefits.all()) if programme else [],
            "calls": calls_current(),
        },
    )


@require_GET
def calls(request):
    return render(request, "core/calls.html", {"calls": calls_current()})


DASHBOARDS = {
    Role.FOUNDER: dashboards.founder,
    Role.REVIEWER: dashboards.reviewer,
    Role.PROGRAMME_MANAGER: dashboards.programme_manager,
    Role.ADMINISTRATOR: dashboards.programme_manager,
    Role.FINANCE_APPROVER: dashboards.finance_approver,
    Role.PARTNER: dashboards.partner,
}


@login_required
@require_GET
def dashboard(request):
    template, context = DASHBOARDS[request.user.role](request.user)
    return render(request, template, context)


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def bench_bare(request):
    """The site's base layout with no data: the ceiling that `bench.pages` compares pages to.

    Reachable only when `BENCH_BARE_PAGE` is on (NURTURE_BENCH_BARE_PAGE=1); otherwise it
    does not exist, for anonymous visitors too.
    """
    if not settings.BENCH_BARE_PAGE:
        raise Http404
    return _bench_bare(request)


@login_required
def _bench_bare(request):
    return render(request, "base.html")
