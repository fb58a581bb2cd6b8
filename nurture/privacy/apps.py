from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "nurture.privacy"
    verbose_name = _("Privacy")

    def ready(self):
        # Registers the export contributions of the apps that exist from the start.
        from . import personal_data  # noqa: F401
