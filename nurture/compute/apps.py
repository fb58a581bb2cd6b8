from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComputeConfig(AppConfig):
    name = "nurture.compute"
    verbose_name = _("GPU compute and cloud credits")

    def ready(self):
        from . import personal_data  # noqa: F401  (registers the data-export contribution)
