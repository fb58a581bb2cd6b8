import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from nurture.applications.models import ApplicationState
from nurture.audit.models import AuditEntry
from nurture.reviewers.models import RoundKind
from nurture.reviews import selectors
from nurture.reviews.models import Review, ReviewState
from tests import factories

from .helpers import assign, conflict, criteria, published_round, submitted_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _form(assignment, value="4", **extra):
    data = {f"score_{c.pk}": value for c in criteria(assignment.round)}
    data.update({"recommendation": "yes", "confidence": "3", "comment": "Good.", "feedback": ""})
    data.update(extra)
    return data


def test_reviewer_sees_their_assignments_with_progress(client):
    review_round = published_round()
    first = assign(review_round)
    assign(review_round, reviewer=first.reviewer)
    submitted_review(first)
    client.force_login(first.reviewer)
    response = client.get(reverse("reviews:mine"))
    assert response.status_code == 200
    assert "1 of 2 submitted" in response.text
    assert first.application.startup.name in response.text


def test_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    review_round = published_round()
    reviewer = factories.ReviewerFactory()
    assign(review_round, reviewer=reviewer)
    client.force_login(reviewer)
    client.get(reverse("reviews:mine"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reviews:mine"))
    for _ in range(5):
        assign(review_round, reviewer=reviewer)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("reviews:mine"))
    assert len(many) == len(one)


def test_save_a_draft_then_submit(client):
    assignment = assign(published_round())
    client.force_login(assignment.reviewer)
    url = reverse("reviews:save", args=[assignment.pk])
    first = criteria(assignment.round)[0]
    response = client.post(url, {f"score_{first.pk}": "5", "save": ""})
    assert response.status_code == 302
    assert Review.objects.get().state == ReviewState.DRAFT
    response = client.post(url, _form(assignment) | {"submit": ""})
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.state == ReviewState.SUBMITTED and review.comment == "Good."


def test_autosave_answers_with_a_status_fragment(client):
    assignment = assign(published_round())
    client.force_login(assignment.reviewer)
    first = criteria(assignment.round)[0]
    response = client.post(
        reverse("reviews:save", args=[assignment.pk]),
        {f"score_{first.pk}": "2"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Draft saved" in response.text
    assert "<html" not in response.text


def test_submitting_an_incomplete_review_says_what_is_missing(client):
    assignment = assign(published_round())
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("reviews:save", args=[assignment.pk]),
        {"submit": "", "recommendation": "yes"},
    )
    assert response.status_code == 422
    assert "needs a score" in response.text
    assert "Say how confident you are" in response.text
    assert not Review.objects.exists()


@pytest.mark.parametrize("value", ["0", "6", "abc"])
def test_a_bad_score_is_a_clear_422(client, value):
    assignment = assign(published_round())
    client.force_login(assignment.reviewer)
    response = client.post(reverse("reviews:save", args=[assignment.pk]), _form(assignment, value))
    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    assert not Review.objects.exists()


def test_too_long_feedback_is_a_clear_422(client):
    assignment = assign(published_round())
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("reviews:save", args=[assignment.pk]), _form(assignment, feedback="x" * 3001)
    )
    assert response.status_code == 422
    assert "at most 3000 characters" in response.text
    assert not Review.objects.exists()


def test_after_the_deadline_the_page_is_read_only_and_a_post_is_refused(client):
    assignment = assign(published_round())
    submitted_review(assignment)
    assignment.round.deadline = timezone.now() - timedelta(minutes=5)
    assignment.round.save()
    client.force_login(assignment.reviewer)
    page = client.get(reverse("reviews:assignment", args=[assignment.pk]))
    assert "can no longer be changed" in page.text
    assert 'name="submit"' not in page.text
    response = client.post(reverse("reviews:save", args=[assignment.pk]), _form(assignment, "1"))
    assert response.status_code == 409
    assert set(Review.objects.get().scores.values_list("value", flat=True)) == {4}


def test_other_reviews_only_after_submitting_own(client):
    review_round = published_round()
    mine = assign(review_round)
    other = assign(review_round, application=mine.application)
    submitted_review(other, comment="A peer remark only reviewers see.")
    client.force_login(mine.reviewer)
    url = reverse("reviews:assignment", args=[mine.pk])
    assert "A peer remark" not in client.get(url).text
    submitted_review(mine)
    page = client.get(url).text
    assert "A peer remark" in page
    # Fellow reviewers appear without their identity.
    assert other.reviewer.email not in page and other.reviewer.full_name not in page


def test_other_reviews_stay_hidden_when_the_round_says_so(client):
    review_round = published_round(reviews_visible_after_submit=False)
    mine = assign(review_round)
    other = assign(review_round, application=mine.application)
    submitted_review(other, comment="A peer remark.")
    submitted_review(mine)
    client.force_login(mine.reviewer)
    page = client.get(reverse("reviews:assignment", args=[mine.pk])).text
    assert "A peer remark" not in page
    assert "do not see each other" in page


def test_a_conflicted_or_foreign_assignment_is_404_everywhere(client):
    review_round = published_round()
    mine = assign(review_round)
    foreign = assign(review_round)
    conflict(mine.reviewer, mine.application)
    client.force_login(mine.reviewer)
    for assignment in (mine, foreign):
        for name in ("reviews:assignment", "reviews:pitch_deck"):
            assert client.get(reverse(name, args=[assignment.pk])).status_code == 404
        assert client.post(reverse("reviews:save", args=[assignment.pk]), {}).status_code == 404
    assert mine.application.startup.name not in client.get(reverse("reviews:mine")).text


def test_pitch_deck_download_is_an_audited_attachment(client):
    assignment = assign(published_round())
    client.force_login(assignment.reviewer)
    response = client.get(reverse("reviews:pitch_deck", args=[assignment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response.close()
    entry = AuditEntry.objects.get(action="application.viewed_pitch_deck")
    assert entry.actor == assignment.reviewer and entry.data["as"] == "reviewer"


def test_panel_tap_saves_one_score_and_returns_the_card(client):
    review_round = published_round(kind=RoundKind.PANEL)
    assignment = assign(review_round)
    client.force_login(assignment.reviewer)
    first = criteria(review_round)[0]
    response = client.post(
        reverse("reviews:panel_tap", args=[assignment.pk]),
        {"field": str(first.pk), "value": "5"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="panel-card"' in response.text and "Saved" in response.text
    assert Review.objects.get().scores.get().value == 5
    bad = client.post(
        reverse("reviews:panel_tap", args=[assignment.pk]),
        {"field": str(first.pk), "value": "7"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "from 1 to 5" in bad.text
    assert Review.objects.get().scores.get().value == 5


def test_panel_submit_goes_to_the_next_pitch(client):
    review_round = published_round(kind=RoundKind.PANEL)
    reviewer = factories.ReviewerFactory()
    first = assign(review_round, reviewer=reviewer)
    second = assign(review_round, reviewer=reviewer)
    ordered = selectors.panel_assignments(reviewer, review_round)
    client.force_login(reviewer)
    url = reverse("reviews:panel_tap", args=[ordered[0].pk])
    for c in criteria(review_round):
        client.post(url, {"field": str(c.pk), "value": "3"})
    client.post(url, {"field": "recommendation", "value": "neutral"})
    client.post(url, {"field": "confidence", "value": "4"})
    response = client.post(url, {"field": "submit"})
    assert response.status_code == 302
    assert response.url == reverse("reviews:panel_score", args=[ordered[1].pk])
    assert Review.objects.get(assignment=ordered[0]).is_submitted
    assert {first.pk, second.pk} == {a.pk for a in ordered}
    page = client.get(reverse("reviews:panel", args=[review_round.pk]))
    assert page.status_code == 200


def test_staff_round_page_shows_names_totals_and_spread(client):
    review_round = published_round()
    a = assign(review_round)
    b = assign(review_round, application=a.application)
    submitted_review(a, value=5)
    submitted_review(b, value=2)
    client.force_login(factories.ProgrammeManagerFactory())
    page = client.get(reverse("reviews:round", args=[review_round.pk])).text
    assert "3.50" in page and "3.00" in page  # mean and spread
    detail = client.get(
        reverse("reviews:round_application", args=[review_round.pk, a.application.pk])
    ).text
    assert a.reviewer.email in detail and b.reviewer.email in detail


def test_export_guards_formulas_and_is_audited(client):
    review_round = published_round()
    a = assign(review_round)
    submitted_review(a, comment='=HYPERLINK("http://x")', feedback="+1 great")
    manager = factories.ProgrammeManagerFactory()
    client.force_login(manager)
    response = client.get(reverse("reviews:round_export", args=[review_round.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:2] == ["Application id", "Startup"]
    assert rows[1][-3].startswith("'=HYPERLINK")
    assert rows[1][-2] == "'+1 great"
    assert AuditEntry.objects.filter(action="reviews.exported", actor=manager).exists()


def test_staff_reopen_from_the_page(client):
    assignment = assign(published_round())
    review = submitted_review(assignment)
    client.force_login(factories.ProgrammeManagerFactory())
    response = client.post(reverse("reviews:review_reopen", args=[review.pk]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.DRAFT


def test_rubric_editor_saves_and_refuses_when_locked(client):
    programme = factories.programme_default()
    client.force_login(factories.ProgrammeManagerFactory())
    page = client.get(reverse("reviews:rubric", args=[programme.pk]))
    assert page.status_code == 200 and "20.0% of the total" in page.text
    data = {
        "key": "ethics",
        "label": "Responsible AI",
        "label_zh_hant": "負責任的人工智能",
        "description": "",
        "description_zh_hant": "",
        "weight": "1",
        "position": "6",
        **{f"anchor_{p}": f"Point {p}" for p in range(1, 6)},
        **{f"anchor_{p}_zh_hant": f"第{p}分" for p in range(1, 6)},
    }
    response = client.post(reverse("reviews:criterion_create", args=[programme.pk]), data)
    assert response.status_code == 302
    assert "16.7% of the total" in client.get(reverse("reviews:rubric", args=[programme.pk])).text
    bad = client.post(
        reverse("reviews:criterion_create", args=[programme.pk]),
        {**data, "key": "x", "weight": "0"},
    )
    assert bad.status_code == 422
    assignment = assign(published_round())
    submitted_review(assignment)
    locked = client.post(
        reverse("reviews:criterion_create", args=[programme.pk]), {**data, "key": "other"}
    )
    assert locked.status_code == 409
    assert "cannot change while reviews are submitted" in locked.text


def test_founder_feedback_is_anonymous_and_only_after_the_decision():
    review_round = published_round()
    a = assign(review_round)
    b = assign(review_round, application=a.application)
    submitted_review(a, feedback="Talk to more customers.", comment="Staff only: weak CTO.")
    submitted_review(b, feedback="")
    application = a.application
    assert selectors.founder_feedback(application) == []
    application.state = ApplicationState.REJECTED
    application.save()
    texts = selectors.founder_feedback(application)
    assert texts == ["Talk to more customers."]
    joined = " ".join(texts)
    assert "weak CTO" not in joined and a.reviewer.email not in joined


def test_founder_pages_never_show_reviewer_identities_or_staff_comments(client):
    review_round = published_round()
    a = assign(review_round)
    submitted_review(a, feedback="Sharpen the pitch.", comment="Staff only: weak CTO.")
    application = a.application
    application.state = ApplicationState.ACCEPTED
    application.save()
    founder = application.startup.members.get()
    client.force_login(founder)
    pages = [
        client.get(reverse("core:dashboard")),
        client.get(reverse("applications:detail", args=[application.pk])),
        client.get(reverse("applications:mine")),
    ]
    for page in pages:
        assert "weak CTO" not in page.text
        assert a.reviewer.email not in page.text
        assert a.reviewer.full_name not in page.text
    for name in ("reviews:mine", "reviews:assignment", "reviews:round", "reviews:round_export"):
        args = [] if name == "reviews:mine" else [a.pk if "assignment" in name else review_round.pk]
        assert client.get(reverse(name, args=args)).status_code == 403


def test_reviewer_dashboard_shows_progress_and_the_next_review(client):
    review_round = published_round()
    done = assign(review_round)
    todo = assign(review_round, reviewer=done.reviewer)
    submitted_review(done)
    client.force_login(done.reviewer)
    page = client.get(reverse("core:dashboard")).text
    assert "1 of 2 submitted" in page
    assert reverse("reviews:assignment", args=[todo.pk]) in page


@pytest.mark.parametrize("name", ["reviews:round", "reviews:rounds", "reviews:round_export"])
def test_staff_pages_keep_their_query_count_as_rows_grow(client, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review_round = published_round()
    submitted_review(assign(review_round))
    client.force_login(factories.ProgrammeManagerFactory())
    args = [] if name == "reviews:rounds" else [review_round.pk]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name, args=args))
            if response.streaming:
                b"".join(response.streaming_content)
        return len(queries)

    one = count()
    for _ in range(4):
        submitted_review(assign(review_round))
    assert count() == one


def test_autosave_of_a_bad_value_names_the_field(client):
    assignment = assign(published_round())
    client.force_login(assignment.reviewer)
    first = criteria(assignment.round)[0]
    response = client.post(
        reverse("reviews:save", args=[assignment.pk]),
        {f"score_{first.pk}": "9"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Team: Select a valid choice" in response.text
    assert not Review.objects.exists()
