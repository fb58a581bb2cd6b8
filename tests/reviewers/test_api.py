"""The reviewers' API: the assignment run and its status, changes by hand refused with a
clear error, bad input answered 422 with nothing saved."""

import pytest

from nurture.accounts.services import api_token_create
from nurture.reviewers.models import Assignment, Bid, Conflict, ConflictSource, RunState
from tests import factories
from tests.api.conftest import ApiClient

from .helpers import cohort_with_applications, reviewer, written_round


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _api(user) -> ApiClient:
    return ApiClient(api_token_create(user=user, name="t")[1])


@pytest.fixture
def setup(db):
    cohort, applications = cohort_with_applications(3)
    profiles = [reviewer(expertise=t) for t in ("vision", "finance", "marketing")]
    review_round = written_round(cohort, reviewers_per_application=2, max_load=2)
    return review_round, applications, profiles, factories.ProgrammeManagerFactory()


def test_run_through_the_api_then_read_status_and_pairs(setup, django_capture_on_commit_callbacks):
    review_round, applications, profiles, manager = setup
    api = _api(manager)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"/reviewers/rounds/{review_round.pk}/runs")
    assert started.status_code == 202
    run_id = started.json()["id"]
    status = api.get(f"/reviewers/runs/{run_id}").json()
    assert (status["state"], status["progress"]) == (RunState.DONE, 100)
    pairs = api.get(f"/reviewers/rounds/{review_round.pk}/assignments").json()
    assert len(pairs) == 6
    assert set(pairs[0]) >= {"affinity", "text_score", "sector_score", "bid", "reviewer_name"}
    assert sum(p["affinity"] for p in pairs) == pytest.approx(status["objective"])


def test_a_swap_to_a_conflicted_reviewer_is_refused_with_409(
    setup, django_capture_on_commit_callbacks
):
    review_round, applications, profiles, manager = setup
    api = _api(manager)
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/reviewers/rounds/{review_round.pk}/runs")
    pair = Assignment.objects.filter(round=review_round).first()
    other = next(
        p
        for p in profiles
        if not Assignment.objects.filter(
            round=review_round, application=pair.application, reviewer=p.user
        ).exists()
    )
    Conflict.objects.create(
        reviewer=other.user,
        startup=pair.application.startup,
        source=ConflictSource.DECLARED_BY_STAFF,
        reason="Co-founder's relative.",
    )
    response = api.patch(f"/reviewers/assignments/{pair.pk}", {"reviewer": other.user_id})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    pair.refresh_from_db()
    assert pair.reviewer_id != other.user_id


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"cohort": 1, "kind": "oral"}, "kind"),
        ({"cohort": 1, "max_load": 0}, "max_load"),
        ({"cohort": 1, "reviewers_per_application": 99}, "reviewers_per_application"),
        ({"cohort": "x"}, "cohort"),
    ],
)
def test_bad_round_input_is_422(setup, payload, field):
    *_, manager = setup
    response = _api(manager).post("/reviewers/rounds", payload)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def test_min_load_above_max_load_is_refused(setup):
    review_round, *_, manager = setup
    cohort = factories.CallFactory().cohort
    response = _api(manager).post(
        "/reviewers/rounds", {"cohort": cohort.pk, "min_load": 5, "max_load": 2}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "min_load"


def test_bad_bid_value_is_422_and_saves_nothing(setup):
    review_round, applications, profiles, _ = setup
    api = _api(profiles[0].user)
    response = api._call(
        "put",
        f"/reviewers/rounds/{review_round.pk}/bids/{applications[0].pk}",
        {"value": "desperate"},
    )
    assert response.status_code == 422
    assert not Bid.objects.exists()
    ok = api._call(
        "put", f"/reviewers/rounds/{review_round.pk}/bids/{applications[0].pk}", {"value": "eager"}
    )
    assert ok.status_code == 200 and ok.json()["bid"] == "eager"


def test_profile_patch_refuses_unknown_sectors_and_languages(setup):
    _, _, profiles, _ = setup
    api = _api(profiles[0].user)
    assert api.patch("/reviewers/me", {"sectors": ["no-such-sector"]}).status_code == 422
    assert api.patch("/reviewers/me", {"languages": ["tlh"]}).status_code == 422
    assert api.patch("/reviewers/me", {"max_per_round": -1}).status_code == 422
    ok = api.patch("/reviewers/me", {"languages": ["yue"], "max_per_round": 3})
    assert ok.status_code == 200 and ok.json()["languages"] == ["yue"]


def test_a_reviewer_declares_a_conflict_through_the_api(setup):
    review_round, applications, profiles, _ = setup
    api = _api(profiles[0].user)
    response = api.post(
        "/reviewers/conflicts", {"application": applications[1].pk, "reason": "Former employer"}
    )
    assert response.status_code == 201
    bids = api.get(f"/reviewers/rounds/{review_round.pk}/bids").json()
    assert applications[1].pk not in {b["application"] for b in bids}
    assert api.post("/reviewers/conflicts", {"application": 999999}).status_code == 404
