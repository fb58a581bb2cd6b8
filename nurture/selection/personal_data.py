"""What the selection app holds about a person, for a data access request (see
nurture/privacy/export.py).

For the applications of the person's startups: the decision and the offer's answer, once the
decision has been sent (founders see a decision from then on). Staff's marks, proposals,
the reasons for changing a proposed outcome and who decided or answered are left out: they
are staff's notes and other people's identities, not the person's data.
"""

from nurture.privacy.export import Contribution, personal_data
from nurture.startups.models import StartupMember

from .models import Decision

FIELDS = (
    "id",
    "application_id",
    "outcome",
    "waitlist_position",
    "decided_at",
    "sent_at",
    "offer_deadline",
    "response",
    "responded_at",
)


@personal_data("selection")
def selection_data(user) -> Contribution:
    startups = StartupMember.objects.filter(user=user).values("startup_id")
    decisions = Decision.objects.filter(
        application__startup_id__in=startups, sent_at__isnull=False
    ).order_by("pk")
    return Contribution(
        records={
            "decisions": [
                {
                    **{name: getattr(d, name) for name in FIELDS},
                    "responded_by_me": d.responded_by_id == user.pk,
                }
                for d in decisions
            ]
        }
    )
