"""GPU compute and cloud credits: rows for tests/api/test_permissions.py.

The world gains a cluster with four GPUs, GPU-hours and credits for the founder's startup,
its names on the cluster and at the cloud provider, and one booking of it.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

ROLES = (
    "anonymous",
    "founder",
    "other_founder",
    "reviewer",
    "finance_approver",
    "partner",
    "programme_manager",
    "administrator",
)


def _expect(default, **codes):
    return {**dict.fromkeys(ROLES, default), "anonymous": 401, **codes}


SIGNED_IN = _expect(200)
OWN_READ = _expect(404, founder=200, programme_manager=200, administrator=200)
BOOK = _expect(404, founder=201, programme_manager=403, administrator=403)
CANCEL = _expect(404, founder=200, programme_manager=200, administrator=200)
CALENDAR = _expect(403, founder=200, other_founder=200, programme_manager=200, administrator=200)
STAFF_READ = _expect(403, programme_manager=200, administrator=200)
STAFF_IMPORT = _expect(403, programme_manager=201, administrator=201)


def _start():
    return timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=3)


def prepare(world):
    from nurture.compute.models import (
        Booking,
        CloudAccount,
        Cluster,
        ComputeAccount,
        GpuModel,
        Node,
    )
    from tests import factories
    from tests.compute.conftest import grant

    startup = world["startup"]
    grant(startup, factories.ProgrammeFactory(), hours=Decimal(50), credits=Decimal(100))
    ComputeAccount.objects.create(startup=startup, slurm_account="api-world", namespace="api-world")
    CloudAccount.objects.create(startup=startup, account_id="api-world-1")
    world["cluster"] = Cluster.objects.create(name="API cluster", slug="api")
    world["gpu_model"] = model = GpuModel.objects.create(name="API GPU", slug="api-gpu")
    Node.objects.create(cluster=world["cluster"], name="n1", gpu_model=model, gpu_count=4)
    starts = _start()
    world["booking"] = Booking.objects.create(
        startup=startup,
        gpu_model=model,
        gpus=1,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        gpu_hours=Decimal(1),
    )


def _book(api, w):
    starts = _start() + timedelta(hours=2)
    return api.post(
        "/compute/bookings",
        {
            "startup": w["startup"].pk,
            "gpu_model": w["gpu_model"].pk,
            "gpus": 2,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
        },
    )


def _slurm(api, w):
    body = b"9001|api-world|2026-11-02T09:00:00|2026-11-02T10:00:00|gres/gpu=1\n"
    return api.client.post(
        "/api/compute/slurm-imports",
        {"cluster": w["cluster"].pk, "file": SimpleUploadedFile("sacct.txt", body)},
        headers=api.headers,
    )


def _billing(api, w):
    body = b"billing_month,account_id,service,cost_usd,line_id\n2026-10,api-world-1,ECS,10,L1\n"
    return api.client.post(
        "/api/compute/billing-imports",
        {"provider": "alibaba_cloud", "file": SimpleUploadedFile("bill.csv", body)},
        headers=api.headers,
    )


ENDPOINTS = {
    "compute booking list": (lambda api, w: api.get("/compute/bookings"), SIGNED_IN),
    "compute booking create": (_book, BOOK),
    "compute booking cancel": (
        lambda api, w: api.post(f"/compute/bookings/{w['booking'].pk}/cancel"),
        CANCEL,
    ),
    "compute availability": (
        lambda api, w: api.get(f"/compute/availability?gpu_model={w['gpu_model'].pk}"),
        CALENDAR,
    ),
    "compute usage": (
        lambda api, w: api.get(f"/compute/startups/{w['startup'].pk}/usage"),
        OWN_READ,
    ),
    "compute slurm import": (_slurm, STAFF_IMPORT),
    "compute billing import": (_billing, STAFF_IMPORT),
    "compute export sacctmgr": (lambda api, w: api.get("/compute/exports/sacctmgr"), STAFF_READ),
    "compute export resourcequota": (
        lambda api, w: api.get("/compute/exports/resourcequota"),
        STAFF_READ,
    ),
}
