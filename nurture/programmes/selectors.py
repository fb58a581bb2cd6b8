from django.db.models import Count, Q
from django.utils import timezone

from nurture.applications.models import ApplicationState

from .models import Call, Cohort, Programme


def programme_default() -> Programme | None:
    return Programme.objects.filter(is_active=True).order_by("id").first()


def calls_current() -> list[Call]:
    """Calls that are open now or open in the future, soonest deadline first."""
    now = timezone.now()
    return list(
        Call.objects.filter(closes_at__gt=now)
        .select_related("cohort__programme")
        .order_by("closes_at")
    )


def calls_open() -> list[Call]:
    now = timezone.now()
    return [call for call in calls_current() if call.opens_at <= now]


def cohorts_with_counts():
    """Cohorts with their application counts per state, in one query."""
    counts = {
        f"n_{state}": Count("applications", filter=Q(applications__state=state))
        for state in ApplicationState.values
    }
    return (
        Cohort.objects.select_related("programme", "call")
        .annotate(n_applications=Count("applications"), **counts)
        .order_by("-starts_on")
    )
