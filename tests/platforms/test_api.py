import pytest

from nurture.platforms.models import AccessStatus, Platform, PlatformAccess
from tests import factories
from tests.funding.conftest import admitted_application
from tests.funding.test_api import api_for

pytestmark = pytest.mark.django_db


def test_a_founder_asks_through_the_api_and_a_retry_asks_once():
    application = admitted_application()
    api = api_for(application.startup.members.get())
    payload = {
        "application": application.pk,
        "platform": Platform.objects.get(slug="sensetime").pk,
        "purpose": "Fine-tune a detector.",
    }

    first = api.post("/platforms/accesses", payload, headers={"Idempotency-Key": "p-1"})
    retry = api.post("/platforms/accesses", payload, headers={"Idempotency-Key": "p-1"})
    again = api.post("/platforms/accesses", payload)

    assert (first.status_code, retry.status_code, again.status_code) == (201, 201, 409)
    assert first.json()["ends_on"] == application.cohort.ends_on.isoformat()
    assert PlatformAccess.objects.count() == 1


def test_staff_provision_then_revoke_through_the_api():
    application = admitted_application()
    founder_api = api_for(application.startup.members.get())
    access = founder_api.post(
        "/platforms/accesses",
        {"application": application.pk, "platform": Platform.objects.first().pk},
    ).json()
    staff = api_for(factories.ProgrammeManagerFactory())

    blank = staff.post(f"/platforms/accesses/{access['id']}/provision", {"account_identifier": ""})
    done = staff.post(
        f"/platforms/accesses/{access['id']}/provision", {"account_identifier": "st-77"}
    )
    revoked = staff.post(f"/platforms/accesses/{access['id']}/revoke", {})

    assert blank.status_code == 422
    assert (done.status_code, done.json()["account_identifier"]) == (200, "st-77")
    assert revoked.json()["status"] == AccessStatus.REVOKED
    listed = founder_api.get("/platforms/accesses").json()["items"]
    assert [item["status"] for item in listed] == ["revoked"]


def test_null_characters_are_bad_input_not_a_server_error():
    application = admitted_application()
    api = api_for(application.startup.members.get())
    response = api.post(
        "/platforms/accesses",
        {
            "application": application.pk,
            "platform": Platform.objects.first().pk,
            "purpose": "a\x00b",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "purpose"
    assert PlatformAccess.objects.count() == 0
