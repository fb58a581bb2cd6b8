"""Rows for reviews: the reviewer's pages (their own assignments only), the panel page, and
the staff's round overview, export and rubric editor."""

from nurture.reviewers.models import Assignment, ReviewRound, RoundKind, RoundState
from nurture.reviews import services
from tests import factories

from . import LOGIN, REDIRECT, roles, staff_only


def reviewer_only(code=200):
    return roles(403, anonymous=LOGIN, reviewer=code)


def staff_post():
    return roles(403, anonymous=LOGIN, manager=REDIRECT, admin=REDIRECT)


def prepare(world):
    reviewer = world.users["reviewer"]
    cohort = factories.CallFactory().cohort
    application = factories.submitted(cohort=cohort, startup=world.startup)
    written = ReviewRound.objects.create(
        cohort=cohort, kind=RoundKind.WRITTEN, state=RoundState.PUBLISHED
    )
    panel = ReviewRound.objects.create(
        cohort=cohort, kind=RoundKind.PANEL, state=RoundState.PUBLISHED
    )
    world.reviews_assignment = Assignment.objects.create(
        round=written, application=application, reviewer=reviewer
    )
    world.reviews_panel_assignment = Assignment.objects.create(
        round=panel, application=application, reviewer=reviewer
    )
    peer = Assignment.objects.create(
        round=written, application=application, reviewer=factories.ReviewerFactory()
    )
    criteria = services.rubric_ensure(programme=cohort.programme)
    world.reviews_review = services.review_submit(
        user=peer.reviewer,
        assignment=peer,
        changes={
            "scores": {c.pk: 3 for c in criteria},
            "recommendation": "neutral",
            "confidence": 2,
        },
    )
    world.reviews_round = written
    world.reviews_panel = panel
    world.reviews_application = application
    world.reviews_criterion = criteria[0]


ROWS = {
    "reviews:mine": ("get", lambda w: [], reviewer_only()),
    "reviews:assignment": ("get", lambda w: [w.reviews_assignment.pk], reviewer_only()),
    "reviews:save": ("post", lambda w: [w.reviews_assignment.pk], reviewer_only(REDIRECT)),
    "reviews:pitch_deck": ("get", lambda w: [w.reviews_assignment.pk], reviewer_only()),
    "reviews:panel": ("get", lambda w: [w.reviews_panel.pk], reviewer_only()),
    "reviews:panel_score": ("get", lambda w: [w.reviews_panel_assignment.pk], reviewer_only()),
    "reviews:panel_tap": (
        "post",
        lambda w: [w.reviews_panel_assignment.pk],
        reviewer_only(REDIRECT),
    ),
    "reviews:rounds": ("get", lambda w: [], staff_only()),
    "reviews:round": ("get", lambda w: [w.reviews_round.pk], staff_only()),
    "reviews:round_application": (
        "get",
        lambda w: [w.reviews_round.pk, w.reviews_application.pk],
        staff_only(),
    ),
    "reviews:round_export": ("get", lambda w: [w.reviews_round.pk], staff_only()),
    "reviews:review_reopen": ("post", lambda w: [w.reviews_review.pk], staff_post()),
    "reviews:rubric": ("get", lambda w: [w.programme.pk], staff_only()),
    "reviews:criterion_create": ("get", lambda w: [w.programme.pk], staff_only()),
    "reviews:criterion_edit": ("get", lambda w: [w.reviews_criterion.pk], staff_only()),
    "reviews:criterion_toggle": ("post", lambda w: [w.reviews_criterion.pk], staff_post()),
}
