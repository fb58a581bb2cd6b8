"""The demo's seed funding: every admitted startup's schedule, one tranche paid and one
waiting for finance. Idempotent: a second load adds nothing. The bank details are fictional.
"""

from collections import Counter

from django.utils import timezone

from nurture.applications.models import Application, ApplicationState

from . import services
from .models import Disbursement

DEMO_BANK = {
    "bank_account_name": "{startup} Limited (fictional demo account)",
    "bank_name": "Demo Harbour Bank (fictional)",
    "bank_account_number": "000-{number:06d}-001",
}


def _bank(application: Application) -> dict[str, str]:
    return {
        "bank_account_name": DEMO_BANK["bank_account_name"].format(
            startup=application.startup.name
        ),
        "bank_name": DEMO_BANK["bank_name"],
        "bank_account_number": DEMO_BANK["bank_account_number"].format(
            number=application.startup_id
        ),
    }


def demo_funding_load(*, manager, finance) -> Counter:
    created: Counter = Counter()
    accepted = list(
        Application.objects.filter(state=ApplicationState.ACCEPTED)
        .select_related("startup", "cohort__programme")
        .order_by("-cohort__starts_on", "startup__name")
    )
    schedules = {}
    for application in accepted:
        existed = application.tranches.exists()
        schedules[application.pk] = services.tranche_schedule_create(
            application=application, actor=manager
        )
        created["seed-funding schedules"] += not existed
    if not accepted or Disbursement.objects.filter(tranche__application__in=accepted).exists():
        return created
    today = timezone.localdate()
    due = [
        (application, schedules[application.pk][0])
        for application in accepted
        if schedules[application.pk] and schedules[application.pk][0].due_on <= today
    ]
    if due:
        application, tranche = due[0]
        paid = services.disbursement_request(
            tranche=tranche,
            actor=manager,
            evidence="Funding agreement signed; place confirmed. (Demo data.)",
            **_bank(application),
        )
        services.disbursement_approve(
            disbursement=paid, actor=finance, payment_reference="DEMO-TT-000001"
        )
        created["disbursements paid"] += 1
    if len(due) > 1:
        application, tranche = due[1]
        services.disbursement_request(
            tranche=tranche,
            actor=manager,
            evidence="Funding agreement signed; place confirmed. (Demo data.)",
            **_bank(application),
        )
        created["disbursements waiting for approval"] += 1
    return created
