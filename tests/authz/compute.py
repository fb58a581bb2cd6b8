"""Rows for GPU compute and cloud credits: founders' pages and programme staff's screens."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from . import LOGIN, REDIRECT, roles, staff_only, team_only


def prepare(world):
    from django.core.files.base import ContentFile

    from nurture.compute.models import Booking, Cluster, GpuModel, ImportJob, Node

    cluster = Cluster.objects.create(name="Authz cluster", slug="authz")
    model = GpuModel.objects.create(name="Authz GPU", slug="authz-gpu")
    world.node = Node.objects.create(cluster=cluster, name="n1", gpu_model=model, gpu_count=4)
    starts = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    job = ImportJob(kind="slurm", cluster=cluster, file_name="sacct.txt")
    job.file.save("authz.txt", ContentFile(b""), save=False)
    job.save()
    world.import_job = job
    world.booking = Booking.objects.create(
        startup=world.startup,
        gpu_model=model,
        gpus=1,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        gpu_hours=Decimal(1),
    )


FOUNDERS_AND_STAFF = roles(
    403, anonymous=LOGIN, member=200, other_founder=200, manager=200, admin=200
)

ROWS = {
    # A founder lands on their startup's page; staff on the quotas.
    "compute:mine": (
        "get",
        lambda w: [],
        roles(
            403,
            anonymous=LOGIN,
            member=REDIRECT,
            other_founder=REDIRECT,
            manager=REDIRECT,
            admin=REDIRECT,
        ),
    ),
    "compute:startup": ("get", lambda w: [w.startup.pk], team_only(staff=200)),
    "compute:book": ("get", lambda w: [w.startup.pk], team_only()),
    "compute:booking_cancel": (
        "post",
        lambda w: [w.booking.pk],
        team_only(member=REDIRECT, staff=REDIRECT),
    ),
    # Another startup's booking is not found, as if it did not exist.
    "compute:booking_ics": (
        "get",
        lambda w: [w.booking.pk],
        roles(404, anonymous=LOGIN, member=200, manager=200, admin=200),
    ),
    "compute:availability": ("get", lambda w: [], FOUNDERS_AND_STAFF),
    "compute:inventory": ("get", lambda w: [], staff_only()),
    "compute:inventory_new": ("get", lambda w: ["node"], staff_only()),
    "compute:inventory_edit": ("get", lambda w: ["node", w.node.pk], staff_only()),
    "compute:quotas": ("get", lambda w: [], staff_only()),
    "compute:startup_manage": ("get", lambda w: [w.startup.pk], staff_only()),
    "compute:slurm_import": ("get", lambda w: [], staff_only()),
    "compute:billing_import": ("get", lambda w: [], staff_only()),
    "compute:import_job": ("get", lambda w: [w.import_job.pk], staff_only()),
    "compute:export_sacctmgr": ("get", lambda w: [], staff_only()),
    "compute:export_resourcequota": ("get", lambda w: [], staff_only()),
}
