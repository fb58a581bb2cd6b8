"""Session expiry: SESSION_COOKIE_AGE after sign-in at most, SESSION_IDLE_TIMEOUT of
inactivity at most.

Django's own expiry slides forward whenever the session is saved, so it cannot give an
absolute limit; and saving on every request (SESSION_SAVE_EVERY_REQUEST) would write the
session row on every page view. This middleware keeps the sign-in time and the last activity
in the session and writes the latter at most once a minute.
"""

import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

SIGNED_IN_AT = "_signed_in_at"
LAST_SEEN_AT = "_last_seen_at"
# Activity is recorded with this resolution, so that most requests do not write the session.
LAST_SEEN_RESOLUTION = 60


def session_start(request) -> None:
    """Called on sign-in (accounts.signals): both clocks start."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SessionExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if not isinstance(signed_in_at, int) or not isinstance(last_seen_at, int):
            # A session from before this middleware: its clock starts now.
            session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now
            return
        if now - signed_in_at >= settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, _("Your session has ended. Please sign in again."))
            return
        if now - last_seen_at >= settings.SESSION_IDLE_TIMEOUT:
            logout(request)
            messages.info(
                request,
                _("You were signed out after a period of inactivity. Please sign in again."),
            )
            return
        if now - last_seen_at >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN_AT] = now


# Pages that a signed-in person who still owes a two-factor code may reach.
TWO_FACTOR_OPEN_VIEWS = frozenset(
    {
        "accounts:login_code",
        "accounts:two_factor_setup",
        "accounts:logout",
        "set_language",
        "core:healthz",
    }
)


class TwoFactorMiddleware:
    """Until a session has passed the code step, its person reaches only the code step (or the
    set-up page, if their role requires 2FA and they have no device yet) and signing out.

    For the API, such a session counts as no session at all (401), while a personal token
    still works: creating one needed a full, recent confirmation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._check(request)
        return response if response is not None else self.get_response(request)

    def _check(self, request):
        from django.contrib.auth.models import AnonymousUser
        from django.http import HttpResponse
        from django.shortcuts import redirect
        from django.urls import Resolver404, resolve, reverse
        from django.utils.http import urlencode

        from .twofactor import must_verify, two_factor_enabled

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or not must_verify(user):
            return None
        if path.startswith("/api/"):
            request.user = AnonymousUser()
            return None
        try:
            view_name = resolve(path).view_name
        except Resolver404:
            return None
        if view_name in TWO_FACTOR_OPEN_VIEWS:
            return None
        step = "accounts:login_code" if two_factor_enabled(user) else "accounts:two_factor_setup"
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        target = reverse(step) + (f"?{urlencode({'next': next_url})}" if next_url else "")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


# The request being served, so that signal receivers (permission changes made in the Django
# admin, for instance) know who made them. None outside a request (the shell, a script).
current_request: ContextVar = ContextVar("nurture_current_request", default=None)


class CurrentRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
