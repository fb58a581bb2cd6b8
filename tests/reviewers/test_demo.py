"""The demo's advisory board: a profile per board member, the open cohort's written round in
bidding with a few bids; loading twice adds nothing."""

from nurture.accounts.models import Role, User
from nurture.core import demo
from nurture.reviewers.models import Bid, ReviewerProfile, ReviewRound, RoundKind, RoundState


def test_demo_gives_every_board_member_a_profile_and_opens_bidding(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.demo_load()
    board = User.objects.filter(role=Role.REVIEWER)
    assert board.count() == ReviewerProfile.objects.count() == 15
    assert {p.kind for p in ReviewerProfile.objects.all()} >= {"professor", "ai_scientist"}
    assert ReviewerProfile.objects.exclude(sectors=None).exists()
    bidding = ReviewRound.objects.get(kind=RoundKind.WRITTEN, state=RoundState.BIDDING)
    assert bidding.cohort.call.closes_at < bidding.bidding_closes_at < bidding.deadline
    printed = User.objects.get(email=demo.LOGIN_EMAILS[Role.REVIEWER])
    assert Bid.objects.filter(reviewer=printed).count() == 4
    counts = (ReviewerProfile.objects.count(), ReviewRound.objects.count(), Bid.objects.count())

    demo.demo_load()

    assert (ReviewerProfile.objects.count(), ReviewRound.objects.count(), Bid.objects.count()) == (
        counts
    )
