from decimal import Decimal

import pytest
from django.urls import reverse

from nurture.accounts.models import Role
from nurture.funding import services
from nurture.funding.models import Disbursement, DisbursementStatus, TrancheRule
from nurture.resources.models import LedgerTransaction, TransactionKind
from tests import factories
from tests.funding.conftest import BANK, admitted_application, request_payment

pytestmark = pytest.mark.django_db


def _posting_count() -> int:
    return LedgerTransaction.objects.filter(kind=TransactionKind.DISBURSEMENT).count()


def test_finance_approves_on_the_page_and_the_founder_sees_it_paid(client, pending, finance):
    client.force_login(finance)
    page = client.get(reverse("funding:disbursement_detail", args=[pending.pk]))
    assert page.status_code == 200
    assert BANK["bank_account_number"] in page.content.decode()

    response = client.post(
        reverse("funding:disbursement_approve", args=[pending.pk]),
        {"payment_reference": "HCB-77"},
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.payment_reference) == (DisbursementStatus.APPROVED, "HCB-77")
    founder = pending.tranche.application.startup.members.get()
    client.force_login(founder)
    mine = client.get(reverse("funding:mine")).content.decode()
    assert "HCB-77" in mine and "Paid" in mine
    detail = client.get(reverse("funding:disbursement_detail", args=[pending.pk])).content.decode()
    # Founders see the payment, never the bank details or the evidence.
    assert "HCB-77" in detail
    assert BANK["bank_account_number"] not in detail
    assert "Agreement signed." not in detail


def test_the_requester_cannot_approve_on_the_page_even_as_finance(client, pending, manager):
    manager.role = Role.FINANCE_APPROVER
    manager.save(update_fields=["role"])
    client.force_login(manager)

    page = client.get(reverse("funding:disbursement_detail", args=[pending.pk])).content.decode()
    response = client.post(
        reverse("funding:disbursement_approve", args=[pending.pk]), {"payment_reference": "R"}
    )

    assert "another finance approver must decide it" in page
    assert reverse("funding:disbursement_approve", args=[pending.pk]) not in page
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING
    assert _posting_count() == 0


@pytest.mark.parametrize("role", ["programme_manager", "administrator", "founder", "reviewer"])
def test_only_finance_may_post_an_approval(client, pending, role):
    client.force_login(factories.UserFactory(role=role))
    response = client.post(
        reverse("funding:disbursement_approve", args=[pending.pk]), {"payment_reference": "R"}
    )
    assert response.status_code == 403
    assert _posting_count() == 0


def test_an_approval_without_a_reference_is_refused_and_changes_nothing(client, pending, finance):
    client.force_login(finance)
    response = client.post(reverse("funding:disbursement_approve", args=[pending.pk]), {})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING


def test_finance_rejects_with_a_reason(client, pending, finance):
    client.force_login(finance)
    client.post(
        reverse("funding:disbursement_reject", args=[pending.pk]), {"reason": "Not signed."}
    )
    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason) == (
        DisbursementStatus.REJECTED,
        "Not signed.",
    )


def test_a_manager_requests_a_due_tranche_on_the_page(client, tranches, manager):
    client.force_login(manager)
    url = reverse("funding:disbursement_create", args=[tranches[0].pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"evidence": "Agreement signed on 2 March.", **BANK})

    disbursement = Disbursement.objects.get()
    assert response.url == reverse("funding:disbursement_detail", args=[disbursement.pk])
    assert disbursement.requested_by == manager


def test_a_bad_account_number_is_shown_on_its_field(client, tranches, manager):
    client.force_login(manager)
    response = client.post(
        reverse("funding:disbursement_create", args=[tranches[0].pk]),
        {"evidence": "Signed.", **BANK, "bank_account_number": "1;"},
    )
    assert response.status_code == 200
    assert "letters, digits, spaces or hyphens" in response.content.decode()
    assert Disbursement.objects.count() == 0


def test_founders_of_another_startup_see_nothing_of_this_one(client, pending, tranches):
    other = admitted_application()
    client.force_login(other.startup.members.get())

    urls = [
        reverse("funding:schedule", args=[tranches[0].application_id]),
        reverse("funding:disbursement_detail", args=[pending.pk]),
    ]

    assert [client.get(url).status_code for url in urls] == [403, 403]
    assert (
        pending.tranche.application.startup.name
        not in client.get(reverse("funding:mine")).content.decode()
    )


def test_the_cohort_page_draws_up_missing_schedules(client, manager):
    application = admitted_application()
    client.force_login(manager)

    client.post(reverse("funding:schedules_create", args=[application.cohort_id]))
    page = client.get(reverse("funding:cohort", args=[application.cohort_id])).content.decode()

    assert application.tranches.count() == 3
    assert "40,000.00" in page and "Request payment" in page


def _rules_post(*shares):
    data = {
        "tranches-TOTAL_FORMS": str(len(shares)),
        "tranches-INITIAL_FORMS": "0",
        "tranches-MIN_NUM_FORMS": "0",
        "tranches-MAX_NUM_FORMS": "12",
    }
    for index, share in enumerate(shares):
        data.update(
            {
                f"tranches-{index}-percent": share,
                f"tranches-{index}-months_after_start": str(index * 3),
                f"tranches-{index}-label": f"Part {index + 1}",
            }
        )
    return data


def test_the_tranche_page_refuses_shares_that_do_not_add_up(client, manager):
    programme = factories.ProgrammeFactory()
    services.tranche_rules_for(programme)
    client.force_login(manager)

    response = client.post(reverse("funding:rules", args=[programme.pk]), _rules_post("60", "30"))

    assert response.status_code == 200
    assert "they must add up to exactly 100%" in response.content.decode()
    assert list(
        TrancheRule.objects.filter(programme=programme).values_list("percent", flat=True)
    ) == [Decimal("40"), Decimal("30"), Decimal("30")]


def test_the_tranche_page_saves_new_tranches(client, manager):
    programme = factories.ProgrammeFactory()
    client.force_login(manager)

    response = client.post(reverse("funding:rules", args=[programme.pk]), _rules_post("70", "30"))

    assert response.status_code == 302
    assert list(
        TrancheRule.objects.filter(programme=programme).values_list("percent", "label")
    ) == [(Decimal("70"), "Part 1"), (Decimal("30"), "Part 2")]


def test_finance_sees_the_queue_on_the_dashboard(client, pending, finance):
    client.force_login(finance)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert pending.tranche.application.startup.name in page
    assert reverse("funding:disbursement_detail", args=[pending.pk]) in page


def test_the_founder_dashboard_links_to_the_seed_funding(client, tranches):
    client.force_login(tranches[0].application.startup.members.get())
    page = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("funding:mine") in page


def test_the_admin_cannot_change_a_disbursement(admin_client, pending):
    url = reverse("admin:funding_disbursement_change", args=[pending.pk])
    response = admin_client.post(url, {"status": "approved", "payment_reference": "X"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING
    listing = admin_client.get(reverse("admin:funding_disbursement_changelist"))
    assert listing.status_code == 200
    assert BANK["bank_account_number"] not in listing.content.decode()


def test_list_queries_do_not_grow_with_rows(client, finance, manager, count_queries):
    first = admitted_application()
    tranches = services.tranche_schedule_create(application=first, actor=manager)
    request_payment(tranches[0], manager)
    client.force_login(manager)
    urls = [
        reverse("funding:disbursement_list"),
        reverse("funding:cohort", args=[first.cohort_id]),
        reverse("funding:overview"),
    ]
    one = [count_queries(lambda url=url: client.get(url)) for url in urls]
    for _ in range(3):
        more = services.tranche_schedule_create(application=admitted_application(), actor=manager)
        request_payment(more[0], manager)
    # Three more admitted startups in the first cohort too.
    for _ in range(3):
        other = factories.ApplicationFactory(cohort=first.cohort, state="accepted", sector=None)
        done = services.tranche_schedule_create(application=other, actor=manager)
        request_payment(done[0], manager)
    many = [count_queries(lambda url=url: client.get(url)) for url in urls]
    assert many == one


def test_the_founders_page_queries_do_not_grow_with_startups(client, manager, count_queries):
    founder = factories.FounderFactory()
    first = admitted_application(startup=factories.MemberFactory(user=founder).startup)
    services.tranche_schedule_create(application=first, actor=manager)
    client.force_login(founder)
    one = count_queries(lambda: client.get(reverse("funding:mine")))
    for _ in range(3):
        more = admitted_application(startup=factories.MemberFactory(user=founder).startup)
        tranches = services.tranche_schedule_create(application=more, actor=manager)
        request_payment(tranches[0], manager)
    assert count_queries(lambda: client.get(reverse("funding:mine"))) == one


def test_an_approval_without_a_recent_confirmation_goes_to_confirm_first(client, pending, finance):
    client.force_login(finance)
    session = client.session
    session.pop("_reauth_at", None)
    session.save()

    response = client.post(
        reverse("funding:disbursement_approve", args=[pending.pk]),
        {"payment_reference": "R"},
        headers={"referer": reverse("funding:disbursement_detail", args=[pending.pk])},
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:reauth"))
    pending.refresh_from_db()
    assert pending.status == DisbursementStatus.PENDING
    assert _posting_count() == 0


def test_the_staff_dashboard_says_what_to_do_about_benefits(client, pending, manager):
    admitted_application()  # no schedule yet
    client.force_login(manager)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "1 admitted startup without a seed-funding schedule" in page
    assert "1 request waiting for finance" in page
    # The month-3 tranche of the fixture's startup is due and not requested.
    assert "1 tranche due, not yet requested" in page


def test_the_request_page_says_why_a_tranche_cannot_be_requested(
    client, pending, tranches, manager
):
    client.force_login(manager)
    taken = client.get(reverse("funding:disbursement_create", args=[tranches[0].pk]))
    later = client.get(reverse("funding:disbursement_create", args=[tranches[2].pk]))
    assert "already has a request" in taken.content.decode()
    assert "Send to finance" not in taken.content.decode()
    assert "it can be requested from then" in later.content.decode()


def test_a_founder_reading_in_chinese_sees_the_chinese_tranche_names(client, tranches):
    client.force_login(tranches[0].application.startup.members.get())
    page = client.get(reverse("funding:mine"), headers={"accept-language": "zh-hant"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "加入時" in text and "第 3 個月" in text
    assert "初創企業已確認名額並簽署資助協議。" in text
