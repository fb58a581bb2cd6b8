"""The demo's platform accounts: one provisioned and one requested for a startup of the
running cohort, and one left open after its programme ended (staff are reminded to revoke
it). Idempotent: nothing is added once any account exists. Account names are fictional."""

from collections import Counter
from datetime import datetime, time

from django.utils import timezone

from nurture.applications.models import Application, ApplicationState

from . import services
from .models import AccessStatus, Platform, PlatformAccess


def demo_platforms_load(*, manager) -> Counter:
    created: Counter = Counter()
    if PlatformAccess.objects.exists():
        return created
    platforms = {
        p.slug: p for p in Platform.objects.filter(slug__in=["alibaba_cloud", "sensetime"])
    }
    if len(platforms) < 2:
        return created
    today = timezone.localdate()
    accepted = Application.objects.filter(state=ApplicationState.ACCEPTED).select_related(
        "startup", "cohort"
    )
    running = (
        accepted.filter(cohort__starts_on__lte=today, cohort__ends_on__gte=today)
        .order_by("startup__name")
        .first()
    )
    if running is not None:
        founder = running.startup.members.order_by("pk").first()
        if founder is not None:
            access = services.platform_access_request(
                application=running,
                platform=platforms["alibaba_cloud"],
                actor=founder,
                purpose="Train the defect-detection models on the Lab's credits. (Demo data.)",
            )
            services.platform_access_provision(
                access=access, actor=manager, account_identifier="demo-pai-0001 (fictional)"
            )
            services.platform_access_request(
                application=running,
                platform=platforms["sensetime"],
                actor=founder,
                purpose="Try the detection model services. (Demo data.)",
            )
            created["platform accounts"] += 2
    ended = accepted.filter(cohort__ends_on__lt=today).order_by("-cohort__ends_on").first()
    if ended is not None:
        founder = ended.startup.members.order_by("pk").first()
        if founder is not None:
            # Written directly: the service refuses requests once the programme has ended,
            # and this account was opened while it ran.
            opened = timezone.make_aware(datetime.combine(ended.cohort.starts_on, time(10)))
            PlatformAccess.objects.create(
                platform=platforms["sensetime"],
                application=ended,
                status=AccessStatus.PROVISIONED,
                requested_by=founder,
                requested_at=opened,
                account_identifier="demo-st-0042 (fictional)",
                provisioned_by=manager,
                provisioned_at=opened,
                ends_on=ended.cohort.ends_on,
            )
            created["platform accounts"] += 1
    return created
