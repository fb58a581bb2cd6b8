"""What the platforms app holds about a person, for a data access request (see
nurture/privacy/export.py).

The platform access requests of the person's startups' applications, with the platform's
name and the account given. Who asked, provisioned or closed is said only as whether the
person asked.
"""

from nurture.privacy.export import Contribution, personal_data, row
from nurture.startups.models import StartupMember

from .models import PlatformAccess


@personal_data("platforms")
def platforms_data(user) -> Contribution:
    startups = StartupMember.objects.filter(user=user).values("startup_id")
    accesses = (
        PlatformAccess.objects.filter(application__startup_id__in=startups)
        .select_related("platform")
        .order_by("pk")
    )
    return Contribution(
        records={
            "platform_accesses": [
                {
                    **row(a, exclude=["requested_by", "provisioned_by", "closed_by"]),
                    "platform": a.platform.name,
                    "requested_by_me": a.requested_by_id == user.pk,
                }
                for a in accesses
            ]
        }
    )
