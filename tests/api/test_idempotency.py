"""`Idempotency-Key` on API writes: replay, reuse with another body, races, expiry, rollback.

The tests mount a small API of their own (this module is also its urlconf) whose operations
record an audit entry, so each test can count the effects.
"""

import io
import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, Router, Schema, Status

from nurture.accounts.services import api_token_create
from nurture.api import errors
from nurture.api.auth import API_AUTH
from nurture.api.errors import ApiError
from nurture.api.idempotency import HEADER, idempotency_purge, idempotent
from nurture.api.models import IdempotentResponse
from nurture.audit.models import AuditEntry
from nurture.audit.services import audit_record
from tests import factories
from tests.resources.conftest import threaded_db  # noqa: F401 (fixture)

ACTION = "test.idempotent_thing"
# Set by a slow request once it holds its key, inside its transaction.
SLOW_INSIDE = threading.Event()


class ThingIn(Schema):
    name: str
    amount: int = 1


class ThingOut(Schema):
    id: int
    name: str


router = Router()


@router.post("/things", response={201: ThingOut, 422: dict})
@idempotent
def thing_create(request, payload: ThingIn):
    entry = audit_record(
        actor=request.user, action=ACTION, summary=payload.name, data={"amount": payload.amount}
    )
    if payload.name == "slow":
        SLOW_INSIDE.set()
        time.sleep(0.5)
    return Status(201, {"id": entry.pk, "name": payload.name})


@idempotent
@router.post("/things/{thing_id}/refuse", response={201: ThingOut, 422: dict})
def thing_refuse(request, thing_id: int, payload: ThingIn):
    # Writes first, then refuses: the write must not stay, and nothing is stored.
    audit_record(actor=request.user, action=ACTION, summary=payload.name)
    raise ApiError(422, "Refused on purpose.", code="refused")


@router.post("/uploads", response={201: dict})
@idempotent
def upload_create(request):
    upload = request.FILES["file"]
    entry = audit_record(actor=request.user, action=ACTION, summary=upload.name)
    return Status(201, {"id": entry.pk, "size": upload.size})


@router.post("/plain", response={201: dict})
def plain_create(request):
    entry = audit_record(actor=request.user, action=ACTION, summary="plain")
    return Status(201, {"id": entry.pk})


api = NinjaAPI(urls_namespace="idempotency-tests", auth=API_AUTH)
errors.install(api)
api.add_router("", router)
urlpatterns = [path("api/", api.urls)]

pytestmark = pytest.mark.urls(__name__)


def effects() -> int:
    return AuditEntry.objects.filter(action=ACTION).count()


class Caller:
    def __init__(self, user):
        _token, key = api_token_create(user=user, name="tests")
        self.client = Client()
        self.auth = {"Authorization": f"Bearer {key}"}

    def post(self, url, data=None, *, key=None, raw=None, **kwargs):
        headers = dict(self.auth)
        if key is not None:
            headers[HEADER] = key
        if "files" in kwargs:
            return self.client.post(f"/api{url}", kwargs["files"], headers=headers)
        body = raw if raw is not None else json.dumps(data)
        return self.client.post(
            f"/api{url}", body, content_type="application/json", headers=headers
        )


@pytest.fixture
def founder(db):
    return Caller(factories.FounderFactory())


def test_without_a_key_every_request_acts(founder):
    founder.post("/things", {"name": "a"})
    founder.post("/things", {"name": "a"})
    assert effects() == 2
    assert not IdempotentResponse.objects.exists()


def test_same_key_and_body_replays_the_first_answer(founder):
    first = founder.post("/things", {"name": "a", "amount": 3}, key="k-1")
    # The same JSON with other spacing and key order is the same request.
    again = founder.post("/things", raw='{ "amount": 3,  "name": "a" }', key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert effects() == 1


def test_same_key_with_another_body_is_refused(founder):
    founder.post("/things", {"name": "a"}, key="k-2")
    response = founder.post("/things", {"name": "b"}, key="k-2")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "different request" in response.json()["detail"]
    assert effects() == 1


def test_same_key_on_another_path_is_refused(founder):
    founder.post("/things", {"name": "a"}, key="k-3")
    response = founder.post("/things/1/refuse", {"name": "a"}, key="k-3")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert effects() == 1


def test_keys_belong_to_their_user(founder, db):
    other = Caller(factories.FounderFactory())
    mine = founder.post("/things", {"name": "a"}, key="shared")
    theirs = other.post("/things", {"name": "a"}, key="shared")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert effects() == 2


def test_a_refusal_keeps_nothing_and_a_retry_runs_again(founder):
    first = founder.post("/things/1/refuse", {"name": "a"}, key="k-4")
    assert first.status_code == 422
    assert first.json()["code"] == "refused"
    assert effects() == 0  # the write before the refusal was rolled back
    assert not IdempotentResponse.objects.exists()
    second = founder.post("/things/1/refuse", {"name": "a"}, key="k-4")
    assert second.status_code == 422
    assert not second.has_header("Idempotent-Replayed")


def test_a_validation_error_is_not_stored(founder):
    bad = founder.post("/things", {"amount": 1}, key="k-5")
    assert bad.status_code == 422
    assert not IdempotentResponse.objects.exists()


@pytest.mark.parametrize("key", ["", " ", "a" * 201, "naïve", "tab\there"])
def test_malformed_keys_are_refused(founder, key):
    response = founder.post("/things", {"name": "a"}, key=key)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_invalid"
    assert effects() == 0


def test_multipart_bodies_compare_by_content(founder):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def send(content: bytes):
        upload = SimpleUploadedFile("usage.csv", content, content_type="text/csv")
        return founder.post("/uploads", key="k-6", files={"file": upload})

    first = send(b"a,b\n1,2\n")
    again = send(b"a,b\n1,2\n")
    other = send(b"a,b\n1,3\n")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 422
    assert effects() == 1


def test_an_expired_key_starts_afresh_and_purge_forgets_it(founder):
    founder.post("/things", {"name": "a"}, key="k-7")
    IdempotentResponse.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = founder.post("/things", {"name": "a"}, key="k-7")
    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
    assert effects() == 2
    founder.post("/things", {"name": "b"}, key="k-8")
    IdempotentResponse.objects.filter(key="k-8").update(
        created_at=timezone.now() - timedelta(hours=24, seconds=1)
    )
    assert idempotency_purge() == 1
    assert list(IdempotentResponse.objects.values_list("key", flat=True)) == ["k-7"]
    out = io.StringIO()
    call_command("idempotency_purge", stdout=out)
    assert "Deleted 0 " in out.getvalue()
    assert IdempotentResponse.objects.count() == 1


def test_the_header_is_documented_in_openapi(founder):
    schema = api.get_openapi_schema()
    parameters = schema["paths"]["/api/things"]["post"]["parameters"]
    assert any(parameter["name"] == HEADER for parameter in parameters)
    assert not schema["paths"]["/api/plain"]["post"]["parameters"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("threaded_db")
def test_racing_duplicates_act_once():
    """Threads send one key at once: one acts, the others wait and get its answer."""
    caller = Caller(factories.FounderFactory())
    threads = 4
    barrier = threading.Barrier(threads)
    results: list = [None] * threads

    def send(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = caller.post("/things", {"name": "slow"}, key="race")
        except BaseException as exc:  # reported below
            results[index] = exc
        finally:
            connection.close()

    workers = [threading.Thread(target=send, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert all(not isinstance(result, BaseException) for result in results), results
    statuses = sorted(result.status_code for result in results)
    assert set(statuses) <= {201, 409}
    bodies = {json.dumps(result.json()) for result in results if result.status_code == 201}
    assert len(bodies) == 1
    assert effects() == 1
    assert IdempotentResponse.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a lock_timeout is PostgreSQL's")
def test_a_duplicate_waiting_too_long_gets_409_then_the_answer(settings):
    settings.IDEMPOTENCY_WAIT_SECONDS = 0.1
    caller = Caller(factories.FounderFactory())
    SLOW_INSIDE.clear()
    results: dict = {}

    def first() -> None:
        try:
            results["first"] = caller.post("/things", {"name": "slow"}, key="slow-key")
        finally:
            connection.close()

    worker = threading.Thread(target=first)
    worker.start()
    assert SLOW_INSIDE.wait(timeout=30)  # the first holds the key, asleep in its transaction
    busy = caller.post("/things", {"name": "slow"}, key="slow-key")
    worker.join(timeout=30)
    assert busy.status_code == 409, (busy.content, busy.get("Idempotent-Replayed"), effects())
    assert busy.json()["code"] == "idempotency_in_progress"
    assert busy["Retry-After"] == "1"
    assert results["first"].status_code == 201
    again = caller.post("/things", {"name": "slow"}, key="slow-key")
    assert again.status_code == 201
    assert again.json() == results["first"].json()
    assert again["Idempotent-Replayed"] == "true"
    assert effects() == 1
