import pytest
from django.utils import timezone

from nurture.applications.models import Application, ApplicationState
from nurture.core import demo
from nurture.funding.models import Disbursement, DisbursementStatus, Tranche
from nurture.platforms.models import PlatformAccess
from nurture.resources.selectors import ledger_problems

pytestmark = pytest.mark.django_db


def test_the_demo_has_schedules_one_paid_and_one_pending_tranche_once():
    demo.demo_load()
    demo.demo_load()

    accepted = Application.objects.filter(state=ApplicationState.ACCEPTED).count()
    assert accepted > 0
    assert Tranche.objects.count() == 3 * accepted
    assert sorted(Disbursement.objects.values_list("status", flat=True)) == [
        DisbursementStatus.APPROVED,
        DisbursementStatus.PENDING,
    ]
    paid = Disbursement.objects.get(status=DisbursementStatus.APPROVED)
    assert paid.requested_by != paid.decided_by
    assert "fictional" in paid.bank_name
    assert ledger_problems() == []
    statuses = sorted(PlatformAccess.objects.values_list("status", flat=True))
    assert statuses == ["provisioned", "provisioned", "requested"]
    # The account of the ended programme is on the staff's list to revoke.
    assert PlatformAccess.objects.filter(ends_on__lt=timezone.localdate()).count() == 1
