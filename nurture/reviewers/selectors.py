"""Reads for dashboards: what a reviewer must do next in bidding, in a fixed number of
queries."""

from django.db.models import Count, Q

from .models import Bid, ReviewerProfile
from .permissions import biddable_applications, bidding_rounds


def reviewer_bidding(user) -> dict:
    """The rounds open for bidding, with how many applications the reviewer may bid for and
    how many they have bid for; and whether their profile exists yet."""
    rounds = []
    for review_round in bidding_rounds(user).select_related("cohort").order_by("-created_at"):
        counts = biddable_applications(user, review_round).aggregate(
            n=Count("pk", distinct=True),
            bids=Count("bids", filter=Q(bids__reviewer=user), distinct=True),
        )
        rounds.append({"round": review_round, "n": counts["n"], "bids": counts["bids"]})
    return {
        "rounds": rounds,
        "has_profile": ReviewerProfile.objects.filter(user=user).exists(),
        "total_bids": Bid.objects.filter(reviewer=user).count(),
    }
