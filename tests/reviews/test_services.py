from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from nurture.audit.models import AuditEntry
from nurture.reviewers.models import RoundState
from nurture.reviews import services
from nurture.reviews.models import Criterion, Review, ReviewReminder, ReviewState, Score
from tests import factories

from .helpers import assign, criteria, full_changes, published_round, submitted_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_default_rubric_is_seeded_with_five_anchored_criteria():
    programme = factories.programme_default()
    rubric = services.rubric_criteria(programme)
    assert [c.key for c in rubric] == ["team", "technology", "market", "fit", "impact_hk"]
    assert all(len(c.anchors.all()) == 5 for c in rubric)
    assert all(c.label_zh_hant and c.anchors.all()[0].text_zh_hant for c in rubric)


def test_a_draft_keeps_what_is_entered_and_computes_no_total_until_complete():
    assignment = assign(published_round())
    first = criteria(assignment.round)[0]
    review = services.review_save(
        user=assignment.reviewer, assignment=assignment, changes={"scores": {first.pk: 5}}
    )
    assert review.state == ReviewState.DRAFT
    assert review.weighted_total is None
    assert dict(review.scores.values_list("criterion_id", "value")) == {first.pk: 5}
    assert AuditEntry.objects.filter(action="review.draft_saved").count() == 1


def test_submit_stores_the_weighted_total():
    review_round = published_round()
    rubric = criteria(review_round)
    Criterion.objects.filter(pk=rubric[0].pk).update(weight=Decimal("3"))
    assignment = assign(review_round)
    scores = {rubric[0].pk: 5, **{c.pk: 1 for c in rubric[1:]}}
    review = services.review_submit(
        user=assignment.reviewer,
        assignment=assignment,
        changes=full_changes(review_round, scores=scores),
    )
    assert review.state == ReviewState.SUBMITTED
    assert review.submitted_at is not None
    # (3×5 + 4×1) / 7
    assert review.weighted_total == Decimal("2.714")


def test_submit_needs_every_score_a_recommendation_and_a_confidence_and_saves_nothing():
    assignment = assign(published_round())
    rubric = criteria(assignment.round)
    with pytest.raises(services.ReviewError) as error:
        services.review_submit(
            user=assignment.reviewer,
            assignment=assignment,
            changes={"scores": {rubric[0].pk: 3}},
        )
    assert error.value.code == "incomplete"
    fields = [field for field, _message in error.value.problems]
    assert fields == [f"scores.{c.pk}" for c in rubric[1:]] + ["recommendation", "confidence"]
    assert Review.objects.count() == 0
    assert Score.objects.count() == 0


@pytest.mark.parametrize("bad", [0, 6, -1, "x", 3.5])
def test_a_score_outside_1_to_5_is_refused(bad):
    assignment = assign(published_round())
    first = criteria(assignment.round)[0]
    with pytest.raises(services.ReviewError) as error:
        services.review_save(
            user=assignment.reviewer, assignment=assignment, changes={"scores": {first.pk: bad}}
        )
    assert error.value.status == 422
    assert error.value.problems[0][0] == f"scores.{first.pk}"
    assert Review.objects.count() == 0


def test_unknown_criterion_too_long_text_and_bad_choices_are_refused_together():
    assignment = assign(published_round())
    with pytest.raises(services.ReviewError) as error:
        services.review_save(
            user=assignment.reviewer,
            assignment=assignment,
            changes={
                "scores": {999999: 3},
                "comment": "x" * 5001,
                "recommendation": "maybe",
                "confidence": 9,
            },
        )
    fields = sorted(field for field, _m in error.value.problems)
    assert fields == ["comment", "confidence", "recommendation", "scores.999999"]
    assert Review.objects.count() == 0


def test_before_the_deadline_a_submitted_review_can_change_but_stays_complete():
    assignment = assign(published_round())
    submitted_review(assignment)
    first = criteria(assignment.round)[0]
    review = services.review_save(
        user=assignment.reviewer, assignment=assignment, changes={"scores": {first.pk: 1}}
    )
    assert review.state == ReviewState.SUBMITTED
    with pytest.raises(services.ReviewError):
        services.review_save(
            user=assignment.reviewer, assignment=assignment, changes={"scores": {first.pk: None}}
        )
    assert Score.objects.filter(review=review, criterion=first).get().value == 1


def test_after_the_deadline_a_submitted_review_is_frozen():
    assignment = assign(published_round())
    submitted_review(assignment, value=4)
    assignment.round.deadline = timezone.now() - timedelta(minutes=1)
    assignment.round.save()
    first = criteria(assignment.round)[0]
    with pytest.raises(services.ReviewError) as error:
        services.review_save(
            user=assignment.reviewer, assignment=assignment, changes={"scores": {first.pk: 1}}
        )
    assert error.value.code == "deadline_passed"
    assert error.value.status == 409
    assert Score.objects.get(criterion=first).value == 4


def test_after_the_deadline_a_draft_can_still_be_finished_until_the_round_closes():
    assignment = assign(published_round(days_left=-1))
    review = submitted_review(assignment)
    assert review.is_submitted
    assignment.round.state = RoundState.CLOSED
    assignment.round.save()
    other = assign(assignment.round)
    with pytest.raises(services.ReviewError) as error:
        submitted_review(other)
    assert error.value.code == "round_closed"


def test_staff_reopen_makes_a_draft_the_reviewer_can_change_after_the_deadline(
    django_capture_on_commit_callbacks,
):
    assignment = assign(published_round())
    review = submitted_review(assignment)
    assignment.round.deadline = timezone.now() - timedelta(hours=1)
    assignment.round.save()
    manager = factories.ProgrammeManagerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_reopen(user=manager, review=review)
    review.refresh_from_db()
    assert review.state == ReviewState.DRAFT and review.reopened_by == manager
    first = criteria(assignment.round)[0]
    services.review_submit(
        user=assignment.reviewer, assignment=assignment, changes={"scores": {first.pk: 2}}
    )
    assert Review.objects.get().is_submitted
    assert [m.to for m in mail.outbox] == [[assignment.reviewer.email]]
    assert "open for changes" in mail.outbox[0].subject


def test_reopen_needs_staff_and_a_submitted_review():
    assignment = assign(published_round())
    review = submitted_review(assignment)
    with pytest.raises(services.ReviewError):
        services.review_reopen(user=assignment.reviewer, review=review)
    services.review_reopen(user=factories.ProgrammeManagerFactory(), review=review)
    with pytest.raises(services.ReviewError):
        services.review_reopen(user=factories.ProgrammeManagerFactory(), review=review)


def test_only_the_assigned_reviewer_may_write():
    assignment = assign(published_round())
    with pytest.raises(services.ReviewError) as error:
        services.review_save(
            user=factories.ReviewerFactory(), assignment=assignment, changes={"comment": "x"}
        )
    assert error.value.status == 403


def test_a_round_not_yet_published_cannot_be_reviewed():
    assignment = assign(published_round(state=RoundState.ASSIGNED))
    with pytest.raises(services.ReviewError) as error:
        services.review_save(user=assignment.reviewer, assignment=assignment, changes={})
    assert error.value.code == "round_closed"


def test_the_rubric_is_locked_while_a_round_holds_submitted_reviews():
    assignment = assign(published_round())
    programme = assignment.round.cohort.programme
    criterion = criteria(assignment.round)[0]
    manager = factories.ProgrammeManagerFactory()
    data = {
        "key": criterion.key,
        "label": criterion.label,
        "label_zh_hant": "",
        "description": "",
        "description_zh_hant": "",
        "weight": Decimal("2"),
        "position": 1,
    }
    anchors = [(f"point {p}", "") for p in range(1, 6)]
    # A draft does not lock it.
    services.review_save(user=assignment.reviewer, assignment=assignment, changes={})
    services.criterion_update(user=manager, criterion=criterion, data=data, anchors=anchors)
    submitted_review(assignment)
    assert services.rubric_lock_reason(programme)
    with pytest.raises(services.ReviewError) as error:
        services.criterion_update(
            user=manager,
            criterion=criterion,
            data={**data, "weight": Decimal("5")},
            anchors=anchors,
        )
    assert error.value.code == "rubric_locked" and error.value.status == 409
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("2")
    # Closing the round keeps its totals and frees the rubric for the next round.
    total = Review.objects.get().weighted_total
    assignment.round.state = RoundState.CLOSED
    assignment.round.save()
    services.criterion_update(
        user=manager, criterion=criterion, data={**data, "weight": Decimal("5")}, anchors=anchors
    )
    assert Review.objects.get().weighted_total == total


def test_a_rubric_keeps_at_least_one_criterion():
    programme = factories.programme_default()
    manager = factories.ProgrammeManagerFactory()
    rubric = services.rubric_criteria(programme)
    for criterion in rubric[:-1]:
        services.criterion_set_active(user=manager, criterion=criterion, active=False)
    with pytest.raises(services.ReviewError):
        services.criterion_set_active(user=manager, criterion=rubric[-1], active=False)


def test_a_removed_criterion_is_no_longer_needed_to_submit():
    review_round = published_round()
    rubric = criteria(review_round)
    manager = factories.ProgrammeManagerFactory()
    services.criterion_set_active(user=manager, criterion=rubric[-1], active=False)
    assignment = assign(review_round)
    review = submitted_review(assignment)
    assert review.scores.count() == len(rubric) - 1


def test_reminders_three_days_and_one_day_before_once_each(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://nurture.example"
    review_round = published_round(days_left=10)
    late = assign(review_round)
    done = assign(review_round)
    submitted_review(done)
    assert services.review_reminders_send() == 0
    deadline = review_round.deadline
    with django_capture_on_commit_callbacks(execute=True):
        assert services.review_reminders_send(now=deadline - timedelta(days=2, hours=23)) == 1
        assert services.review_reminders_send(now=deadline - timedelta(days=2)) == 0
        assert services.review_reminders_send(now=deadline - timedelta(hours=20)) == 1
    assert services.review_reminders_send(now=deadline - timedelta(hours=2)) == 0
    assert services.review_reminders_send(now=deadline + timedelta(hours=1)) == 0
    kinds = list(
        ReviewReminder.objects.filter(reviewer=late.reviewer).values_list("kind", flat=True)
    )
    assert sorted(kinds) == ["1d", "3d"]
    assert not ReviewReminder.objects.filter(reviewer=done.reviewer).exists()
    assert [m.to for m in mail.outbox] == [[late.reviewer.email], [late.reviewer.email]]
    assert "https://nurture.example/reviews/" in mail.outbox[0].body
    assert "1 review" in mail.outbox[0].subject


def test_reminder_command_runs(capsys):
    from django.core.management import call_command

    call_command("review_reminders")
    assert "Review reminders sent: 0" in capsys.readouterr().out
