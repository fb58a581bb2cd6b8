"""The REST API under /api/: OpenAPI document at /api/openapi.json, docs at /api/docs.

Reads of programmes, cohorts, calls and sectors are public; everything else needs a
personal API token (`Authorization: Bearer ...`) or a signed-in browser session. Permission
rules come from each app's permissions.py and every write goes through its services.
"""

import math

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import Throttled
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from nurture.audit.middleware import client_ip

from . import errors, schemas
from .applications import router as applications_router
from .auth import API_AUTH
from .compute import router as compute_router
from .funding import router as funding_router
from .platforms import router as platforms_router
from .privacy import router as privacy_router
from .programmes import router as programmes_router
from .resources import router as resources_router
from .reviewers import router as reviewers_router
from .reviews import router as reviews_router
from .selection import router as selection_router
from .startups import router as startups_router
from .workspace import router as workspace_router


class _SettingsRate:
    """Reads its rate from settings on every request, so that the environment (and a test's
    settings) decide it; "off" or an empty value lifts the limit."""

    setting = ""

    def __init__(self):
        super().__init__(rate="1/s")

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, self.setting, None)
        if not rate or rate == "off":
            return True
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str | None:
        # The client address that the audit log records. Ninja's default trusts any
        # X-Forwarded-For header, which a client could vary to escape the limit.
        return client_ip(request)


class AnonymousRate(_SettingsRate, AnonRateThrottle):
    """Requests without a token or session, per client address (API_RATE_ANON)."""

    setting = "API_RATE_ANON"


class UserRate(_SettingsRate, AuthRateThrottle):
    """Requests with a token or session, per user (API_RATE_USER)."""

    setting = "API_RATE_USER"


api = NinjaAPI(
    title="Nurture API",
    version="1",
    description=(
        "Programmes, cohorts, calls, startups and applications of the accelerator. "
        "Authenticate with a personal API token (create one at /accounts/tokens/) sent as "
        "`Authorization: Bearer <token>`, or with a signed-in browser session (which needs "
        "the X-CSRFToken header on unsafe methods)."
    ),
    urls_namespace="api",
    auth=API_AUTH,
    throttle=[AnonymousRate(), UserRate()],
)
errors.install(api)


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled):
    wait = exc.wait if exc.wait is not None else 1
    seconds = max(1, math.ceil(wait))
    response = api.create_response(
        request,
        errors.error_body(
            _("Too many requests: please wait %(seconds)d seconds and try again.")
            % {"seconds": seconds},
            code="rate_limited",
        ),
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


accounts_router = Router(tags=["Accounts"])


@accounts_router.get(
    "/me", response={200: schemas.Me, 401: schemas.Error}, summary="The signed-in user"
)
def me(request):
    return request.user


api.add_router("", accounts_router)
api.add_router("", programmes_router)
api.add_router("", startups_router)
api.add_router("", applications_router)
api.add_router("", reviewers_router)
api.add_router("", reviews_router)
api.add_router("", selection_router)
api.add_router("", compute_router)
api.add_router("", privacy_router)
api.add_router("", funding_router)
api.add_router("", platforms_router)
api.add_router("", workspace_router)
api.add_router("", resources_router)
