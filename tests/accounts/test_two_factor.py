"""Two-factor authentication: who needs it, the code step, set-up, backup codes, lockout,
the admin site and the API."""

import time

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nurture.accounts.models import Role
from nurture.accounts.twofactor import (
    current_code,
    must_verify,
    pending_device,
    qr_svg,
    two_factor_required,
)
from nurture.audit.models import AuditEntry
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.no_auto_otp]

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
SETUP = reverse("accounts:two_factor_setup")


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def _sign_in(client, user, next_url=""):
    data = {"username": user.email, "password": factories.PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def _actions(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(user.pk), target_type="accounts.user")
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize(
    ("factory", "required"),
    [
        (factories.ProgrammeManagerFactory, True),
        (factories.AdministratorFactory, True),
        (factories.FinanceApproverFactory, True),
        (factories.ReviewerFactory, True),
        (factories.FounderFactory, False),
        (factories.PartnerFactory, False),
    ],
)
def test_which_roles_require_two_factor(factory, required):
    user = factory()
    assert two_factor_required(user) is required
    assert must_verify(user) is required
    if not required:
        _device(user)
        assert must_verify(user) is True


def test_admin_site_access_requires_two_factor_whatever_the_role():
    assert two_factor_required(factories.FounderFactory(is_staff=True))


def test_staff_stop_at_the_code_step_until_a_right_code(client):
    manager = factories.ProgrammeManagerFactory()
    device = _device(manager)
    target = reverse("programmes:cohort_list")
    response = _sign_in(client, manager, next_url=target)
    assert response.status_code == 302
    assert response.url == f"{CODE}?next=%2Fmanage%2Fcohorts%2F"
    # Nothing else is reachable meanwhile: pages go to the code step, the API has no session.
    blocked = client.get(reverse("core:dashboard"))
    assert blocked.url == f"{CODE}?next=%2Fdashboard%2F"
    assert client.get(reverse("audit:list")).url.startswith(CODE)
    assert client.get("/api/startups").status_code == 401
    htmx = client.get(reverse("core:dashboard"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(CODE)

    wrong = client.post(CODE, {"code": "000000", "next": target})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"] == ["That code is not right. Please try again."]
    time.sleep(1.05)  # django-otp's wait after one wrong code
    right = client.post(CODE, {"code": current_code(device), "next": target})
    assert right.status_code == 302 and right.url == target
    assert client.get(target).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert _actions(manager) == [
        "user.created_with_permissions",
        "user.two_factor_enabled",
        "user.login",
        "user.otp_failed",
        "user.otp_verified",
    ]


def test_the_same_code_cannot_be_used_twice(client):
    reviewer = factories.ReviewerFactory()
    device = _device(reviewer)
    code = current_code(device)
    _sign_in(client, reviewer)
    assert client.post(CODE, {"code": code}).status_code == 302
    client.logout()
    _sign_in(client, reviewer)
    time.sleep(0.1)
    response = client.post(CODE, {"code": code})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example", "0", "admin:index"]
)
def test_the_code_step_and_the_set_up_only_go_back_to_this_site(client, next_url):
    manager = factories.ProgrammeManagerFactory()
    device = _device(manager)
    _sign_in(client, manager)
    response = client.post(CODE, {"code": current_code(device), "next": next_url})
    assert response.url == reverse("core:dashboard")
    founder = factories.FounderFactory()
    client.force_login(founder)
    client.get(SETUP)
    done = client.post(SETUP, {"code": current_code(pending_device(founder)), "next": next_url})
    assert done.context["next"] == reverse("core:dashboard")


def test_wrong_codes_lock_the_code_step_then_the_cool_off_ends_it(client, settings):
    settings.OTP_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    finance = factories.FinanceApproverFactory()
    device = _device(finance)
    _sign_in(client, finance)
    for _attempt in range(3):
        response = client.post(CODE, {"code": "111111"})
    assert response.status_code == 429
    assert "Too many wrong codes. Please try again after" in response.content.decode()
    # The right code is refused during the lockout, and so is a GET's form.
    locked = client.post(CODE, {"code": current_code(device)})
    assert locked.status_code == 429
    assert client.get(CODE).status_code == 429
    assert "user.otp_locked_out" in _actions(finance)
    # After the cool-off, the right code works.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - settings.AXES_COOLOFF_TIME
    )
    assert client.post(CODE, {"code": current_code(device)}).status_code == 302


def test_a_slow_down_after_a_wrong_code_is_explained(client):
    manager = factories.ProgrammeManagerFactory()
    device = _device(manager)
    _sign_in(client, manager)
    client.post(CODE, {"code": "000000"})
    response = client.post(CODE, {"code": current_code(device)})
    assert response.context["form"].errors["code"] == [
        "Please wait a few seconds before trying another code."
    ]


def test_a_backup_code_works_once(client):
    founder = factories.FounderFactory()
    _device(founder)
    backup = StaticDevice.objects.create(user=founder, name="Backup codes", confirmed=True)
    backup.token_set.create(token="abcd2345")
    backup.token_set.create(token="efgh6789")
    _sign_in(client, founder)
    response = client.post(CODE, {"code": "ABCD 2345"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("core:dashboard")
    assert "You used a backup code; 1 is left." in response.content.decode()
    client.logout()
    _sign_in(client, founder)
    time.sleep(0.01)
    again = client.post(CODE, {"code": "abcd2345"})
    assert again.status_code == 200
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6789"]


def test_a_new_staff_member_must_set_up_a_device_first(client):
    manager = factories.ProgrammeManagerFactory()
    response = _sign_in(client, manager, next_url="/manage/cohorts/")
    assert response.url == f"{SETUP}?next=%2Fmanage%2Fcohorts%2F"
    assert client.get("/manage/cohorts/").url.startswith(SETUP)
    # Without a device, the code step sends to the set-up page as well.
    assert client.get(CODE).url.startswith(SETUP)
    page = client.get(response.url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    html = page.content.decode()
    assert "<svg" in html and "style=" not in page.context["qr_svg"]
    assert page.context["required"] is True
    device = TOTPDevice.objects.get(user=manager)
    assert not device.confirmed
    # Reloading the page shows the same secret, not a new one each time.
    assert client.get(SETUP).context["secret"] == page.context["secret"]

    done = client.post(SETUP, {"code": current_code(device), "next": "/manage/cohorts/"})
    assert done.status_code == 200
    assert done.templates[0].name == "accounts/backup_codes.html"
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(
        StaticToken.objects.filter(device__user=manager).values_list("token", flat=True)
    ) == sorted(codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/manage/cohorts/").status_code == 200
    assert "user.two_factor_enabled" in _actions(manager)


def test_a_wrong_set_up_code_leaves_two_factor_off(client):
    founder = factories.FounderFactory()
    client.force_login(founder)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "12345x"})
    assert response.status_code == 200
    assert "That code is not right" in response.context["form"].errors["code"][0]
    assert not TOTPDevice.objects.filter(user=founder, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=founder).exists()
    assert must_verify(founder) is False


def test_a_founder_turns_two_factor_on_and_off(client):
    founder = factories.FounderFactory()
    client.force_login(founder)
    profile = client.get(reverse("accounts:profile"))
    assert profile.context["two_factor"] == {
        "enabled": False,
        "required": False,
        "backup_codes_left": 0,
    }
    device = pending_device(founder)
    client.post(SETUP, {"code": current_code(device)})
    assert client.get(reverse("accounts:profile")).context["two_factor"]["enabled"] is True
    # Next sign-in: the code step.
    client.logout()
    assert _sign_in(client, founder).url.startswith(CODE)
    device.refresh_from_db()
    client.post(CODE, {"code": current_code(device, at=time.time() + 30)})
    # Turning it off needs a recent confirmation, then removes every device.
    session = client.session
    session["_reauth_at"] = int(time.time()) - 3600
    session.save()
    refused = client.post(reverse("accounts:two_factor_off"))
    assert refused.url.startswith(reverse("accounts:reauth"))
    assert TOTPDevice.objects.filter(user=founder).exists()
    session = client.session
    session["_reauth_at"] = int(time.time())
    session.save()
    client.post(reverse("accounts:two_factor_off"))
    assert not TOTPDevice.objects.filter(user=founder).exists()
    assert not StaticDevice.objects.filter(user=founder).exists()
    assert "user.two_factor_removed" in _actions(founder)


@pytest.mark.usefixtures("_verified_staff")
def test_staff_cannot_turn_two_factor_off(client, verified_manager):
    response = client.post(reverse("accounts:two_factor_off"), follow=True)
    assert "Your role requires two-factor authentication" in response.content.decode()
    assert TOTPDevice.objects.filter(user=verified_manager, confirmed=True).exists()


@pytest.mark.usefixtures("_verified_staff")
def test_new_backup_codes_replace_the_old_ones(client, verified_manager):
    old = StaticDevice.objects.create(user=verified_manager, confirmed=True)
    old.token_set.create(token="oldcode1")
    response = client.post(reverse("accounts:two_factor_backup_codes"))
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert not StaticToken.objects.filter(token="oldcode1").exists()
    assert "user.backup_codes_regenerated" in _actions(verified_manager)


def test_the_admin_needs_a_verified_session(client):
    administrator = factories.AdministratorFactory()
    device = _device(administrator)
    client.force_login(administrator)
    # Signed in with the password only: the admin sends to the code step too.
    assert client.get("/admin/").url.startswith(CODE)
    request = RequestFactory().get("/admin/")
    request.user = administrator
    administrator.is_verified = lambda: False
    assert admin.site.has_permission(request) is False
    administrator.is_verified = lambda: True
    assert admin.site.has_permission(request) is True
    client.post(CODE, {"code": current_code(device)})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_an_admin_sign_in_is_audited_like_any_other(client):
    administrator = factories.AdministratorFactory()
    _device(administrator)
    response = client.post(
        "/admin/login/",
        {"username": administrator.email, "password": factories.PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="user.login")
    assert entry.actor == administrator
    assert entry.data == {"via": "admin"}
    # And the admin itself is still behind the code step.
    assert client.get("/admin/").url.startswith(CODE)


def test_an_administrator_resets_someones_two_factor_in_the_admin(client):
    administrator = factories.AdministratorFactory()
    device = _device(administrator)
    reviewer = factories.ReviewerFactory()
    _device(reviewer)
    client.force_login(administrator)
    client.post(CODE, {"code": current_code(device)})
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [reviewer.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    entry = AuditEntry.objects.get(action="user.two_factor_removed")
    assert (entry.actor, entry.target_id) == (administrator, str(reviewer.pk))
    assert entry.data["via"] == "admin"


def test_qr_code_is_plain_svg():
    svg = qr_svg("otpauth://totp/Nurture:a%40b.example?secret=JBSWY3DPEHPK3PXP")
    assert svg.startswith("<svg") and "<script" not in svg and "style" not in svg


@pytest.fixture
def verified_manager(db):
    return factories.ProgrammeManagerFactory(role=Role.PROGRAMME_MANAGER)


@pytest.fixture
def _verified_staff(client, verified_manager):
    device = _device(verified_manager)
    client.force_login(verified_manager)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
