"""Hypothesis against the review form, the panel tap and the review API: whatever is sent,
no 500, and a refused request changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nurture.reviewers.models import RoundKind
from nurture.reviews.models import Review, Score
from tests.api.conftest import as_user  # noqa: F401 - the API client fixture

from .helpers import assign, criteria, published_round

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALUES = st.one_of(
    st.sampled_from(["", "0", "1", "3", "5", "6", "-1", "2.5", "yes", "strong_yes", "x" * 6000]),
    st.text(max_size=40),
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _state():
    return (
        list(Review.objects.values_list("state", "recommendation", "confidence", "comment")),
        sorted(Score.objects.values_list("criterion_id", "value")),
    )


def test_the_review_form_never_fails_and_never_half_saves():
    assignment = assign(published_round())
    names = [f"score_{c.pk}" for c in criteria(assignment.round)]
    names += ["recommendation", "confidence", "comment", "feedback", "submit", "bogus"]
    client = Client()
    client.force_login(assignment.reviewer)
    url = reverse("reviews:save", args=[assignment.pk])

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(names), VALUES), htmx=st.booleans())
    def check(data, htmx):
        before = _state()
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(url, data, headers=headers)
        assert response.status_code < 500
        if response.status_code >= 400:
            assert _state() == before

    check()


def test_the_panel_tap_never_fails_and_never_half_saves():
    assignment = assign(published_round(kind=RoundKind.PANEL))
    fields = [str(c.pk) for c in criteria(assignment.round)]
    fields += ["recommendation", "confidence", "submit", "", "999999", "x"]
    client = Client()
    client.force_login(assignment.reviewer)
    url = reverse("reviews:panel_tap", args=[assignment.pk])

    @FUZZ
    @given(field=st.sampled_from(fields), value=VALUES)
    def check(field, value):
        before = _state()
        response = client.post(
            url, {"field": field, "value": value}, headers={"HX-Request": "true"}
        )
        assert response.status_code < 500
        if response.status_code >= 400:
            assert _state() == before

    check()


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=6,
)


def test_the_review_api_never_fails_and_never_half_saves(as_user):  # noqa: F811
    assignment = assign(published_round())
    keys = [c.key for c in criteria(assignment.round)] + ["nope"]
    api = as_user(assignment.reviewer)
    path = f"/reviews/assignments/{assignment.pk}/review"
    body = st.fixed_dictionaries(
        {},
        optional={
            "scores": st.one_of(JSON, st.dictionaries(st.sampled_from(keys), JSON, max_size=6)),
            "recommendation": JSON,
            "confidence": JSON,
            "comment": st.one_of(JSON, st.just("y" * 5001)),
            "feedback": JSON,
            "extra": JSON,
        },
    )

    @FUZZ
    @given(payload=body, submit=st.booleans())
    def check(payload, submit):
        before = _state()
        if submit:
            response = api.post(f"{path}/submit", payload)
        else:
            response = api._call("put", path, payload)
        assert response.status_code < 500, response.content
        if response.status_code >= 400:
            assert _state() == before
            assert set(response.json()) == {"detail", "code", "errors"}

    check()
