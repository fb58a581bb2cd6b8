from django import forms
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin, DateInput
from nurture.programmes.models import Sector

from .models import Startup


class StartupForm(BootstrapMixin, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Startup
        fields = [
            "name",
            "legal_name",
            "website",
            "sector",
            "registered_in_hk",
            "business_registration_number",
            "date_founded",
            "summary",
        ]
        widgets = {"date_founded": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "legal_name": _("As registered with the Companies Registry, if registered."),
            "summary": _("What the startup does, in a paragraph. Partners may see it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("name")
        self.fields["sector"].label_from_instance = lambda s: s.display_name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("registered_in_hk") and not cleaned.get("business_registration_number"):
            self.add_error(
                "business_registration_number",
                _("Please give the business registration number of the Hong Kong company."),
            )
        return cleaned


class InvitationForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Co-founder's e-mail address"))
