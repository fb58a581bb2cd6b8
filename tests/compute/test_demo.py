from nurture.compute.models import Booking, ComputeAccount, CreditAlert, Node, UsageRecord
from nurture.core.demo import demo_load
from nurture.resources.selectors import ledger_problems


def test_the_demo_loads_a_cluster_and_its_use_once(db):
    demo_load()
    counts = (
        Node.objects.count(),
        ComputeAccount.objects.count(),
        UsageRecord.objects.count(),
        Booking.objects.count(),
    )
    assert all(counts), counts
    assert CreditAlert.objects.filter(threshold=80).exists()
    assert ledger_problems() == []

    demo_load()

    assert (
        Node.objects.count(),
        ComputeAccount.objects.count(),
        UsageRecord.objects.count(),
        Booking.objects.count(),
    ) == counts
