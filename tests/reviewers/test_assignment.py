"""The assignment run end to end through the task, its explanation when infeasible, changes
by hand and publishing."""

from collections import Counter

import pytest
from django.core import mail

from nurture.applications.models import ApplicationState
from nurture.core.mail import SEPARATOR
from nurture.optimize.assignment import assign
from nurture.reviewers import services
from nurture.reviewers.models import (
    Assignment,
    AssignmentSource,
    Bid,
    Conflict,
    ConflictSource,
    RoundState,
    RunState,
)
from tests import factories

from .helpers import TOPICS, cohort_with_applications, reviewer, written_round


@pytest.fixture
def manager(db):
    return factories.ProgrammeManagerFactory()


@pytest.fixture
def small_round(db):
    cohort, applications = cohort_with_applications(6)
    reviewers = [
        reviewer(expertise=f"Expert in {topic}.", sectors=[slug], max_per_round=4)
        for topic, slug in TOPICS
    ]
    # One reviewer takes at most 2, fewer than the round's maximum of 4.
    reviewers[0].max_per_round = 2
    reviewers[0].save()
    review_round = written_round(cohort, reviewers_per_application=2, max_load=4)
    return review_round, applications, reviewers


def _run(manager, review_round, capture):
    with capture(execute=True):
        run = services.assignment_run_start(user=manager, review_round=review_round)
    run.refresh_from_db()
    return run


def test_every_application_gets_k_reviewers_within_loads_and_without_conflicts(
    manager, small_round, django_capture_on_commit_callbacks
):
    review_round, applications, reviewers = small_round
    conflicted = applications[0]
    Conflict.objects.create(
        reviewer=reviewers[0].user,
        startup=conflicted.startup,
        source=ConflictSource.DECLARED_BY_STAFF,
        reason="Adviser to the company.",
    )
    Bid.objects.create(reviewer=reviewers[1].user, application=applications[3], value="eager")

    run = _run(manager, review_round, django_capture_on_commit_callbacks)

    assert (run.state, run.progress) == (RunState.DONE, 100)
    pairs = list(Assignment.objects.filter(round=review_round))
    per_app = Counter(p.application_id for p in pairs)
    assert per_app == dict.fromkeys([a.pk for a in applications], 2)
    loads = Counter(p.reviewer_id for p in pairs)
    for profile in reviewers:
        assert loads[profile.user_id] <= min(4, profile.max_per_round)
    assert not any(
        p.reviewer_id == reviewers[0].user_id and p.application_id == conflicted.pk for p in pairs
    )
    # The stored objective is the optimiser's on the same problem, and the pairs' sum.
    problem = services.problem_build(review_round)
    result = assign(
        problem.affinity.matrix,
        k=2,
        min_load=problem.min_load,
        max_load=problem.max_load,
        conflicts=problem.conflicts,
    )
    assert run.objective == pytest.approx(result.objective)
    assert sum(p.affinity for p in pairs) == pytest.approx(run.objective)
    assert run.lp_bound == pytest.approx(run.objective, abs=1e-4)
    review_round.refresh_from_db()
    assert review_round.state == RoundState.ASSIGNED
    # Reasons: each pair carries its parts; the eager bid shows if that pair was chosen.
    for p in pairs:
        assert p.affinity == pytest.approx(
            p.text_score
            + 0.5 * p.sector_score
            + 0.5 * ({"eager": 1.0, "willing": 0.5, "not_willing": -1.0}.get(p.bid, 0.0))
        )


def test_fairness_mode_runs_and_holds_the_constraints(
    manager, small_round, django_capture_on_commit_callbacks
):
    review_round, applications, _ = small_round
    review_round.fairness = True
    review_round.save()
    run = _run(manager, review_round, django_capture_on_commit_callbacks)
    assert run.state == RunState.DONE
    per_app = Counter(
        Assignment.objects.filter(round=review_round).values_list("application_id", flat=True)
    )
    assert set(per_app.values()) == {2}
    assert run.min_affinity is not None


def test_an_infeasible_round_says_which_applications_and_how_much_is_missing(
    manager, db, django_capture_on_commit_callbacks
):
    cohort, applications = cohort_with_applications(3)
    profiles = [reviewer(expertise="vision"), reviewer(expertise="finance")]
    review_round = written_round(cohort, reviewers_per_application=2, max_load=3)
    # The first application's startup conflicts with one of the two reviewers.
    Conflict.objects.create(
        reviewer=profiles[0].user,
        startup=applications[0].startup,
        source=ConflictSource.DECLARED_BY_REVIEWER,
    )

    run = _run(manager, review_round, django_capture_on_commit_callbacks)

    assert run.state == RunState.INFEASIBLE
    short = [p for p in run.problems if p["code"] == "application_short"]
    assert short == [
        {
            "code": "application_short",
            "message": short[0]["message"],
            "applications": [
                {"id": applications[0].pk, "name": applications[0].startup.name, "missing": 1}
            ],
            "reviewers": [],
            "missing": [1],
            "total_missing": 1,
        }
    ]
    assert not Assignment.objects.filter(round=review_round).exists()


def test_too_little_capacity_is_explained(manager, db, django_capture_on_commit_callbacks):
    cohort, _ = cohort_with_applications(4)
    reviewer(max_per_round=2)
    reviewer(max_per_round=3)
    review_round = written_round(cohort, reviewers_per_application=2, max_load=8)

    run = _run(manager, review_round, django_capture_on_commit_callbacks)

    assert run.state == RunState.INFEASIBLE
    assert [(p["code"], p["total_missing"]) for p in run.problems] == [("capacity_short", 3)]


def test_the_run_page_explains_it(manager, client, db, django_capture_on_commit_callbacks):
    cohort, _ = cohort_with_applications(4)
    reviewer(max_per_round=2)
    review_round = written_round(cohort, reviewers_per_application=1, max_load=8)
    run = _run(manager, review_round, django_capture_on_commit_callbacks)
    client.force_login(manager)

    page = client.get(f"/manage/rounds/{review_round.pk}/").content.decode()

    assert "No assignment satisfies every rule" in page
    assert "fall 2 reviews short" in page
    poll = client.get(f"/manage/runs/{run.pk}/?poll=1", headers={"HX-Request": "true"})
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"


@pytest.fixture
def assigned(manager, small_round, django_capture_on_commit_callbacks):
    review_round, applications, reviewers = small_round
    run = _run(manager, review_round, django_capture_on_commit_callbacks)
    assert run.state == RunState.DONE
    review_round.refresh_from_db()
    return review_round, applications, reviewers


def test_manual_add_is_refused_for_a_conflicted_reviewer(manager, assigned):
    review_round, applications, reviewers = assigned
    application = applications[1]
    outsider = next(
        p
        for p in reviewers
        if not Assignment.objects.filter(
            round=review_round, application=application, reviewer=p.user
        ).exists()
    )
    outsider.holdings.add(application.startup)  # found as an equity conflict on the check
    before = Assignment.objects.count()
    with pytest.raises(services.ReviewerError) as error:
        services.assignment_add(
            user=manager, review_round=review_round, application=application, reviewer=outsider.user
        )
    assert error.value.code == "conflict"
    assert "conflict of interest" in error.value.message
    assert Assignment.objects.count() == before


def test_manual_add_is_refused_for_an_overloaded_reviewer(manager, assigned):
    review_round, applications, reviewers = assigned
    full = reviewers[0]  # takes at most 2
    Assignment.objects.filter(round=review_round, reviewer=full.user).delete()
    mine = applications[:2]
    for a in mine:
        Assignment.objects.create(round=review_round, application=a, reviewer=full.user)
    with pytest.raises(services.ReviewerError) as error:
        services.assignment_add(
            user=manager, review_round=review_round, application=applications[2], reviewer=full.user
        )
    assert error.value.code == "overloaded"
    assert "the most they take" in error.value.message


def test_swap_moves_a_pair_and_records_it(manager, assigned):
    review_round, applications, reviewers = assigned
    application = applications[2]
    pair = Assignment.objects.filter(round=review_round, application=application).first()
    loads = Counter(
        Assignment.objects.filter(round=review_round).values_list("reviewer_id", flat=True)
    )
    candidate = next(
        p
        for p in reviewers
        if loads[p.user_id] < min(4, p.max_per_round)
        and not Assignment.objects.filter(
            round=review_round, application=application, reviewer=p.user
        ).exists()
    )
    services.assignment_swap(user=manager, assignment=pair, reviewer=candidate.user)
    pair.refresh_from_db()
    assert (pair.reviewer_id, pair.source) == (candidate.user_id, AssignmentSource.MANUAL)
    assert pair.text_score >= 0 and pair.affinity == pytest.approx(
        pair.text_score
        + 0.5 * pair.sector_score
        + 0.5 * {"eager": 1, "willing": 0.5, "not_willing": -1}.get(pair.bid, 0)
    )


def test_publish_refuses_an_incomplete_assignment(manager, assigned):
    review_round, applications, _ = assigned
    services.assignment_remove(
        user=manager,
        assignment=Assignment.objects.filter(
            round=review_round, application=applications[0]
        ).first(),
    )
    with pytest.raises(services.ReviewerError) as error:
        services.round_publish(user=manager, review_round=review_round)
    assert error.value.code == "incomplete"
    assert applications[0].startup.name in error.value.message
    review_round.refresh_from_db()
    assert review_round.state == RoundState.ASSIGNED


def test_publish_notifies_each_reviewer_and_starts_the_review(
    manager, assigned, django_capture_on_commit_callbacks
):
    review_round, applications, _ = assigned
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.round_publish(user=manager, review_round=review_round)
    review_round.refresh_from_db()
    assert review_round.state == RoundState.PUBLISHED
    reviewers = set(
        Assignment.objects.filter(round=review_round).values_list("reviewer__email", flat=True)
    )
    assert {m.to[0] for m in mail.outbox} == reviewers
    # One message in both languages (the Chinese half is translated once the catalogue
    # has merged locale-pending/reviewers.po).
    assert all(" | " in m.subject and SEPARATOR.strip() in m.body for m in mail.outbox)
    assert all("/reviewers/assigned/" in m.body for m in mail.outbox)
    assert {a.state for a in type(applications[0]).objects.filter(cohort=review_round.cohort)} == {
        ApplicationState.UNDER_REVIEW
    }
    with pytest.raises(services.ReviewerError):
        services.assignment_run_start(user=manager, review_round=review_round)


def test_panel_round_assigns_every_member_every_shortlisted_application_but_conflicts(manager, db):
    cohort, applications = cohort_with_applications(3)
    for a in applications[:2]:
        a.state = ApplicationState.SHORTLISTED
        a.save()
    members = [reviewer(), reviewer()]
    Conflict.objects.create(
        reviewer=members[1].user, startup=applications[0].startup, source="reviewer"
    )
    review_round = services.round_create(
        user=manager,
        cohort=cohort,
        kind="panel",
        data={},
        panel=[m.user for m in members],
    )
    assert services.panel_assign(user=manager, review_round=review_round) == 3
    pairs = set(
        Assignment.objects.filter(round=review_round).values_list("application_id", "reviewer_id")
    )
    assert pairs == {
        (applications[0].pk, members[0].user_id),
        (applications[1].pk, members[0].user_id),
        (applications[1].pk, members[1].user_id),
    }
