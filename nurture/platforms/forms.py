from django import forms
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin

from .models import Platform


class AccessRequestForm(BootstrapMixin, forms.Form):
    application = forms.TypedChoiceField(label=_("Startup"), coerce=int)
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=Platform.objects.none())
    purpose = forms.CharField(
        label=_("What you will use it for"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [
            (a.pk, f"{a.startup.name} · {a.cohort.display_name}") for a in applications
        ]
        self.fields["platform"].queryset = Platform.objects.filter(is_active=True)
        self.fields["platform"].label_from_instance = lambda p: p.display_name


class ProvisionForm(BootstrapMixin, forms.Form):
    account_identifier = forms.CharField(
        label=_("Account on the platform"),
        max_length=200,
        help_text=_("The login, account ID or workspace the founders will use."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlatformForm(BootstrapMixin, forms.ModelForm):
    url = forms.URLField(label=_("Web address"), required=False, assume_scheme="https")

    class Meta:
        model = Platform
        fields = [
            "name",
            "name_zh_hant",
            "slug",
            "provider",
            "url",
            "description",
            "description_zh_hant",
            "is_active",
            "position",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "description_zh_hant": forms.Textarea(attrs={"rows": 2}),
        }
