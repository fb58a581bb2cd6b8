"""The privacy API: own requests only, bad input answered 422, export as an attachment."""

import io
import json
import zipfile

import pytest

from nurture.privacy import services
from nurture.privacy.models import DataRequest, RequestKind
from tests import factories
from tests.api.conftest import ApiClient, drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for():
    from nurture.accounts.services import api_token_create

    def make(user):
        _token, key = api_token_create(user=user, name="tests")
        return ApiClient(key)

    return make


def test_a_person_creates_lists_and_downloads_their_own_request(api_for):
    founder = factories.FounderFactory()
    api = api_for(founder)

    created = api.post("/privacy/requests", {"kind": "access"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["state"], body["days_left"], body["export_url"]) == (
        "access",
        "open",
        40,
        None,
    )
    services.data_request_export_build(request_id=body["id"])

    listed = api.get("/privacy/requests").json()["items"]
    assert [r["id"] for r in listed] == [body["id"]]
    assert listed[0]["export_url"] == f"/api/privacy/requests/{body['id']}/export"
    response = api.get(listed[0]["export_url"].removeprefix("/api"))
    content = drain(response)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))
    assert data["subject"]["email"] == founder.email


def test_another_persons_request_is_not_found(api_for):
    owner = factories.FounderFactory()
    request = services.data_request_create(user=owner, kind=RequestKind.ACCESS)
    api = api_for(factories.FounderFactory())

    assert api.get(f"/privacy/requests/{request.pk}").status_code == 404
    assert api.get(f"/privacy/requests/{request.pk}/export").status_code == 404
    assert api.get("/privacy/requests").json()["items"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "delete-all"}, "kind"),
        ({"kind": "correction"}, "field"),
        ({"kind": "correction", "field": "full_name"}, "requested_value"),
        ({"kind": "correction", "field": "other"}, "details"),
        ({"kind": "correction", "field": "full_name", "requested_value": "x" * 301}, None),
    ],
)
def test_bad_input_is_refused_with_422_and_nothing_saved(api_for, payload, field):
    response = api_for(factories.FounderFactory()).post("/privacy/requests", payload)

    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    if field:
        assert field in json.dumps(body["errors"])
    assert DataRequest.objects.count() == 0


def test_the_queue_lists_everyones_open_requests_for_staff(api_for):
    founders = [factories.FounderFactory() for _ in range(2)]
    for founder in founders:
        services.data_request_create(user=founder, kind=RequestKind.ACCESS)

    items = api_for(factories.ProgrammeManagerFactory()).get("/privacy/queue").json()["items"]

    assert sorted(i["user_email"] for i in items) == sorted(f.email for f in founders)
