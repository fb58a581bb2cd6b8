"""Two-factor authentication with django-otp: who needs it, and checking a code.

A person's second factor is a TOTP device (an authenticator app) plus a static device that
holds ten one-time backup codes. Programme managers, administrators, finance approvers and
reviewers must have one (and so must anyone with access to the Django admin); founders and
partners may turn it on from their profile.

Wrong codes are throttled twice over: django-otp makes each device wait 1, 2, 4, 8… seconds
after consecutive failures, and after OTP_FAILURE_LIMIT consecutive failures (the same limit
as the password step, AXES_FAILURE_LIMIT by default) codes are refused for the password
step's cool-off time (AXES_COOLOFF_TIME), with a message saying until when. The counters live
on the devices in the database, so every server process sees them.
"""

import base64
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import devices_for_user
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nurture.audit.services import audit_record

from .models import Role, User

REQUIRED_ROLES = frozenset(
    {Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR, Role.FINANCE_APPROVER, Role.REVIEWER}
)
BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
STATIC_DEVICE_NAME = "Backup codes"


def two_factor_required(user) -> bool:
    """Whether the person's role (or admin-site access) makes a second factor compulsory."""
    if user is None or not user.is_authenticated:
        return False
    return user.role in REQUIRED_ROLES or user.is_staff or user.is_superuser


def two_factor_enabled(user) -> bool:
    """Whether the person has a confirmed authenticator app."""
    if user is None or not user.is_authenticated:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_verify(user) -> bool:
    """Whether a session of this person is usable only after a code."""
    return two_factor_required(user) or two_factor_enabled(user)


def failure_limit() -> int:
    return int(getattr(settings, "OTP_FAILURE_LIMIT", settings.AXES_FAILURE_LIMIT))


def cool_off() -> timedelta:
    return getattr(settings, "OTP_COOLOFF_TIME", settings.AXES_COOLOFF_TIME)


def normalise_code(code: str) -> str:
    return "".join(str(code or "").split()).lower()


@dataclass
class CodeCheck:
    device: object | None = None
    error: str = ""
    locked_out: bool = False


def _locked_until(devices):
    """The end of a lockout if the person's devices have failed too often lately."""
    failures = [d for d in devices if d.throttling_failure_timestamp is not None]
    if not failures:
        return None
    count = max(d.throttling_failure_count for d in failures)
    last = max(d.throttling_failure_timestamp for d in failures)
    if count >= failure_limit() and last + cool_off() > timezone.now():
        return last + cool_off()
    return None


def current_lockout(user) -> str:
    """The lockout message if the person's codes are refused now, otherwise ""."""
    until = _locked_until(list(devices_for_user(user, confirmed=True)))
    return lockout_message(until) if until is not None else ""


def lockout_message(until) -> str:
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    return ngettext(
        "Too many wrong codes. Please try again after %(time)s (in %(minutes)d minute). If "
        "you have lost your authenticator app, use one of your backup codes then, or ask the "
        "Lab's administrator to reset your two-factor authentication.",
        "Too many wrong codes. Please try again after %(time)s (in %(minutes)d minutes). If "
        "you have lost your authenticator app, use one of your backup codes then, or ask the "
        "Lab's administrator to reset your two-factor authentication.",
        minutes,
    ) % {"time": time_format(timezone.localtime(until), "H:i"), "minutes": minutes}


def check_code(*, user: User, code: str, purpose: str = "login") -> CodeCheck:
    """Verify `code` against the person's confirmed devices, with throttling and lockout.

    Records a failed code (and a lockout) in the audit log. The caller marks the session
    verified (`django_otp.login`) when a device is returned.
    """
    code = normalise_code(code)
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=True, for_verify=True))
        until = _locked_until(devices)
        if until is not None:
            return CodeCheck(error=lockout_message(until), locked_out=True)
        waits = [d.verify_is_allowed() for d in devices]
        if devices and not any(allowed for allowed, _info in waits):
            return CodeCheck(
                error=_("Please wait a few seconds before trying another code."),
            )
        if code:
            for device in devices:
                if device.verify_token(code):
                    return CodeCheck(device=device)
        else:
            # An empty code counts as a wrong one, like an empty password.
            for device in devices:
                device.throttle_increment()
    audit_record(
        actor=None,
        action="user.otp_failed",
        target=user,
        summary=user.email,
        data={"purpose": purpose},
    )
    devices = list(devices_for_user(user, confirmed=True))
    until = _locked_until(devices)
    if until is not None:
        audit_record(
            actor=None,
            action="user.otp_locked_out",
            target=user,
            summary=user.email,
            data={"purpose": purpose},
        )
        return CodeCheck(error=lockout_message(until), locked_out=True)
    return CodeCheck(error=_("That code is not right. Please try again."))


# --- Setting up and removing ----------------------------------------------------------------


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator device that the set-up page shows (one per person)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32 without padding."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def secret_grouped(device: TOTPDevice) -> str:
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(device: TOTPDevice) -> str:
    from urllib.parse import quote, urlencode

    issuer = getattr(settings, "OTP_TOTP_ISSUER", "Nurture")
    label = quote(f"{issuer}:{device.user.email}")
    query = urlencode(
        {
            "secret": secret_base32(device),
            "issuer": issuer,
            "digits": device.digits,
            "period": device.step,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(data: str) -> str:
    """An inline SVG (no style attributes or scripts, so the strict CSP allows it)."""
    import segno

    return segno.make(data, error="m").svg_inline(
        scale=5, dark="#212529", light="#ffffff", border=2, omitsize=True
    )


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app shows now (for the demo and tests)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0)
    if at is not None:
        from django_otp.oath import TOTP

        generator = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
        generator.time = at
        value = generator.token()
    return f"{value:0{device.digits}d}"


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=STATIC_DEVICE_NAME, confirmed=True)
    codes = []
    for _i in range(BACKUP_CODE_COUNT):
        code = StaticToken.random_token()
        device.token_set.create(token=code)
        codes.append(code)
    return codes


class TwoFactorError(ValueError):
    pass


def two_factor_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm a pending authenticator device with a code from the app.

    Returns the new backup codes (to be shown once); raises TwoFactorError with the reason
    if the code is refused (a refusal still counts towards the device's throttling). The
    audit entry for the new device comes from a post_save receiver (accounts.signals).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed:
            refusal = _("This set-up is finished already. Reload the page.")
        elif not device.verify_is_allowed()[0]:
            refusal = _("Please wait a few seconds before trying another code.")
        elif not device.verify_token(normalise_code(code)):
            audit_record(
                actor=user,
                action="user.otp_failed",
                target=user,
                summary=user.email,
                data={"purpose": "setup"},
            )
            refusal = _(
                "That code is not right. Type the six digits your app shows now; if it "
                "still fails, check that your phone's clock is set automatically."
            )
        else:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return _new_backup_codes(user)
    raise TwoFactorError(refusal)


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    codes = _new_backup_codes(user)
    audit_record(
        actor=user, action="user.backup_codes_regenerated", target=user, summary=user.email
    )
    return codes


@transaction.atomic
def two_factor_disable(*, user: User, actor: User | None) -> None:
    """Remove every device. A person whose role requires 2FA cannot remove their own; an
    administrator can reset it for them (they set it up again at their next sign-in)."""
    if actor is not None and actor.pk == user.pk and two_factor_required(user):
        raise TwoFactorError(
            _("Your role requires two-factor authentication, so it cannot be turned off.")
        )
    # The audit entry comes from the post_delete receiver (accounts.signals), which also
    # covers a device deleted in the Django admin.
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).delete()


def remaining_backup_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def now_ts() -> float:
    return time.time()
