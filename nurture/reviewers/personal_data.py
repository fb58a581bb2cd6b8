"""What the reviewers app holds about a person, for a data access request (see
nurture/privacy/export.py).

A reviewer gets their profile, the conflicts of interest recorded about them (declared by
them, by staff or detected), their bids and their assignments. Who else declared or lifted a
conflict, and who drafted an assignment, are staff's identities: only whether the person did
it themselves is said. A founder gets nothing here: conflicts about their startup name the
reviewers, whose identities stay confidential.
"""

from django.db.models import Q

from nurture.privacy.export import Contribution, personal_data, row, rows

from .models import Assignment, Bid, Conflict, ReviewerProfile


@personal_data("reviewers")
def reviewers_data(user) -> Contribution:
    profiles = ReviewerProfile.objects.filter(user=user).order_by("pk")
    conflicts = Conflict.objects.filter(reviewer=user).order_by("pk")
    bids = Bid.objects.filter(reviewer=user).order_by("pk")
    assignments = Assignment.objects.filter(reviewer=user).order_by("pk")
    # Conflicts the person declared about another reviewer are about that reviewer.
    declared = Conflict.objects.filter(Q(declared_by=user) & ~Q(reviewer=user)).order_by("pk")
    return Contribution(
        records={
            "profile": rows(profiles),
            "conflicts": [
                {
                    **row(c, exclude=["declared_by", "lifted_by"]),
                    "declared_by_me": c.declared_by_id == user.pk,
                    "lifted_by_me": c.lifted_by_id == user.pk,
                }
                for c in conflicts
            ],
            "conflicts_declared_about_others": [
                {"id": c.pk, "source": c.source, "created_at": c.created_at} for c in declared
            ],
            "bids": rows(bids),
            "assignments": rows(assignments, exclude=["created_by", "run"]),
        }
    )
