"""A Lab with a cluster and an admitted startup holding GPU-hours and cloud credits."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from nurture.applications.models import ApplicationState
from nurture.compute.models import CloudAccount, Cluster, ComputeAccount, GpuModel, Node
from nurture.resources.models import AccountKind, Resource, TransactionKind, Unit
from nurture.resources.services import account_open, ledger_post, pool_fund
from tests import factories


def grant(startup, programme, *, hours=Decimal("0"), credits=Decimal("0")):
    """Post a startup's GPU-hours and credits from the programme's pools."""
    for resource, unit, amount in (
        (Resource.GPU_HOURS, Unit.GPU_HOURS, hours),
        (Resource.CLOUD_CREDITS, Unit.USD, credits),
    ):
        if not amount:
            continue
        pool_fund(programme=programme, resource=resource, unit=unit, amount=amount * 10, actor=None)
        pool = account_open(
            programme=programme, kind=AccountKind.POOL, resource=resource, unit=unit
        )
        asset = account_open(startup=startup, kind=AccountKind.ASSET, resource=resource, unit=unit)
        ledger_post(
            lines=[(pool, -amount), (asset, amount)],
            memo="entitlement",
            kind=TransactionKind.ENTITLEMENT,
        )


def admitted(programme, name: str, *, hours="100", credits="1000"):
    startup, founder = factories.startup_with_founder(startup__name=name)
    # A programme of its own: transactional tests flush the one the data migration seeds.
    cohort = factories.CohortFactory(programme=programme or factories.ProgrammeFactory())
    factories.ApplicationFactory(startup=startup, cohort=cohort, state=ApplicationState.ACCEPTED)
    grant(startup, cohort.programme, hours=Decimal(hours), credits=Decimal(credits))
    slug = name.lower().replace(" ", "-")
    ComputeAccount.objects.create(startup=startup, slurm_account=slug, namespace=slug)
    CloudAccount.objects.create(startup=startup, account_id=f"acct-{slug}")
    return startup, founder


def lab():
    cluster = Cluster.objects.create(name="Lab cluster", slug="hkai")
    a100 = GpuModel.objects.create(name="NVIDIA A100 80GB", slug="a100", memory_gb=80)
    Node.objects.create(cluster=cluster, name="gpu01", gpu_model=a100, gpu_count=4)
    Node.objects.create(cluster=cluster, name="gpu02", gpu_model=a100, gpu_count=4)
    startup, founder = admitted(None, "Alpha Vision")
    other, other_founder = admitted(None, "Beta Speech")
    return SimpleNamespace(
        cluster=cluster,
        a100=a100,
        startup=startup,
        founder=founder,
        other=other,
        other_founder=other_founder,
        manager=factories.ProgrammeManagerFactory(),
    )


@pytest.fixture
def compute(db):
    return lab()


def next_hour(hours_ahead: int = 1):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return now + timedelta(hours=hours_ahead)


# Real threads need the database reachable from their own connections (see tests/resources).
from tests.resources.conftest import threaded_db  # noqa: E402, F401
