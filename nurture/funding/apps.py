from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "nurture.funding"
    verbose_name = _("Seed funding")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the deploy check on the field keys)
            personal_data,  # noqa: F401  (registers the data-export contribution)
        )
