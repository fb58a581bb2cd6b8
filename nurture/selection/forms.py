from django import forms
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin
from nurture.programmes.models import Sector

from .models import MarkKind, SelectionSettings

CLEAR = "clear"


class SelectionSettingsForm(BootstrapMixin, forms.ModelForm):
    """The cohort's selection settings, plus one optional cap field per sector."""

    class Meta:
        model = SelectionSettings
        fields = [
            "funding_pool_usd",
            "offer_days",
            "disagreement_threshold",
            "bootstrap_rounds",
            "waitlist_size",
        ]

    def __init__(
        self,
        *args,
        caps: dict[int, int] | None = None,
        programme_caps: dict[int, int] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.sectors = list(Sector.objects.order_by("name"))
        for prefix, values in (("cap", caps or {}), ("pcap", programme_caps or {})):
            for sector in self.sectors:
                name = f"{prefix}_{sector.pk}"
                self.fields[name] = forms.IntegerField(
                    label=sector.display_name,
                    required=False,
                    min_value=0,
                    max_value=100,
                    initial=values.get(sector.pk),
                )
                self.fields[name].widget.attrs["class"] = "form-control form-control-sm"

    def cap_rows(self):
        """(sector, the cohort's field, the programme's field) for each sector."""
        return [
            (sector, self[f"cap_{sector.pk}"], self[f"pcap_{sector.pk}"]) for sector in self.sectors
        ]

    def programme_caps(self) -> dict[int, int]:
        return {
            sector.pk: self.cleaned_data[f"pcap_{sector.pk}"]
            for sector in self.sectors
            if self.cleaned_data.get(f"pcap_{sector.pk}") is not None
        }

    def settings_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def caps(self) -> dict[int, int]:
        return {
            sector.pk: self.cleaned_data[f"cap_{sector.pk}"]
            for sector in self.sectors
            if self.cleaned_data.get(f"cap_{sector.pk}") is not None
        }


class MarkForm(BootstrapMixin, forms.Form):
    application = forms.ModelChoiceField(label=_("Application"), queryset=None)
    kind = forms.ChoiceField(label=_("Mark"), choices=[*MarkKind.choices, (CLEAR, _("No mark"))])
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = lambda a: a.startup.name

    def clean(self):
        data = super().clean()
        if data.get("kind") in MarkKind.values and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the mark."))
        return data


class OfferResponseForm(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", "confirm"), ("decline", "decline")])
