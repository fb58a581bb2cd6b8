"""How API clients prove who they are: a personal token, or the browser's session.

A token carries scopes (`ApiToken.scopes`): a read-only token may only use the safe methods
(GET, HEAD, OPTIONS); anything else is refused with 403 and the code `insufficient_scope`
before the endpoint runs. A session may do whatever its user may, once it has passed the
two-factor code step (nurture.accounts.middleware.TwoFactorMiddleware treats an unverified
session as none).
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, django_auth

from nurture.accounts.services import api_token_find

from .errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a personal token from /accounts/tokens/."""

    openapi_description = (
        "A personal API token, created at /accounts/tokens/. A read-only token may use GET "
        "only; other methods need a read-and-write token (403 `insufficient_scope`)."
    )

    def authenticate(self, request: HttpRequest, token: str):
        found = api_token_find(key=token)
        if found is None:
            return None
        if request.method not in SAFE_METHODS and not found.can_write:
            raise ApiError(
                403,
                _(
                    "This token may only read. Create a token that may read and write at "
                    "/accounts/tokens/ to make changes."
                ),
                code="insufficient_scope",
            )
        # Permission checks and services read request.user, as they do for web pages.
        request.user = found.user
        # Read by accounts.reauth: a token request needs no fresh password confirmation.
        request.api_token = found
        return found.user


token_auth = ApiTokenAuth()
# Token first: a request that carries a token never needs a CSRF token; the session, which
# a browser sends on its own, does (ninja's django_auth checks it on unsafe methods).
API_AUTH = [token_auth, django_auth]
