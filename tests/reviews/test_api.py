from datetime import timedelta

import pytest
from django.utils import timezone

from nurture.reviews.models import Review
from tests import factories
from tests.api.conftest import as_user  # noqa: F401 - the API client fixture

from .helpers import assign, conflict, criteria, published_round, submitted_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _full(review_round, value=4):
    return {
        "scores": {c.key: value for c in criteria(review_round)},
        "recommendation": "strong_yes",
        "confidence": 5,
        "comment": "Strong technical team.",
        "feedback": "Keep going.",
    }


def test_reviewer_lists_reads_saves_and_submits(as_user):  # noqa: F811
    assignment = assign(published_round())
    api = as_user(assignment.reviewer)
    listing = api.get("/reviews/assignments").json()
    assert [item["id"] for item in listing["items"]] == [assignment.pk]
    assert listing["items"][0]["review_state"] == "not_started"
    detail = api.get(f"/reviews/assignments/{assignment.pk}").json()
    assert detail["application"]["id"] == assignment.application_id
    assert [c["key"] for c in detail["rubric"]][:2] == ["team", "technology"]
    assert detail["rubric"][0]["share_percent"] == "20.0"
    assert detail["other_reviews"] is None
    saved = api._call(
        "put", f"/reviews/assignments/{assignment.pk}/review", {"scores": {"team": 5}}
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["state"] == "draft" and saved.json()["scores"] == {"team": 5}
    done = api.post(f"/reviews/assignments/{assignment.pk}/review/submit", _full(assignment.round))
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "submitted"
    assert done.json()["weighted_total"] == "4.000"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"scores": {"team": 0}}, "scores.team"),
        ({"scores": {"team": 6}}, "scores.team"),
        ({"scores": {"nonsense": 3}}, "scores.nonsense"),
        ({"comment": "x" * 5001}, "comment"),
        ({"recommendation": "perhaps"}, "recommendation"),
        ({"confidence": 0}, "confidence"),
    ],
)
def test_bad_input_is_a_clear_422_and_saves_nothing(as_user, body, field):  # noqa: F811
    assignment = assign(published_round())
    response = as_user(assignment.reviewer)._call(
        "put", f"/reviews/assignments/{assignment.pk}/review", body
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Review.objects.exists()


def test_submitting_an_incomplete_review_names_each_missing_part(as_user):  # noqa: F811
    assignment = assign(published_round())
    response = as_user(assignment.reviewer).post(
        f"/reviews/assignments/{assignment.pk}/review/submit", {"scores": {"team": 3}}
    )
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == [
        "scores.technology",
        "scores.market",
        "scores.fit",
        "scores.impact_hk",
        "recommendation",
        "confidence",
    ]
    assert not Review.objects.exists()


def test_a_submitted_review_is_frozen_after_the_deadline(as_user):  # noqa: F811
    assignment = assign(published_round())
    submitted_review(assignment)
    assignment.round.deadline = timezone.now() - timedelta(seconds=1)
    assignment.round.save()
    response = as_user(assignment.reviewer)._call(
        "put", f"/reviews/assignments/{assignment.pk}/review", {"comment": "Late change"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "deadline_passed"
    assert Review.objects.get().comment != "Late change"


def test_conflicted_and_foreign_assignments_are_404(as_user):  # noqa: F811
    review_round = published_round()
    mine = assign(review_round)
    foreign = assign(review_round)
    conflict(mine.reviewer, mine.application)
    api = as_user(mine.reviewer)
    assert api.get("/reviews/assignments").json()["items"] == []
    for assignment in (mine, foreign):
        base = f"/reviews/assignments/{assignment.pk}"
        responses = [
            api.get(base),
            api.get(f"{base}/review"),
            api.get(f"{base}/pitch-deck"),
            api._call("put", f"{base}/review", {"comment": "x"}),
            api.post(f"{base}/review/submit", {}),
        ]
        assert [r.status_code for r in responses] == [404] * 5
    assert (
        api.get(f"/reviews/assignments/{foreign.pk}").json()
        == api.get("/reviews/assignments/999999").json()
    )


def test_other_reviews_appear_after_own_submission_without_identity(as_user):  # noqa: F811
    review_round = published_round()
    mine = assign(review_round)
    peer = assign(review_round, application=mine.application)
    submitted_review(peer, comment="Peer view.")
    api = as_user(mine.reviewer)
    assert api.get(f"/reviews/assignments/{mine.pk}").json()["other_reviews"] is None
    submitted_review(mine)
    others = api.get(f"/reviews/assignments/{mine.pk}").json()["other_reviews"]
    assert [o["comment"] for o in others] == ["Peer view."]
    assert set(others[0]) == {"scores", "weighted_total", "recommendation", "confidence", "comment"}


def test_staff_read_reviews_with_names_and_spread(as_user):  # noqa: F811
    review_round = published_round()
    a = assign(review_round)
    b = assign(review_round, application=a.application)
    submitted_review(a, value=5)
    submitted_review(b, value=3)
    api = as_user(factories.ProgrammeManagerFactory())
    rows = api.get(f"/reviews/rounds/{review_round.pk}/reviews").json()
    assert {r["reviewer_email"] for r in rows} == {a.reviewer.email, b.reviewer.email}
    summary = api.get(f"/reviews/applications/{a.application_id}/reviews").json()
    assert (summary["mean"], summary["spread"]) == ("4.000", "2.000")


def test_submit_with_an_empty_body_submits_what_is_saved(as_user):  # noqa: F811
    assignment = assign(published_round())
    api = as_user(assignment.reviewer)
    empty = api.post(f"/reviews/assignments/{assignment.pk}/review/submit", {})
    assert empty.status_code == 422 and empty.json()["code"] == "incomplete"
    api._call("put", f"/reviews/assignments/{assignment.pk}/review", _full(assignment.round))
    done = api.post(f"/reviews/assignments/{assignment.pk}/review/submit", {})
    assert done.status_code == 200 and done.json()["state"] == "submitted"


def test_a_non_integer_score_is_a_clear_422(as_user):  # noqa: F811
    assignment = assign(published_round())
    response = as_user(assignment.reviewer)._call(
        "put", f"/reviews/assignments/{assignment.pk}/review", {"scores": {"team": "high"}}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "scores.team"
