"""Re-authentication before sensitive actions (approving money, exporting personal data).

A person who signed in an hour ago and left the computer unlocked must not be able to export
every founder's answers, nor approve a payment, without proving again who they are. A view
decorated with `recent_auth_required` runs only if its user confirmed their password (and
their two-factor code if they have a device) within the last REAUTH_SECONDS (10 minutes by
default; signing in counts as confirming). Otherwise:

- a GET is redirected to the confirmation page, which comes back to the same URL afterwards
  (so an export link downloads its file once the person has confirmed);
- a POST is never replayed: the person is sent to the confirmation page, which brings them
  back to the page the form was on (or the dashboard), where they submit the form again;
- an htmx request gets the same redirect through `HX-Redirect`.

The API equivalent, `api_recent_auth_required`, answers a session-authenticated request that
is not recent with 403 and the code `reauth_required` (and the URL of the confirmation page);
a request with a personal API token passes, since creating a token needs a recent
confirmation itself. Without any user it answers 401 with the same code.
"""

import time
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

REAUTH_SESSION_KEY = "_reauth_at"
DEFAULT_REAUTH_SECONDS = 600


def reauth_window() -> int:
    """How long a confirmation lasts, in seconds (settings.REAUTH_SECONDS)."""
    return int(getattr(settings, "REAUTH_SECONDS", DEFAULT_REAUTH_SECONDS))


def mark_recent_auth(request) -> None:
    """The person has just proved who they are (signed in, or confirmed on the page)."""
    if hasattr(request, "session"):
        request.session[REAUTH_SESSION_KEY] = int(time.time())


def has_recent_auth(request, seconds: int | None = None) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    confirmed_at = request.session.get(REAUTH_SESSION_KEY)
    if not isinstance(confirmed_at, int):
        return False
    window = reauth_window() if seconds is None else seconds
    return 0 <= time.time() - confirmed_at < window


def safe_next(request, candidate: str | None, default: str | None = None) -> str:
    """`candidate` if it is a path on this site, otherwise `default` (the dashboard)."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def _return_to(request) -> str:
    """Where to come back to after confirming: the same URL for a GET; for any other method,
    the page the form was on (same site only), so the person submits it again."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    if request.htmx and request.htmx.current_url:
        candidate = request.htmx.current_url
    else:
        candidate = request.META.get("HTTP_REFERER", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # The confirmation page redirects to a path: keep the path of a same-site URL.
        parts = urlsplit(candidate)
        if parts.path.startswith("/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def reauth_url(next_url: str) -> str:
    return f"{reverse('accounts:reauth')}?{urlencode({'next': next_url})}"


def reauth_redirect(request):
    """The response that sends the person to confirm, then back (see the module's docstring)."""
    target = reauth_url(_return_to(request))
    if request.method not in ("GET", "HEAD"):
        messages.info(
            request,
            _(
                "Nothing was done yet. Please confirm it is you, then submit the form again "
                "if you still want to."
            ),
        )
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def recent_auth_required(view=None, *, seconds: int | None = None):
    """View decorator: the user confirmed their identity within `seconds` (REAUTH_SECONDS).

    Put it below the login or role check (`@staff_required`), so that people who may not use
    the view at all get that answer first.
    """

    def decorate(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_recent_auth(request, seconds):
                return reauth_redirect(request)
            return func(request, *args, **kwargs)

        wrapper.recent_auth_required = True
        return wrapper

    return decorate(view) if view is not None else decorate


def api_recent_auth_required(func=None, *, seconds: int | None = None):
    """The same for a django-ninja operation; refusals use the API's error format."""

    def decorate(operation):
        @wraps(operation)
        def wrapper(request, *args, **kwargs):
            from nurture.api.errors import ApiError

            if getattr(request, "api_token", None) is not None:
                return operation(request, *args, **kwargs)
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                raise ApiError(
                    401,
                    _("Authentication required: send a valid API token or sign in."),
                    code="reauth_required",
                )
            if not has_recent_auth(request, seconds):
                raise ApiError(
                    403,
                    _("Please confirm your password first (%(url)s), then send the request again.")
                    % {"url": reverse("accounts:reauth")},
                    code="reauth_required",
                )
            return operation(request, *args, **kwargs)

        wrapper.recent_auth_required = True
        return wrapper

    return decorate(func) if func is not None else decorate
