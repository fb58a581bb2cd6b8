"""Hypothesis over the privacy forms: hostile input gets a 4xx (or is accepted whole), never
a 500, and a refused submission writes nothing."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nurture.audit.models import AuditEntry
from nurture.privacy.models import (
    ConsentRecord,
    DataRequest,
    MarketingDelivery,
    MarketingMessage,
    RequestKind,
)
from nurture.privacy.services import data_request_create
from tests import factories
from tests.security.fuzzing import hostile_value

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _counts():
    return (
        DataRequest.objects.count(),
        MarketingMessage.objects.count(),
        MarketingDelivery.objects.count(),
        ConsentRecord.objects.count(),
    )


def _submission(base: dict, fields: list[str]):
    return st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(fields, hostile_value)
        | {f"extra_{i}": hostile_value for i in range(2)},
    ).map(lambda hostile: {**base, **hostile})


@FUZZ
@given(
    data=_submission(
        {"kind": "correction", "field": "full_name", "requested_value": "Name"},
        ["kind", "field", "requested_value", "details"],
    )
)
def test_the_request_form_never_fails_and_never_half_saves(client, data):
    founder = factories.FounderFactory()
    client.force_login(founder)
    before = _counts()

    response = client.post(reverse("privacy:my_requests"), data)

    assert response.status_code < 500
    if response.status_code == 302:
        assert DataRequest.objects.count() == before[0] + 1
    else:
        assert response.status_code == 400
        assert _counts() == before


@FUZZ
@given(
    data=_submission(
        {
            "kind": "newsletter",
            "audience": "founders",
            "subject_en": "S",
            "subject_zh_hant": "主旨",
            "body_en": "B",
            "body_zh_hant": "內容",
        },
        ["kind", "audience", "subject_en", "subject_zh_hant", "body_en", "body_zh_hant"],
    )
)
def test_the_marketing_form_never_fails_and_never_half_saves(client, data):
    client.force_login(factories.ProgrammeManagerFactory())
    before = _counts()

    response = client.post(reverse("privacy:marketing_create"), data)

    assert response.status_code < 500
    if response.status_code == 302:
        assert MarketingMessage.objects.count() == before[1] + 1
    else:
        assert response.status_code == 400
        assert _counts() == before


@FUZZ
@given(reason=hostile_value, action=st.sampled_from(["request_apply", "request_refuse"]))
def test_deciding_a_request_with_hostile_input_never_fails(client, reason, action):
    founder = factories.FounderFactory()
    request = data_request_create(
        user=founder, kind=RequestKind.CORRECTION, field="other", details="x"
    )
    client.force_login(factories.ProgrammeManagerFactory())
    entries = AuditEntry.objects.count()

    response = client.post(reverse(f"privacy:{action}", args=[request.pk]), {"reason": reason})

    assert response.status_code < 500
    request.refresh_from_db()
    if response.status_code >= 400:
        assert request.state == "open"
        # Only the staff view of the request is recorded, nothing else.
        assert AuditEntry.objects.count() <= entries + 1


@FUZZ
@given(token=st.text(max_size=300).filter(lambda t: "/" not in t and t.strip()))
def test_a_hostile_opt_out_token_gets_a_clear_400(client, token):
    before = _counts()

    response = client.post(reverse("privacy:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert _counts() == before
