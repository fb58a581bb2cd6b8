import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from nurture.applications.models import ApplicationState
from nurture.platforms import services
from nurture.platforms.models import AccessStatus, Platform, PlatformAccess
from nurture.platforms.services import PlatformError
from tests import factories
from tests.funding.conftest import admitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(db):
    return admitted_application()


@pytest.fixture
def founder(application):
    return application.startup.members.get()


@pytest.fixture
def manager(db):
    return factories.ProgrammeManagerFactory()


@pytest.fixture
def alibaba(db):
    return Platform.objects.get(slug="alibaba_cloud")


def test_both_default_platforms_are_seeded():
    assert list(Platform.objects.values_list("slug", "name_zh_hant")) == [
        ("alibaba_cloud", "阿里雲機器學習平台"),
        ("sensetime", "商湯深度學習平台"),
    ]


def test_a_founder_asks_and_staff_provision_until_the_programme_ends(
    application, founder, manager, alibaba, django_capture_on_commit_callbacks
):
    access = services.platform_access_request(
        application=application, platform=alibaba, actor=founder, purpose="Train models."
    )
    assert (access.status, access.ends_on) == (AccessStatus.REQUESTED, application.cohort.ends_on)

    with django_capture_on_commit_callbacks(execute=True):
        services.platform_access_provision(
            access=access, actor=manager, account_identifier="pai-startup-0007"
        )

    access.refresh_from_db()
    assert (access.status, access.account_identifier) == (
        AccessStatus.PROVISIONED,
        "pai-startup-0007",
    )
    assert mail.outbox[-1].to == [founder.email]
    assert "pai-startup-0007" in mail.outbox[-1].body
    assert "阿里雲機器學習平台" in mail.outbox[-1].body


def test_one_open_access_per_platform(application, founder, alibaba):
    services.platform_access_request(application=application, platform=alibaba, actor=founder)
    with pytest.raises(PlatformError) as error:
        services.platform_access_request(application=application, platform=alibaba, actor=founder)
    assert error.value.code == "duplicate"
    assert PlatformAccess.objects.count() == 1


def test_only_founders_of_an_admitted_startup_ask(application, alibaba, manager):
    other = admitted_application().startup.members.get()
    with pytest.raises(PlatformError) as error:
        services.platform_access_request(application=application, platform=alibaba, actor=other)
    assert error.value.code == "forbidden"
    with pytest.raises(PlatformError):
        services.platform_access_request(application=application, platform=alibaba, actor=manager)
    draft = factories.ApplicationFactory()
    with pytest.raises(PlatformError) as error:
        services.platform_access_request(
            application=draft, platform=alibaba, actor=draft.startup.members.get()
        )
    assert error.value.code == "not_accepted"
    assert PlatformAccess.objects.count() == 0


def test_no_request_after_the_programme_ended(alibaba):
    ended = admitted_application(started_days_ago=400)
    with pytest.raises(PlatformError) as error:
        services.platform_access_request(
            application=ended, platform=alibaba, actor=ended.startup.members.get()
        )
    assert error.value.code == "ended"


def test_a_closed_platform_takes_no_requests(application, founder, alibaba):
    alibaba.is_active = False
    alibaba.save()
    with pytest.raises(PlatformError) as error:
        services.platform_access_request(application=application, platform=alibaba, actor=founder)
    assert error.value.field == "platform"


def test_provisioning_needs_an_identifier_staff_and_a_request(
    application, founder, manager, alibaba
):
    access = services.platform_access_request(
        application=application, platform=alibaba, actor=founder
    )
    with pytest.raises(PlatformError) as error:
        services.platform_access_provision(access=access, actor=manager, account_identifier=" ")
    assert error.value.field == "account_identifier"
    with pytest.raises(PlatformError) as error:
        services.platform_access_provision(access=access, actor=founder, account_identifier="x")
    assert error.value.code == "forbidden"
    services.platform_access_provision(access=access, actor=manager, account_identifier="x")
    with pytest.raises(PlatformError) as error:
        services.platform_access_provision(access=access, actor=manager, account_identifier="y")
    assert error.value.code == "state"


def test_revoking_closes_and_a_new_request_may_follow(application, founder, manager, alibaba):
    access = services.platform_access_request(
        application=application, platform=alibaba, actor=founder
    )
    services.platform_access_provision(access=access, actor=manager, account_identifier="x")
    services.platform_access_close(access=access, actor=manager)
    access.refresh_from_db()
    assert access.status == AccessStatus.REVOKED
    with pytest.raises(PlatformError):
        services.platform_access_close(access=access, actor=manager)
    again = services.platform_access_request(
        application=application, platform=alibaba, actor=founder
    )
    assert again.status == AccessStatus.REQUESTED


def _provisioned_past_its_end(manager, alibaba):
    ended = admitted_application(started_days_ago=90)
    access = services.platform_access_request(
        application=ended, platform=alibaba, actor=ended.startup.members.get()
    )
    services.platform_access_provision(access=access, actor=manager, account_identifier="old-1")
    PlatformAccess.objects.filter(pk=access.pk).update(
        ends_on=timezone.localdate() - timedelta(days=2)
    )
    return access


def test_staff_are_reminded_daily_until_the_account_is_revoked(
    manager, alibaba, django_capture_on_commit_callbacks
):
    access = _provisioned_past_its_end(manager, alibaba)
    admin = factories.AdministratorFactory()
    mail.outbox = []
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_platform_revocation_reminders", stdout=out)
        call_command("send_platform_revocation_reminders", stdout=out)  # same day: once

    assert "Accounts to revoke listed: 1" in out.getvalue()
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {manager.email, admin.email}
    assert "old-1" in mail.outbox[0].body
    tomorrow = timezone.localdate() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.platform_revocation_reminders_send(today=tomorrow) == 1
    services.platform_access_close(access=access, actor=manager)
    assert services.platform_revocation_reminders_send(today=tomorrow + timedelta(days=1)) == 0


def test_an_access_still_running_is_not_reminded(application, founder, manager, alibaba):
    access = services.platform_access_request(
        application=application, platform=alibaba, actor=founder
    )
    services.platform_access_provision(access=access, actor=manager, account_identifier="x")
    assert services.platform_revocation_reminders_send() == 0


# --- Pages ----------------------------------------------------------------------------------


def test_the_founder_asks_on_the_page(client, application, founder, alibaba):
    client.force_login(founder)
    page = client.get(reverse("platforms:mine")).content.decode()
    assert "Ask for an account" in page

    response = client.post(
        reverse("platforms:request"), {"application": application.pk, "platform": alibaba.pk}
    )

    assert response.status_code == 302
    assert PlatformAccess.objects.get().requested_by == founder


def test_a_founder_cannot_ask_for_another_startup(client, application, alibaba):
    other = admitted_application().startup.members.get()
    client.force_login(other)
    client.post(
        reverse("platforms:request"), {"application": application.pk, "platform": alibaba.pk}
    )
    assert PlatformAccess.objects.count() == 0


def test_staff_provision_and_revoke_on_the_pages(client, application, founder, manager, alibaba):
    access = services.platform_access_request(
        application=application, platform=alibaba, actor=founder
    )
    client.force_login(manager)
    assert application.startup.name in client.get(reverse("platforms:manage")).content.decode()

    client.post(reverse("platforms:provision", args=[access.pk]), {"account_identifier": "pai-9"})
    client.post(reverse("platforms:close", args=[access.pk]))

    access.refresh_from_db()
    assert (access.status, access.account_identifier) == (AccessStatus.REVOKED, "pai-9")


def test_the_due_list_shows_accounts_to_revoke(client, manager, alibaba):
    access = _provisioned_past_its_end(manager, alibaba)
    client.force_login(manager)
    page = client.get(reverse("platforms:manage") + "?show=due").content.decode()
    assert access.application.startup.name in page
    assert "Mark revoked" in page


def test_staff_add_a_platform(client, manager):
    client.force_login(manager)
    client.post(
        reverse("platforms:platform_list"),
        {"name": "Lab GPU notebooks", "slug": "lab-notebooks", "position": 3, "is_active": "on"},
    )
    assert Platform.objects.filter(slug="lab-notebooks", is_active=True).exists()
    response = client.post(reverse("platforms:platform_list"), {"name": "", "slug": "bad slug"})
    assert response.status_code == 200
    assert Platform.objects.count() == 3


def test_application_state_matters_for_the_page(client, application, founder):
    application.state = ApplicationState.WITHDRAWN
    application.save(update_fields=["state"])
    client.force_login(founder)
    assert "Ask for an account" not in client.get(reverse("platforms:mine")).content.decode()


def test_the_staff_list_queries_do_not_grow_with_rows(client, manager, alibaba, count_queries):
    def one_more():
        application = admitted_application()
        services.platform_access_request(
            application=application, platform=alibaba, actor=application.startup.members.get()
        )

    one_more()
    client.force_login(manager)
    url = reverse("platforms:manage")
    one = count_queries(lambda: client.get(url))
    for _ in range(4):
        one_more()
    assert count_queries(lambda: client.get(url)) == one
