"""Login throttling with django-axes: who a sign-in attempt is counted against, and the page
that a locked-out person sees."""

from datetime import timedelta

from axes.helpers import get_cool_off
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nurture.audit.middleware import client_ip

# AccessAttempt.username holds at most 255 characters; a longer value would fail to save on
# PostgreSQL. No account's e-mail address is longer than 254.
USERNAME_LENGTH = 254


def login_username(request, credentials) -> str | None:
    """The e-mail address as the backend compares it: stripped and case-folded, so that
    changing its case does not buy more attempts."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    if not value:
        return None
    return str(value).strip().lower()[:USERNAME_LENGTH]


def login_client_ip(request) -> str | None:
    """The same client address as the audit log records (operations.md, reverse proxy)."""
    return client_ip(request)


def lockout_message(cool_off: timedelta | None) -> str:
    if not cool_off:
        return _(
            "Too many failed sign-in attempts. Signing in with this e-mail address is blocked; "
            "please contact the Lab to unlock it."
        )
    until = timezone.localtime(timezone.now() + cool_off)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    return ngettext(
        "Too many failed sign-in attempts. Please try again after %(time)s (in %(minutes)d "
        "minute). Each further attempt before then starts the wait again. If you have "
        "forgotten your password, you can reset it now.",
        "Too many failed sign-in attempts. Please try again after %(time)s (in %(minutes)d "
        "minutes). Each further attempt before then starts the wait again. If you have "
        "forgotten your password, you can reset it now.",
        minutes,
    ) % {"time": time_format(until, "H:i"), "minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, with the reason and the time to come back, as 429 (or the
    confirmation page, for a lockout while re-authenticating)."""
    from .forms import EmailAuthenticationForm

    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == "accounts:reauth":
        return _reauth_lockout(request)

    form = EmailAuthenticationForm(
        request, initial={"username": login_username(request, credentials) or ""}
    )
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "lockout": lockout_message(get_cool_off(request)),
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


def _reauth_lockout(request):
    from .forms import ReauthForm
    from .reauth import reauth_window, safe_next
    from .twofactor import two_factor_enabled

    return render(
        request,
        "accounts/reauth.html",
        {
            "form": ReauthForm(with_code=two_factor_enabled(request.user)),
            "lockout": lockout_message(get_cool_off(request)),
            "next": safe_next(request, request.POST.get("next")),
            "reauth_minutes": max(1, reauth_window() // 60),
        },
        status=429,
    )
