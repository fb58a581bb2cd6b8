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
