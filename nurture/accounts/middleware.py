"""Session expiry: SESSION_COOKIE_AGE after sign-in at most, SESSION_IDLE_TIMEOUT of
inactivity at most.

Django's own expiry slides forward whenever the session is saved, so it cannot give an
absolute limit; and saving on every request (SESSION_SAVE_EVERY_REQUEST) would write the
session row on every page view. This middleware keeps the sign-in time and the last activity
in the session and writes the latter at most once a minute.
"""

import time

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
