from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin, DateInput
from nurture.programmes.models import Cohort, Sector
from nurture.startups.models import Startup

from .eligibility import REQUIRED_FIELDS
from .models import Application, Platform
from .uploads import validate_pitch_deck

SECTIONS = [
    (
        _("Company"),
        ["registered_in_hk", "business_registration_number", "hk_presence_plan", "date_founded"],
    ),
    (_("Team"), ["team_size", "full_time_staff", "technical_staff", "founders_equity"]),
    (
        _("Product and AI"),
        ["product_description", "ai_description", "sector", "stage", "traction"],
    ),
    (_("Funding"), ["funding_raised_usd"]),
    (_("What you want from the Lab"), ["gpu_hours_per_month", "platforms", "lab_needs"]),
    (_("Pitch deck"), ["pitch_deck"]),
]


class ApplicationForm(BootstrapMixin, forms.ModelForm):
    """Every answer is optional while drafting; submission checks completeness."""

    platforms = forms.MultipleChoiceField(
        label=_("Deep-learning platforms wanted"),
        choices=Platform.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pitch_deck = forms.FileField(
        label=_("Pitch deck (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = Application
        fields = [name for _title, names in SECTIONS for name in names if name != "pitch_deck"]
        widgets = {
            "date_founded": DateInput(),
            "hk_presence_plan": forms.Textarea(attrs={"rows": 2}),
            "product_description": forms.Textarea(attrs={"rows": 4}),
            "ai_description": forms.Textarea(attrs={"rows": 4}),
            "traction": forms.Textarea(attrs={"rows": 3}),
            "lab_needs": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "product_description": _("What the product does, for whom, and why now."),
            "ai_description": _("Models, data, and what is your own work."),
            "traction": _("Users, customers, pilots, revenue: whatever you can show."),
            "technical_staff": _("Engineers and scientists among the full-time staff."),
            "founders_equity": _("The share of the company the founders hold together."),
        }

    def __init__(self, *args, max_upload_mb: int = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("name")
        self.fields["sector"].label_from_instance = lambda s: s.display_name
        # Drafts may be saved half-finished; these answers are needed before submission.
        for name in (*REQUIRED_FIELDS, "pitch_deck"):
            self.fields[name].submission_required = True
        self.fields["pitch_deck"].help_text = _(
            "PDF only, at most %(mb)d MB. A new upload replaces the current deck."
        ) % {"mb": max_upload_mb}
        for name in ("team_size", "full_time_staff", "technical_staff", "gpu_hours_per_month"):
            self.fields[name].widget.attrs.update(min=0, step=1)
        self.fields["founders_equity"].widget.attrs.update(min=0, max=100, step="0.01")
        self.fields["funding_raised_usd"].widget.attrs.update(min=0, step="1")

    def clean_pitch_deck(self):
        upload = self.cleaned_data.get("pitch_deck")
        if upload:
            try:
                validate_pitch_deck(upload)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return upload or None

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def answers(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class StartForm(forms.Form):
    """Which startup applies to which cohort; membership is checked by the view."""

    startup = forms.ModelChoiceField(queryset=Startup.objects.all())
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.select_related("call"))
