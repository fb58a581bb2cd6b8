from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "nurture.programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Sector
        from .selectors import sectors_forget

        post_save.connect(sectors_forget, sender=Sector, dispatch_uid="sectors_forget_save")
        post_delete.connect(sectors_forget, sender=Sector, dispatch_uid="sectors_forget_delete")
