"""The demo's GPU cluster and its use: a fictional inventory, the admitted startups' names on
the cluster and at the cloud provider, a few bookings, two weeks of Slurm jobs and a month of
cloud billing. Idempotent: once the demo cluster exists, a second load adds nothing. Every
host name, account id and figure is invented.
"""

import io
import random
from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from nurture.applications.models import Application, ApplicationState
from nurture.resources.services import LedgerError, benefits_open

from . import services
from .models import CloudProvider, Cluster, ComputeAccount, GpuModel, Node

CLUSTER_SLUG = "hkai-demo"
INVENTORY = [
    # (model, GRES type, memory GB, nodes, GPUs per node)
    ("NVIDIA A100 80GB (demo)", "a100", 80, 4, 8),
    ("NVIDIA H100 80GB (demo)", "h100", 80, 2, 8),
    ("NVIDIA L40S 48GB (demo)", "l40s", 48, 2, 4),
]


def demo_compute_load(*, manager, seed: int = 20261129) -> Counter:
    created: Counter = Counter()
    if Cluster.objects.filter(slug=CLUSTER_SLUG).exists():
        return created
    rng = random.Random(seed)
    cluster = services.inventory_save(
        obj=Cluster(name="HKAI Lab GPU cluster (fictional demo)", slug=CLUSTER_SLUG),
        actor=manager,
    )
    models = []
    for name, slug, memory, nodes, gpus in INVENTORY:
        model = GpuModel.objects.filter(slug=slug).first() or services.inventory_save(
            obj=GpuModel(name=name, slug=slug, memory_gb=memory), actor=manager
        )
        models.append(model)
        for number in range(1, nodes + 1):
            services.inventory_save(
                obj=Node(
                    cluster=cluster, name=f"{slug}-{number:02d}", gpu_model=model, gpu_count=gpus
                ),
                actor=manager,
            )
            created["GPU nodes"] += 1
    accepted = list(
        Application.objects.filter(state=ApplicationState.ACCEPTED)
        .select_related("startup", "cohort")
        .order_by("-cohort__starts_on", "startup__name")[:8]
    )
    startups = []
    for application in accepted:
        try:
            benefits_open(application=application, actor=manager)
        except LedgerError:
            continue
        startup = application.startup
        if ComputeAccount.objects.filter(startup=startup).exists():
            continue
        name = (slugify(startup.name) or f"startup-{startup.pk}")[:40].strip("-")
        name = f"{name}-{startup.pk}"
        services.compute_account_save(
            startup=startup, slurm_account=name, namespace=name, max_gpus=8, actor=manager
        )
        services.cloud_account_add(
            startup=startup,
            provider=CloudProvider.ALIBABA_CLOUD,
            account_id=f"demo-{startup.pk:06d}",
            actor=manager,
        )
        startups.append((startup, name))
        created["compute accounts"] += 1
    if not startups:
        return created
    # Two weeks of finished jobs, in the cluster's own format.
    today = timezone.localdate()
    lines = []
    job = 400_000
    for days_ago in range(14, 0, -1):
        day = today - timedelta(days=days_ago)
        for _startup, name in startups:
            for _run in range(rng.randint(0, 3)):
                job += 1
                gpus = rng.choice((1, 2, 4, 8))
                start = rng.randint(0, 18)
                hours = rng.randint(1, 5)
                lines.append(
                    f"{job}|{name}|{day:%Y-%m-%d}T{start:02d}:00:00|"
                    f"{day:%Y-%m-%d}T{start + hours:02d}:{rng.randint(0, 59):02d}:00|"
                    f"billing={gpus * 4},cpu={gpus * 4},gres/gpu={gpus},mem={gpus * 32}G,node=1\n"
                )
    result = services.slurm_import(
        cluster=cluster,
        upload=io.BytesIO("".join(lines).encode()),
        file_name="sacct-demo.txt",
        actor=manager,
    )
    created["Slurm jobs"] += result.new
    # Next week's bookings.
    monday = today + timedelta(days=7 - today.weekday())
    zone = timezone.get_current_timezone()
    for index, (startup, _name) in enumerate(startups[:4]):
        day = monday + timedelta(days=index)
        starts = timezone.make_aware(datetime.combine(day, time(9)), zone)
        member = startup.members.first()
        try:
            services.booking_create(
                startup=startup,
                gpu_model=models[index % len(models)],
                gpus=4,
                starts_at=starts,
                ends_at=starts + timedelta(hours=8),
                purpose="Model training (demo)",
                actor=member,
            )
            created["GPU bookings"] += 1
        except services.ComputeError:
            pass
    # Last month's cloud bill: the first startup has used most of its credits.
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    rows = ["billing_month,account_id,service,cost_usd,line_id"]
    for index, (startup, _name) in enumerate(startups):
        cost = Decimal("8350.25") if index == 0 else Decimal(rng.randint(200, 3000))
        for part, service in enumerate(("ECS", "OSS", "PAI")):
            share = (cost * Decimal((5, 3, 2)[part]) / 10).quantize(Decimal("0.01"))
            rows.append(
                f"{month},demo-{startup.pk:06d},{service},{share},demo-{month}-{startup.pk}-{part}"
            )
    billed = services.billing_import(
        provider=CloudProvider.ALIBABA_CLOUD,
        upload=io.BytesIO(("\n".join(rows) + "\n").encode()),
        file_name="billing-demo.csv",
        actor=manager,
    )
    created["cloud billing lines"] += billed.new
    return created
