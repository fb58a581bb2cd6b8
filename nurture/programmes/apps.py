from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "nurture.programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Call, Cohort, Programme, Sector
        from .selectors import calls_forget, sectors_forget

        post_save.connect(sectors_forget, sender=Sector, dispatch_uid="sectors_forget_save")
        post_delete.connect(sectors_forget, sender=Sector, dispatch_uid="sectors_forget_delete")
        for model in (Call, Cohort, Programme):
            for signal in (post_save, post_delete):
                signal.connect(
                    calls_forget,
                    sender=model,
                    dispatch_uid=f"calls_forget_{model.__name__}_{signal is post_save}",
                )
