from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "nurture.platforms"
    verbose_name = _("Deep-learning platforms")
