from django import forms
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin

from .models import CorrectionField, MarketingMessage, RequestKind


class DataRequestForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you ask for?"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    field = forms.ChoiceField(
        label=_("What should be corrected?"),
        choices=[("", "—"), *CorrectionField.choices],
        required=False,
        help_text=_("For a correction request only."),
    )
    requested_value = forms.CharField(
        label=_("The correct value"),
        max_length=300,
        required=False,
        help_text=_("For your name or organisation: how it should read."),
    )
    details = forms.CharField(
        label=_("Details"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Anything that helps the Lab find or correct the data."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("kind") == RequestKind.CORRECTION:
            field = data.get("field")
            if not field:
                self.add_error("field", _("Say what should be corrected."))
            elif field == CorrectionField.OTHER and not (data.get("details") or "").strip():
                self.add_error("details", _("Describe what is wrong and how it should read."))
            elif field != CorrectionField.OTHER and not (data.get("requested_value") or "").strip():
                self.add_error("requested_value", _("Give the correct value."))
        return data


class ResolutionForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Note to the person"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MarketingMessageForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = MarketingMessage
        fields = ["kind", "audience", "subject_en", "subject_zh_hant", "body_en", "body_zh_hant"]
        widgets = {
            "body_en": forms.Textarea(attrs={"rows": 8}),
            "body_zh_hant": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "audience": _(
                "Only people who have consented to news of events and programmes receive it; "
                "for everyone else it is refused and recorded."
            )
        }
