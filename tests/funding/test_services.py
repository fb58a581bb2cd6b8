from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from nurture.accounts.models import Role
from nurture.applications.models import ApplicationState
from nurture.audit.models import AuditEntry
from nurture.funding import services
from nurture.funding.models import Disbursement, DisbursementStatus, Tranche, TrancheRule
from nurture.funding.services import FundingError, add_months
from nurture.resources.models import Account, AccountKind, LedgerTransaction, TransactionKind
from nurture.resources.selectors import ledger_problems
from tests import factories
from tests.funding.conftest import BANK, admitted_application, own_programme, request_payment

pytestmark = pytest.mark.django_db


def _seed_balances(startup) -> dict[str, Decimal]:
    return {
        account.kind: account.balance
        for account in Account.objects.filter(startup=startup, resource="seed_funding")
    }


# --- Schedules ------------------------------------------------------------------------------


def test_the_default_schedule_is_40_30_30_from_the_cohort_start(application, manager):
    tranches = services.tranche_schedule_create(application=application, actor=manager)

    start = application.cohort.starts_on
    assert [(t.percent, t.amount, t.currency, t.due_on) for t in tranches] == [
        (Decimal("40"), Decimal("40000.00"), "USD", start),
        (Decimal("30"), Decimal("30000.00"), "USD", add_months(start, 3)),
        (Decimal("30"), Decimal("30000.00"), "USD", add_months(start, 6)),
    ]
    assert tranches[1].milestone_zh_hant  # the milestone comes in both languages
    assert AuditEntry.objects.filter(action="funding.schedule_created").count() == 1


def test_drawing_up_again_returns_the_same_schedule(application, manager):
    first = services.tranche_schedule_create(application=application, actor=manager)
    again = services.tranche_schedule_create(application=application, actor=manager)

    assert [t.pk for t in again] == [t.pk for t in first]
    assert Tranche.objects.count() == 3


def test_the_last_tranche_takes_the_rounding():
    application = admitted_application(own_programme(seed=Decimal("1000.01")))

    tranches = services.tranche_schedule_create(application=application, actor=None)

    assert [t.amount for t in tranches] == [Decimal("400.00"), Decimal("300.00"), Decimal("300.01")]
    assert sum(t.amount for t in tranches) == Decimal("1000.01")


def test_months_are_added_to_the_calendar_with_short_months_clamped():
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2027, 3, 1), 6) == date(2027, 9, 1)
    assert add_months(date(2027, 12, 31), 0) == date(2027, 12, 31)


def test_only_an_admitted_startup_gets_a_schedule(manager):
    application = factories.submitted()

    with pytest.raises(FundingError) as error:
        services.tranche_schedule_create(application=application, actor=manager)

    assert error.value.code == "not_accepted"
    assert Tranche.objects.count() == 0


def test_a_founder_cannot_draw_up_a_schedule(application):
    founder = application.startup.members.get()
    with pytest.raises(FundingError) as error:
        services.tranche_schedule_create(application=application, actor=founder)
    assert error.value.code == "forbidden"


def test_a_schedule_keeps_its_tranches_when_the_rules_change(tranches, manager, application):
    services.tranche_rules_update(
        programme=application.cohort.programme,
        actor=manager,
        rules=[{"percent": "100", "months_after_start": 0, "label": "All at once"}],
    )

    assert list(Tranche.objects.values_list("percent", flat=True).order_by("position")) == [
        Decimal("40"),
        Decimal("30"),
        Decimal("30"),
    ]


# --- Tranche rules --------------------------------------------------------------------------


def _rules(*shares):
    return [
        {"percent": share, "months_after_start": index * 2, "label": f"Part {index}"}
        for index, share in enumerate(shares)
    ]


def test_tranche_rules_must_add_up_to_100(manager):
    programme = factories.programme_default()
    before = list(TrancheRule.objects.filter(programme=programme).values_list("percent", flat=True))

    with pytest.raises(FundingError) as error:
        services.tranche_rules_update(programme=programme, actor=manager, rules=_rules("50", "40"))

    assert error.value.code == "not_100"
    assert "90" in error.value.message
    after = list(TrancheRule.objects.filter(programme=programme).values_list("percent", flat=True))
    assert after == before == [Decimal("40"), Decimal("30"), Decimal("30")]


@pytest.mark.parametrize(
    "rule",
    [
        {"percent": "0", "months_after_start": 0, "label": "x"},
        {"percent": "-10", "months_after_start": 0, "label": "x"},
        {"percent": "abc", "months_after_start": 0, "label": "x"},
        {"percent": "33.333", "months_after_start": 0, "label": "x"},
        {"percent": "100", "months_after_start": -1, "label": "x"},
        {"percent": "100", "months_after_start": 61, "label": "x"},
        {"percent": "100", "months_after_start": "soon", "label": "x"},
        {"percent": "100", "months_after_start": 0, "label": "  "},
    ],
)
def test_bad_tranche_rules_are_refused_and_nothing_changes(manager, rule):
    programme = factories.programme_default()
    with pytest.raises(FundingError):
        services.tranche_rules_update(programme=programme, actor=manager, rules=[rule])
    assert TrancheRule.objects.filter(programme=programme).count() == 3


def test_a_programme_manager_replaces_the_tranches(manager):
    programme = factories.programme_default()

    rules = services.tranche_rules_update(
        programme=programme, actor=manager, rules=_rules("50", "25.5", "24.5")
    )

    assert [(r.position, r.percent, r.months_after_start) for r in rules] == [
        (1, Decimal("50"), 0),
        (2, Decimal("25.5"), 2),
        (3, Decimal("24.5"), 4),
    ]
    assert AuditEntry.objects.filter(action="funding.tranches_updated").count() == 1


def test_only_programme_staff_change_tranches(finance):
    with pytest.raises(FundingError) as error:
        services.tranche_rules_update(
            programme=factories.programme_default(), actor=finance, rules=_rules("100")
        )
    assert error.value.code == "forbidden"


# --- Requests -------------------------------------------------------------------------------


def test_a_request_is_mailed_to_finance(
    tranches, manager, finance, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        disbursement = request_payment(tranches[0], manager)

    assert disbursement.status == DisbursementStatus.PENDING
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [finance.email]
    assert "USD 40,000.00" in message.body
    assert message.body.count("USD 40,000.00") == 2  # once in each language
    assert f"/funding/disbursements/{disbursement.pk}/" in message.body


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("evidence", ""),
        ("bank_account_name", " "),
        ("bank_name", ""),
        ("bank_account_number", ""),
        ("bank_account_number", "12"),
        ("bank_account_number", "12;DROP TABLE"),
        ("evidence", "x" * 4001),
    ],
)
def test_a_request_with_bad_input_is_refused(tranches, manager, field, value):
    with pytest.raises(FundingError) as error:
        request_payment(tranches[0], manager, **{field: value})
    assert error.value.field == field
    assert Disbursement.objects.count() == 0


def test_a_tranche_not_yet_due_cannot_be_requested(tranches, manager):
    Tranche.objects.filter(pk=tranches[2].pk).update(
        due_on=timezone.localdate() + timedelta(days=1)
    )
    tranches[2].refresh_from_db()
    with pytest.raises(FundingError) as error:
        request_payment(tranches[2], manager)
    assert error.value.code == "not_due"


def test_one_open_request_per_tranche(pending, tranches, manager):
    with pytest.raises(FundingError) as error:
        request_payment(tranches[0], manager)
    assert error.value.code == "duplicate"
    assert Disbursement.objects.count() == 1


def test_the_database_holds_one_live_request_per_tranche(pending, manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(
            tranche=pending.tranche, evidence="again", requested_by=manager, **BANK
        )


@pytest.mark.parametrize("role", ["founder", "finance_approver", "reviewer", "partner"])
def test_only_programme_staff_request(tranches, role):
    user = factories.UserFactory(role=role)
    with pytest.raises(FundingError) as error:
        request_payment(tranches[0], user)
    assert error.value.code == "forbidden"


# --- Approval -------------------------------------------------------------------------------


def test_approval_posts_the_tranche_from_the_pool_through_the_startup_once(
    pending, finance, application, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.disbursement_approve(
            disbursement=pending, actor=finance, payment_reference="HCB-2027-0001"
        )

    assert approved.status == DisbursementStatus.APPROVED
    assert approved.decided_by == finance
    assert approved.payment_reference == "HCB-2027-0001"
    posting = approved.ledger_transaction
    assert posting.kind == TransactionKind.DISBURSEMENT
    assert posting.idempotency_key == f"funding-disbursement:{pending.pk}"
    assert _seed_balances(application.startup) == {
        AccountKind.ASSET: Decimal("60000"),
        AccountKind.SPEND: Decimal("40000"),
    }
    assert ledger_problems() == []
    # The founders hear of it, in both languages.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [application.startup.members.get().email]
    assert "HCB-2027-0001" in mail.outbox[0].body
    assert "加入時" in mail.outbox[0].body  # the tranche's Chinese name, in the Chinese half


def test_approving_twice_is_refused_and_posts_once(pending, finance):
    services.disbursement_approve(disbursement=pending, actor=finance, payment_reference="R1")
    other = factories.FinanceApproverFactory()

    with pytest.raises(FundingError) as error:
        services.disbursement_approve(disbursement=pending, actor=other, payment_reference="R2")

    assert error.value.code == "already_decided"
    assert LedgerTransaction.objects.filter(kind=TransactionKind.DISBURSEMENT).count() == 1
    pending.refresh_from_db()
    assert (pending.payment_reference, pending.decided_by) == ("R1", finance)


def test_the_requester_never_approves_even_after_becoming_finance(pending, manager):
    manager.role = Role.FINANCE_APPROVER
    manager.save(update_fields=["role"])

    for act in (
        lambda: services.disbursement_approve(
            disbursement=pending, actor=manager, payment_reference="R"
        ),
        lambda: services.disbursement_reject(disbursement=pending, actor=manager, reason="no"),
    ):
        with pytest.raises(FundingError) as error:
            act()
        assert error.value.code == "four_eyes"

    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING
    assert LedgerTransaction.objects.filter(kind=TransactionKind.DISBURSEMENT).count() == 0


def test_the_database_refuses_a_decision_by_the_requester(pending):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=pending.pk).update(
            status=DisbursementStatus.REJECTED,
            decided_by=pending.requested_by,
            decided_at=timezone.now(),
            rejection_reason="self",
        )


def test_the_database_refuses_an_approval_without_a_posting(pending, finance):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=pending.pk).update(
            status=DisbursementStatus.APPROVED,
            decided_by=finance,
            decided_at=timezone.now(),
            payment_reference="R",
        )


@pytest.mark.parametrize("role", ["programme_manager", "administrator", "founder", "reviewer"])
def test_only_finance_approvers_decide(pending, role):
    user = factories.UserFactory(role=role)
    with pytest.raises(FundingError) as error:
        services.disbursement_approve(disbursement=pending, actor=user, payment_reference="R")
    assert error.value.code == "forbidden"
    with pytest.raises(FundingError):
        services.disbursement_reject(disbursement=pending, actor=user, reason="no")
    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING


def test_an_approval_needs_a_payment_reference(pending, finance):
    with pytest.raises(FundingError) as error:
        services.disbursement_approve(disbursement=pending, actor=finance, payment_reference=" ")
    assert error.value.field == "payment_reference"
    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING


def test_a_rejection_needs_a_reason_and_the_tranche_may_be_requested_again(
    pending, finance, manager
):
    with pytest.raises(FundingError):
        services.disbursement_reject(disbursement=pending, actor=finance, reason="")

    rejected = services.disbursement_reject(
        disbursement=pending, actor=finance, reason="The agreement is not signed yet."
    )
    again = request_payment(pending.tranche, manager)

    assert rejected.status == DisbursementStatus.REJECTED
    assert again.status == DisbursementStatus.PENDING
    with pytest.raises(FundingError) as error:
        services.disbursement_approve(disbursement=rejected, actor=finance, payment_reference="R")
    assert error.value.code == "already_decided"


def test_approval_of_a_startup_no_longer_admitted_still_posts_only_what_it_was_owed(
    pending, finance, application
):
    """Benefits open from the accepted application; a withdrawn one cannot be paid."""
    application.state = ApplicationState.WITHDRAWN
    application.save(update_fields=["state"])

    with pytest.raises(FundingError) as error:
        services.disbursement_approve(disbursement=pending, actor=finance, payment_reference="R")

    assert error.value.code == "ledger"
    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING
    assert LedgerTransaction.objects.filter(kind=TransactionKind.DISBURSEMENT).count() == 0
