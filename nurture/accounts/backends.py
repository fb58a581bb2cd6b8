from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Signs in by e-mail, case-insensitively; refuses accounts whose e-mail is unverified."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = email or username or kwargs.get("email")
        if email is None or password is None:
            return None
        return super().authenticate(request, username=email.strip(), password=password)

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and user.email_verified_at is not None


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come with a request.

    Every sign-in over HTTP passes its request (the login form does); a call without one comes
    from code, such as the test client's `login()`, and has no client to count against, so
    it is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
