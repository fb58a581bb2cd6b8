from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "nurture.platforms"
    verbose_name = _("Deep-learning platforms")

    def ready(self):
        from . import personal_data  # noqa: F401  (registers the data-export contribution)
