"""What the compute app holds about a person, for a data access request (see
nurture/privacy/export.py).

The GPU bookings the person made (not a co-founder's; usage records are the startup's, not a
person's) and the names of their startups' compute and cloud accounts. Who cancelled a
booking is said only as whether the person did.
"""

from nurture.privacy.export import Contribution, personal_data, row
from nurture.startups.models import StartupMember

from .models import Booking, CloudAccount, ComputeAccount


@personal_data("compute")
def compute_data(user) -> Contribution:
    startups = StartupMember.objects.filter(user=user).values("startup_id")
    bookings = Booking.objects.filter(created_by=user).select_related("gpu_model").order_by("pk")
    return Contribution(
        records={
            "gpu_bookings": [
                {
                    **row(b, exclude=["cancelled_by", "idempotency_key"]),
                    "gpu_model": b.gpu_model.name,
                    "cancelled_by_me": b.cancelled_by_id == user.pk,
                }
                for b in bookings
            ],
            "compute_accounts": list(
                ComputeAccount.objects.filter(startup_id__in=startups)
                .order_by("pk")
                .values("id", "startup_id", "slurm_account", "namespace", "max_gpus")
            ),
            "cloud_accounts": list(
                CloudAccount.objects.filter(startup_id__in=startups)
                .order_by("pk")
                .values("id", "startup_id", "provider", "account_id")
            ),
        }
    )
