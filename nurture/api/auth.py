"""How API clients prove who they are: a personal token, or the browser's session."""

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from nurture.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a personal token from /accounts/tokens/."""

    openapi_description = "A personal API token, created at /accounts/tokens/."

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(key=token)
        if user is None:
            return None
        # Permission checks and services read request.user, as they do for web pages.
        request.user = user
        return user


token_auth = ApiTokenAuth()
# Token first: a request that carries a token never needs a CSRF token; the session, which
# a browser sends on its own, does (ninja's django_auth checks it on unsafe methods).
API_AUTH = [token_auth, django_auth]
