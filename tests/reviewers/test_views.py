"""The pages: a reviewer's profile, bidding (with and without htmx) and declaring a
conflict; a manager's invitation, rounds, run and changes; bad input gets a message."""

import pytest
from django.core import mail
from django.urls import reverse

from nurture.accounts.models import Role, User
from nurture.audit.models import AuditEntry
from nurture.reviewers.models import (
    Assignment,
    Bid,
    Conflict,
    ConflictSource,
    ReviewerProfile,
    ReviewRound,
    RoundState,
)
from tests import factories

from .helpers import cohort_with_applications, reviewer, written_round


@pytest.fixture
def bidding(db):
    cohort, applications = cohort_with_applications(3)
    review_round = written_round(cohort)
    profile = reviewer(expertise="vision")
    return review_round, applications, profile


def test_a_reviewer_saves_their_profile(client, db):
    account = factories.ReviewerFactory()
    client.force_login(account)
    sector = factories.SectorFactory()
    response = client.post(
        reverse("reviewers:profile"),
        {
            "kind": "professor",
            "affiliation": "Peak University",
            "expertise": "Graph learning",
            "sectors": [sector.pk],
            "languages": ["en", "yue"],
            "max_per_round": 5,
            "past_companies": "Old Robotics\nHarbour Data",
        },
    )
    assert response.status_code == 302
    profile = ReviewerProfile.objects.get(user=account)
    assert (profile.kind, profile.languages, profile.max_per_round) == (
        "professor",
        ["en", "yue"],
        5,
    )
    assert list(profile.sectors.all()) == [sector]
    assert profile.past_company_names == ["Old Robotics", "Harbour Data"]


def test_bad_profile_input_is_refused_with_a_message(client, db):
    account = factories.ReviewerFactory()
    client.force_login(account)
    response = client.post(
        reverse("reviewers:profile"), {"kind": "wizard", "max_per_round": 999, "languages": ["xx"]}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"kind", "max_per_round", "languages"}
    assert not ReviewerProfile.objects.filter(user=account).exists()


def test_bidding_list_shows_summaries_and_filters(client, bidding):
    review_round, applications, profile = bidding
    client.force_login(profile.user)
    url = reverse("reviewers:bids", args=[review_round.pk])
    page = client.get(url).content.decode()
    for a in applications:
        assert a.startup.name in page
    # Founders' contact details are not part of the summary.
    assert applications[0].startup.members.get().email not in page
    filtered = client.get(url, {"q": "fintech"}).content.decode()
    assert applications[1].startup.name in filtered
    assert applications[0].startup.name not in filtered
    by_sector = client.get(url, {"sector": applications[0].sector.slug}).content.decode()
    assert applications[0].startup.name in by_sector
    assert applications[1].startup.name not in by_sector


def test_bidding_list_query_count_does_not_grow_with_rows(
    client, bidding, django_assert_max_num_queries
):
    review_round, _applications, profile = bidding
    client.force_login(profile.user)
    url = reverse("reviewers:bids", args=[review_round.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    cohort_with_applications(6, call=review_round.cohort.call)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_bid_without_javascript_redirects_and_with_htmx_returns_the_row(client, bidding):
    review_round, applications, profile = bidding
    client.force_login(profile.user)
    url = reverse("reviewers:bid", args=[review_round.pk, applications[0].pk])
    response = client.post(url, {"value": "eager"})
    assert response.status_code == 302
    assert Bid.objects.get(reviewer=profile.user).value == "eager"

    response = client.post(url, {"value": "willing"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="a{applications[0].pk}"' in response.content.decode()
    assert Bid.objects.get(reviewer=profile.user).value == "willing"

    client.post(url, {"value": ""})
    assert not Bid.objects.exists()


def test_a_bad_bid_is_refused(client, bidding):
    review_round, applications, profile = bidding
    client.force_login(profile.user)
    url = reverse("reviewers:bid", args=[review_round.pk, applications[0].pk])
    assert client.post(url, {"value": "desperate"}).status_code == 400
    assert not Bid.objects.exists()


def test_bids_after_bidding_closes_are_refused(client, bidding):
    review_round, applications, profile = bidding
    review_round.state = RoundState.ASSIGNED
    review_round.save()
    client.force_login(profile.user)
    url = reverse("reviewers:bid", args=[review_round.pk, applications[0].pk])
    assert client.post(url, {"value": "eager"}).status_code == 404
    assert not Bid.objects.exists()


def test_declaring_a_conflict_hides_the_application_and_drops_the_bid(client, bidding):
    review_round, applications, profile = bidding
    Bid.objects.create(reviewer=profile.user, application=applications[0], value="eager")
    client.force_login(profile.user)
    url = reverse("reviewers:declare", args=[review_round.pk, applications[0].pk])
    assert applications[0].startup.name in client.get(url).content.decode()

    response = client.post(url, {"reason": "I advise this company."})

    assert response.status_code == 302
    conflict = Conflict.objects.get(reviewer=profile.user)
    assert (conflict.startup_id, conflict.source, conflict.reason) == (
        applications[0].startup_id,
        ConflictSource.DECLARED_BY_REVIEWER,
        "I advise this company.",
    )
    assert not Bid.objects.exists()
    # The first page shows the confirmation (which names the startup); then it is gone.
    client.get(reverse("reviewers:bids", args=[review_round.pk]))
    page = client.get(reverse("reviewers:bids", args=[review_round.pk])).content.decode()
    assert applications[0].startup.name not in page
    assert AuditEntry.objects.filter(action="conflict.declared").count() == 1


def test_a_manager_invites_a_reviewer_with_a_set_password_link(client, db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    manager = factories.ProgrammeManagerFactory()
    client.force_login(manager)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("reviewers:manage_invite"),
            {
                "email": "Board.Member@Peak-University.hk",
                "full_name": "Board member",
                "kind": "professor",
                "affiliation": "Peak University",
                "max_per_round": 6,
                "language": "en",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="board.member@peak-university.hk")
    assert (user.role, user.has_usable_password()) == (Role.REVIEWER, False)
    assert user.reviewer_profile.max_per_round == 6
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/" in mail.outbox[0].body

    again = client.post(
        reverse("reviewers:manage_invite"),
        {
            "email": "board.member@peak-university.hk",
            "full_name": "Board member",
            "kind": "professor",
            "max_per_round": 6,
            "language": "en",
        },
    )
    assert again.status_code == 200
    assert "already a reviewer" in again.content.decode()


def test_inviting_a_founders_address_is_refused(client, db):
    founder = factories.FounderFactory()
    client.force_login(factories.ProgrammeManagerFactory())
    response = client.post(
        reverse("reviewers:manage_invite"),
        {
            "email": founder.email,
            "full_name": "X",
            "kind": "investor",
            "max_per_round": 3,
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "another role" in response.content.decode()
    founder.refresh_from_db()
    assert founder.role == Role.FOUNDER


def test_deactivated_reviewers_are_left_out_of_the_assignment(client, db):
    profile = reviewer()
    client.force_login(factories.ProgrammeManagerFactory())
    client.post(reverse("reviewers:manage_active", args=[profile.pk]), {"active": "0"})
    profile.refresh_from_db()
    assert profile.active is False
    from nurture.reviewers.services import round_reviewers

    cohort, _ = cohort_with_applications(1)
    assert profile not in round_reviewers(written_round(cohort))


def test_a_manager_records_and_lifts_a_conflict_with_reasons(client, db):
    profile = reviewer()
    startup, _ = factories.startup_with_founder()
    client.force_login(factories.ProgrammeManagerFactory())
    empty = client.post(
        reverse("reviewers:conflict_create"),
        {"reviewer": profile.user_id, "startup": startup.pk, "reason": ""},
    )
    assert empty.status_code == 200 and not Conflict.objects.exists()
    client.post(
        reverse("reviewers:conflict_create"),
        {"reviewer": profile.user_id, "startup": startup.pk, "reason": "Board seat."},
    )
    conflict = Conflict.objects.get()
    assert conflict.source == ConflictSource.DECLARED_BY_STAFF
    no_reason = client.post(reverse("reviewers:conflict_lift", args=[conflict.pk]), {"reason": ""})
    assert no_reason.status_code == 302
    conflict.refresh_from_db()
    assert conflict.lifted_at is None
    client.post(reverse("reviewers:conflict_lift", args=[conflict.pk]), {"reason": "Resigned."})
    conflict.refresh_from_db()
    assert conflict.lifted_at is not None
    entry = AuditEntry.objects.get(action="conflict.lifted")
    assert entry.data["reason"] == "Resigned."


def test_round_form_refuses_bad_loads(client, db):
    cohort, _ = cohort_with_applications(1)
    client.force_login(factories.ProgrammeManagerFactory())
    response = client.post(
        reverse("reviewers:round_create", args=[cohort.pk, "written"]),
        {"reviewers_per_application": 3, "min_load": 9, "max_load": 2},
    )
    assert response.status_code == 200
    assert "min_load" in response.context["form"].errors
    assert not ReviewRound.objects.exists()
    assert (
        client.get(reverse("reviewers:round_create", args=[cohort.pk, "oral"])).status_code == 404
    )


def test_the_manager_runs_changes_and_publishes_through_the_pages(
    client, db, django_capture_on_commit_callbacks
):
    cohort, applications = cohort_with_applications(3)
    profiles = [reviewer(expertise=t) for t in ("vision", "finance", "marketing")]
    client.force_login(factories.ProgrammeManagerFactory())
    client.post(
        reverse("reviewers:round_create", args=[cohort.pk, "written"]),
        {"reviewers_per_application": 2, "min_load": 0, "max_load": 3},
    )
    review_round = ReviewRound.objects.get()
    assert review_round.state == RoundState.BIDDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviewers:run_start", args=[review_round.pk]))
    assert Assignment.objects.filter(round=review_round).count() == 6
    page = client.get(reverse("reviewers:round_detail", args=[review_round.pk])).content.decode()
    assert "Text match" in page and "2 of 2 reviewers" in page

    pair = Assignment.objects.filter(round=review_round).first()
    response = client.post(reverse("reviewers:pair_remove", args=[pair.pk]), follow=True)
    assert "no longer reviews" in response.content.decode()
    response = client.post(reverse("reviewers:round_publish", args=[review_round.pk]), follow=True)
    assert "fewer than 2 reviewers" in response.content.decode()
    response = client.post(
        reverse("reviewers:pair_add", args=[review_round.pk, pair.application_id]),
        {"reviewer": pair.reviewer_id},
        follow=True,
    )
    assert "now reviews" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviewers:round_publish", args=[review_round.pk]))
    review_round.refresh_from_db()
    assert review_round.state == RoundState.PUBLISHED
    assert len(mail.outbox) == len(
        {p.user_id for p in profiles if Assignment.objects.filter(reviewer=p.user).exists()}
    )
    mine = client.get(reverse("reviewers:assigned"))
    assert mine.status_code == 403  # a manager has no reviewer page
    client.force_login(pair.reviewer)
    mine = client.get(reverse("reviewers:assigned")).content.decode()
    assert pair.application.startup.name in mine


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_manager_lists_keep_their_query_count_as_rows_grow(
    client, db, django_capture_on_commit_callbacks
):
    cohort, applications = cohort_with_applications(2)
    profiles = [reviewer(expertise="vision"), reviewer(expertise="finance")]
    manager = factories.ProgrammeManagerFactory()
    review_round = written_round(cohort, reviewers_per_application=1, max_load=8)
    Conflict.objects.create(
        reviewer=profiles[0].user, startup=applications[0].startup, source="staff", reason="x"
    )
    from nurture.reviewers import services

    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_run_start(user=manager, review_round=review_round)
    client.force_login(manager)
    urls = [
        reverse("reviewers:manage_list"),
        reverse("reviewers:conflict_list"),
        reverse("reviewers:round_detail", args=[review_round.pk]),
    ]
    few = [_queries(client, url) for url in urls]

    more_apps = cohort_with_applications(6, call=cohort.call)[1]
    more = [reviewer(expertise="marketing") for _ in range(4)]
    for p, a in zip(more, more_apps, strict=False):
        Conflict.objects.create(reviewer=p.user, startup=a.startup, source="staff", reason="y")
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_run_start(user=manager, review_round=review_round)

    assert [_queries(client, url) for url in urls] == few


def test_the_reviewers_assignment_list_keeps_its_query_count(client, db):
    cohort, applications = cohort_with_applications(1)
    profile = reviewer()
    review_round = written_round(cohort, state=RoundState.PUBLISHED)
    Assignment.objects.create(
        round=review_round, application=applications[0], reviewer=profile.user
    )
    client.force_login(profile.user)
    url = reverse("reviewers:assigned")
    few = _queries(client, url)
    for a in cohort_with_applications(5, call=cohort.call)[1]:
        Assignment.objects.create(round=review_round, application=a, reviewer=profile.user)
    assert _queries(client, url) == few


def test_a_reviewer_declares_a_conflict_with_an_assigned_application(client, db):
    cohort, applications = cohort_with_applications(1)
    profile = reviewer()
    review_round = written_round(cohort, state=RoundState.PUBLISHED)
    pair = Assignment.objects.create(
        round=review_round, application=applications[0], reviewer=profile.user
    )
    client.force_login(profile.user)
    url = reverse("reviewers:declare_assigned", args=[pair.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "My former student founded it."}).status_code == 302
    assert not Assignment.objects.filter(pk=pair.pk).exists()
    assert Conflict.objects.get(reviewer=profile.user).startup_id == applications[0].startup_id
    assert client.get(url).status_code == 404
    other = reviewer()
    client.force_login(other.user)
    assert client.get(url).status_code == 404
