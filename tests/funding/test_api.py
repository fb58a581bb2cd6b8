"""The API keeps the same rules: four eyes, founders' isolation, bad input, retries."""

import pytest

from nurture.accounts.models import Role
from nurture.accounts.services import api_token_create
from nurture.funding.models import Disbursement, DisbursementStatus
from nurture.resources.models import LedgerTransaction, TransactionKind
from tests import factories
from tests.api.conftest import ApiClient
from tests.funding.conftest import BANK, admitted_application

pytestmark = pytest.mark.django_db


def api_for(user) -> ApiClient:
    _token, key = api_token_create(user=user, name="tests")
    return ApiClient(key)


def _postings() -> int:
    return LedgerTransaction.objects.filter(kind=TransactionKind.DISBURSEMENT).count()


def test_a_request_made_and_approved_through_the_api(tranches, manager, finance):
    created = api_for(manager).post(
        "/funding/disbursements", {"tranche": tranches[0].pk, "evidence": "Signed.", **BANK}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "pending"
    assert body["bank"]["account_number"] == BANK["bank_account_number"]

    approved = api_for(finance).post(
        f"/funding/disbursements/{body['id']}/approve", {"payment_reference": "HCB-9"}
    )

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["ledger_transaction"] is not None
    schedule = api_for(tranches[0].application.startup.members.get()).get(
        f"/funding/startups/{tranches[0].application.startup_id}/schedule"
    )
    assert [(t["status"], t["payment_reference"]) for t in schedule.json()] == [
        ("paid", "HCB-9"),
        ("due", None),
        ("scheduled", None),
    ]


def test_the_requester_cannot_approve_through_the_api(pending, manager):
    manager.role = Role.FINANCE_APPROVER
    manager.save(update_fields=["role"])

    response = api_for(manager).post(
        f"/funding/disbursements/{pending.pk}/approve", {"payment_reference": "R"}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "four_eyes"
    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING
    assert _postings() == 0


def test_a_second_approval_is_a_conflict_and_posts_nothing(pending, finance):
    first = api_for(finance).post(
        f"/funding/disbursements/{pending.pk}/approve", {"payment_reference": "R1"}
    )
    second = api_for(factories.FinanceApproverFactory()).post(
        f"/funding/disbursements/{pending.pk}/approve", {"payment_reference": "R2"}
    )

    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json()["code"] == "already_decided"
    assert _postings() == 1


def test_a_retried_approval_with_its_key_replays_the_answer_and_posts_once(pending, finance):
    api = api_for(finance)
    url = f"/funding/disbursements/{pending.pk}/approve"
    headers = {"Idempotency-Key": "approve-7f3c"}

    first = api.post(url, {"payment_reference": "R1"}, headers=headers)
    retry = api.post(url, {"payment_reference": "R1"}, headers=headers)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert _postings() == 1


def test_a_retried_creation_with_its_key_makes_one_request(tranches, manager):
    api = api_for(manager)
    payload = {"tranche": tranches[0].pk, "evidence": "Signed.", **BANK}
    first = api.post("/funding/disbursements", payload, headers={"Idempotency-Key": "k-1"})
    retry = api.post("/funding/disbursements", payload, headers={"Idempotency-Key": "k-1"})

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert Disbursement.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"evidence": ""}, "evidence"),
        ({"bank_account_number": "x"}, "bank_account_number"),
        ({"bank_account_number": "1" * 41}, "bank_account_number"),
        ({"tranche": 0}, "tranche"),
        ({"tranche": "abc"}, "tranche"),
        ({"evidence": "signed\x00"}, "evidence"),
        ({"bank_name": "Bank\x00"}, "bank_name"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(tranches, manager, payload, field):
    response = api_for(manager).post(
        "/funding/disbursements",
        {"tranche": tranches[0].pk, "evidence": "Signed.", **BANK, **payload},
    )
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert Disbursement.objects.count() == 0


def test_an_approval_without_a_reference_is_a_422(pending, finance):
    response = api_for(finance).post(
        f"/funding/disbursements/{pending.pk}/approve", {"payment_reference": "  "}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "payment_reference"


def test_founders_see_their_requests_without_bank_details_and_not_others(pending, tranches):
    founder = tranches[0].application.startup.members.get()
    other = admitted_application().startup.members.get()

    mine = api_for(founder).get("/funding/disbursements").json()["items"]
    theirs = api_for(other)

    assert [(d["id"], d["bank"], d["evidence"]) for d in mine] == [(pending.pk, None, None)]
    assert theirs.get("/funding/disbursements").json()["items"] == []
    assert theirs.get(f"/funding/disbursements/{pending.pk}").status_code == 404
    startup = tranches[0].application.startup_id
    assert theirs.get(f"/funding/startups/{startup}/schedule").status_code == 404


def test_a_session_approval_needs_a_recent_confirmation(client, pending, finance):
    client.force_login(finance)
    session = client.session
    session.pop("_reauth_at", None)
    session.save()

    response = client.post(
        f"/api/funding/disbursements/{pending.pk}/approve",
        {"payment_reference": "R"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "reauth_required"
    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING
