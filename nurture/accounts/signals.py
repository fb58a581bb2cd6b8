"""Audit entries for sign-ins (successful, failed, locked out), two-factor devices set up and
removed, and every permission change however it is made (a page, the Django admin, a service,
the shell); and the start of a session's expiry clocks.

Who made a change comes from the request being served (`middleware.current_request`); a
change outside any request (the shell, a script, a migration) is recorded with the actor
"system" and the operating-system account that ran it.
"""

import getpass

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from nurture.audit.services import audit_record

from .middleware import current_request, session_start
from .models import User
from .reauth import mark_recent_auth
from .throttling import login_username


def _account(email: str | None) -> User | None:
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


@receiver(user_login_failed, dispatch_uid="nurture.accounts.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    email = login_username(request, credentials)
    audit_record(
        actor=None,
        action="user.login_failed",
        target=_account(email),
        summary=email or "",
        data={"email": email or ""},
    )


@receiver(user_locked_out, dispatch_uid="nurture.accounts.audit_locked_out")
def audit_locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(
        actor=None,
        action="user.login_locked_out",
        target=_account(username),
        summary=username or "",
        data={"email": username or "", "ip_address": ip_address or ""},
    )


@receiver(user_logged_in, dispatch_uid="nurture.accounts.session_start")
def start_session_clocks(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_start(request)
        # Typing the password counts as confirming it (nurture.accounts.reauth).
        mark_recent_auth(request)


def _acting():
    """(actor, data about the origin) for the change being made now."""
    request = current_request.get()
    if request is None:
        try:
            account = getpass.getuser()
        except Exception:  # noqa: BLE001  (no login name in some containers)
            account = ""
        return None, {"via": "outside a request", "os_user": account}
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    via = "admin" if request.path.startswith("/admin/") else request.path[:200]
    return actor, {"via": via}


@receiver(user_logged_in, dispatch_uid="nurture.accounts.audit_login")
def audit_login(sender, request, user, **kwargs):
    """Every successful sign-in, from the site's form or the Django admin's."""
    path = getattr(request, "path", "") if request is not None else ""
    audit_record(
        actor=user,
        action="user.login",
        target=user,
        data={"via": "admin" if path.startswith("/admin/") else "site"},
    )


# --- Two-factor devices ---------------------------------------------------------------------


@receiver(pre_save, sender=TOTPDevice, dispatch_uid="nurture.accounts.totp_before")
def _totp_before(sender, instance, raw=False, **kwargs):
    instance._was_confirmed = (
        not raw
        and instance.pk is not None
        and TOTPDevice.objects.filter(pk=instance.pk, confirmed=True).exists()
    )


@receiver(post_save, sender=TOTPDevice, dispatch_uid="nurture.accounts.audit_totp_enabled")
def audit_two_factor_enabled(sender, instance, created, raw=False, **kwargs):
    if raw or not instance.confirmed or getattr(instance, "_was_confirmed", False):
        return
    actor, origin = _acting()
    audit_record(
        actor=actor,
        action="user.two_factor_enabled",
        target=instance.user,
        summary=instance.user.email,
        data={**origin, "device": instance.name},
    )


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="nurture.accounts.audit_totp_removed")
def audit_two_factor_removed(sender, instance, **kwargs):
    if not instance.confirmed:
        return
    actor, origin = _acting()
    audit_record(
        actor=actor,
        action="user.two_factor_removed",
        target=instance.user,
        summary=instance.user.email,
        data={**origin, "device": instance.name},
    )


# --- Permission changes ---------------------------------------------------------------------

PERMISSION_FIELDS = ("role", "is_staff", "is_superuser", "is_active")


@receiver(pre_save, sender=User, dispatch_uid="nurture.accounts.permissions_before")
def _permissions_before(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._permissions_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(PERMISSION_FIELDS):
        return
    instance._permissions_before = (
        User.objects.filter(pk=instance.pk).values(*PERMISSION_FIELDS).first()
    )


@receiver(post_save, sender=User, dispatch_uid="nurture.accounts.audit_permissions")
def audit_permission_change(sender, instance, created, raw=False, **kwargs):
    """A role, admin-site access, superuser status or activation that changed (or a new
    account that starts with more than a founder's rights)."""
    if raw:
        return
    if created:
        before = {"role": None, "is_staff": False, "is_superuser": False, "is_active": None}
        if instance.role == "founder" and not (instance.is_staff or instance.is_superuser):
            return
    else:
        before = getattr(instance, "_permissions_before", None)
        if before is None:
            return
    changes = {
        field: [before[field], getattr(instance, field)]
        for field in PERMISSION_FIELDS
        if before[field] is not None and before[field] != getattr(instance, field)
    }
    if created:
        changes["role"] = [None, instance.role]
    if not changes:
        return
    instance._permissions_before = None
    actor, origin = _acting()
    summary = ", ".join(f"{field}: {old} → {new}" for field, (old, new) in changes.items())
    audit_record(
        actor=actor,
        action="user.created_with_permissions" if created else "user.permissions_changed",
        target=instance,
        summary=f"{instance.email}: {summary}",
        data={**origin, "changes": changes},
    )


def _audit_m2m(kind):
    def receiver_(sender, instance, action, pk_set, reverse, model, **kwargs):
        if action not in {"post_add", "post_remove", "post_clear"}:
            return
        actor, origin = _acting()
        users = [instance] if not reverse else list(User.objects.filter(pk__in=pk_set or []))
        if reverse:
            names = [str(instance)]
        else:
            names = sorted(str(obj) for obj in model.objects.filter(pk__in=pk_set or []))
        for user in users:
            audit_record(
                actor=actor,
                action="user.permissions_changed",
                target=user,
                summary=f"{user.email}: {kind} {action.removeprefix('post_')}",
                data={**origin, "changes": {kind: {action.removeprefix("post_"): names}}},
            )

    return receiver_


_groups_changed = _audit_m2m("groups")
_user_permissions_changed = _audit_m2m("user_permissions")
m2m_changed.connect(
    _groups_changed, sender=User.groups.through, dispatch_uid="nurture.accounts.audit_groups"
)
m2m_changed.connect(
    _user_permissions_changed,
    sender=User.user_permissions.through,
    dispatch_uid="nurture.accounts.audit_user_permissions",
)
