"""Audit entries for sign-in failures and lockouts (successful sign-ins are recorded by
LoginView, where the person's choice of language is applied too), and the start of a
session's expiry clocks."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from nurture.audit.services import audit_record

from .middleware import session_start
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
