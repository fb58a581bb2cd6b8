from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "nurture.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import signals  # noqa: F401  (connects the audit receivers)

        _admin_needs_a_verified_device()


def _admin_needs_a_verified_device():
    """The Django admin opens only to a session that passed the two-factor code step (on top
    of is_staff): TwoFactorMiddleware sends anyone else to the code step first, and this
    check holds even if that middleware were removed."""
    from django.contrib import admin
    from django.contrib.admin import AdminSite

    site = admin.site

    def has_permission(request):
        user = request.user
        verified = getattr(user, "is_verified", None)
        return AdminSite.has_permission(site, request) and callable(verified) and verified()

    site.has_permission = has_permission
