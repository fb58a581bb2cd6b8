from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewersConfig(AppConfig):
    name = "nurture.reviewers"
    verbose_name = _("Reviewers and assignment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            personal_data,  # noqa: F401  (registers the data-export contribution)
            signals,  # noqa: F401
        )
