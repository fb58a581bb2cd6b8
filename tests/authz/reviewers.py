"""Rows for reviewers, conflicts, bidding, review rounds and assignment."""

from nurture.reviewers.models import (
    Assignment,
    AssignmentRun,
    Conflict,
    ConflictSource,
    ReviewerProfile,
    ReviewRound,
    RoundKind,
    RoundState,
    RunState,
)

from . import LOGIN, REDIRECT, roles, staff_only


def reviewer_only(code=200):
    return roles(403, anonymous=LOGIN, reviewer=code)


def prepare(world):
    reviewer = world.users["reviewer"]
    world.reviewer_profile = ReviewerProfile.objects.create(
        user=reviewer, kind="professor", expertise="Computer vision"
    )
    world.review_round = ReviewRound.objects.create(
        cohort=world.cohort, kind=RoundKind.WRITTEN, state=RoundState.BIDDING, max_load=5
    )
    world.run = AssignmentRun.objects.create(round=world.review_round, state=RunState.DONE)
    world.assignment = Assignment.objects.create(
        round=world.review_round, application=world.application, reviewer=reviewer
    )
    world.conflict = Conflict.objects.create(
        reviewer=reviewer, startup=world.other_application.startup, source=ConflictSource.EQUITY
    )


ROWS = {
    "reviewers:profile": ("get", lambda w: [], reviewer_only()),
    # One round is open for bidding: the index goes straight to it.
    "reviewers:bidding": ("get", lambda w: [], reviewer_only(REDIRECT)),
    "reviewers:bids": ("get", lambda w: [w.review_round.pk], reviewer_only()),
    "reviewers:bid": (
        "post",
        lambda w: [w.review_round.pk, w.application.pk],
        reviewer_only(REDIRECT),
    ),
    "reviewers:declare": (
        "get",
        lambda w: [w.review_round.pk, w.application.pk],
        reviewer_only(),
    ),
    "reviewers:assigned": ("get", lambda w: [], reviewer_only()),
    # The assignment sits in a round in bidding, so no reviewer sees it yet: 404 even for
    # its reviewer (the published case is in tests/reviewers/test_views.py).
    "reviewers:declare_assigned": ("get", lambda w: [w.assignment.pk], reviewer_only(404)),
    "reviewers:manage_list": ("get", lambda w: [], staff_only()),
    "reviewers:manage_invite": ("get", lambda w: [], staff_only()),
    "reviewers:manage_edit": ("get", lambda w: [w.reviewer_profile.pk], staff_only()),
    "reviewers:manage_active": ("post", lambda w: [w.reviewer_profile.pk], staff_only(REDIRECT)),
    "reviewers:conflict_list": ("get", lambda w: [], staff_only()),
    "reviewers:conflict_create": ("get", lambda w: [], staff_only()),
    "reviewers:conflict_lift": ("post", lambda w: [w.conflict.pk], staff_only(REDIRECT)),
    "reviewers:cohort_rounds": ("get", lambda w: [w.cohort.pk], staff_only()),
    "reviewers:round_create": ("get", lambda w: [w.cohort.pk, "panel"], staff_only()),
    "reviewers:round_detail": ("get", lambda w: [w.review_round.pk], staff_only()),
    "reviewers:round_edit": ("get", lambda w: [w.review_round.pk], staff_only()),
    "reviewers:run_start": ("post", lambda w: [w.review_round.pk], staff_only(REDIRECT)),
    "reviewers:run_detail": ("get", lambda w: [w.run.pk], staff_only()),
    "reviewers:round_publish": ("post", lambda w: [w.review_round.pk], staff_only(REDIRECT)),
    "reviewers:panel_assign": ("post", lambda w: [w.review_round.pk], staff_only(REDIRECT)),
    "reviewers:pair_add": (
        "post",
        lambda w: [w.review_round.pk, w.application.pk],
        staff_only(REDIRECT),
    ),
    "reviewers:pair_remove": ("post", lambda w: [w.assignment.pk], staff_only(REDIRECT)),
    "reviewers:pair_swap": ("post", lambda w: [w.assignment.pk], staff_only(REDIRECT)),
}
