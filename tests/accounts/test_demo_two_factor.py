"""The demo's staff accounts sign in with the printed password and a code."""

import base64
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nurture.accounts.models import Role, User
from nurture.accounts.twofactor import two_factor_required
from nurture.core import demo

pytestmark = [pytest.mark.django_db, pytest.mark.no_auto_otp]


def _demo_code() -> str:
    return f"{totp(base64.b32decode(demo.DEMO_TOTP_SECRET)):06d}"


def _sign_in(client, email, password):
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    assert response.status_code == 302
    return response


def test_the_printed_logins_work_with_the_printed_two_factor_hints(client):
    out = io.StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    for role in (Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR, Role.REVIEWER, Role.FINANCE_APPROVER):
        email = demo.LOGIN_EMAILS[role]
        line = re.search(
            rf"{re.escape(email)}\s+(\S+)\n"
            r"\s+2FA: authenticator key ([A-Z0-9 ]+?) or backup code (\w+)",
            printed,
        )
        assert line, (role, printed)
        password, key, backup = line.groups()
        assert key.replace(" ", "") == demo.DEMO_TOTP_SECRET
        client.logout()
        response = _sign_in(client, email, password)
        assert response.url.startswith(reverse("accounts:login_code"))
        assert client.get(reverse("core:dashboard")).status_code == 302
        code = _demo_code() if role != Role.ADMINISTRATOR else backup
        response = client.post(response.url, {"code": code})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert client.get(reverse("core:dashboard")).status_code == 200
    # Founders and partners have no second factor unless they turn it on.
    assert "2FA" not in [line for line in printed.splitlines() if "founder@" in line][0]


def test_every_demo_account_that_needs_it_has_a_device_and_a_reload_makes_a_new_backup_code():
    demo.demo_load()
    needing = [u for u in User.objects.all() if two_factor_required(u)]
    assert len(needing) >= 19
    assert TOTPDevice.objects.filter(user__in=needing, confirmed=True).count() == len(needing)
    manager = demo.LOGIN_EMAILS[Role.PROGRAMME_MANAGER]
    first = StaticToken.objects.get(device__user__email=manager).token
    result = demo.demo_load()
    assert result.total == 0
    assert TOTPDevice.objects.count() == len(needing)
    second = StaticToken.objects.get(device__user__email=manager).token
    assert second != first
    assert demo.demo_two_factor()[manager].endswith(f"backup code {second} (one use)")
