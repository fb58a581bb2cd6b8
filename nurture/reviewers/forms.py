from django import forms
from django.utils.translation import gettext_lazy as _

from nurture.accounts.models import Role, User
from nurture.core.forms import BootstrapMixin, DateTimeInput, ModelMultipleChoiceField
from nurture.programmes.models import Sector
from nurture.startups.models import Startup

from .models import BidValue, Language, ReviewerKind, ReviewerProfile, ReviewRound


class ProfileForm(BootstrapMixin, forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ReviewerProfile
        fields = ["kind", "affiliation", "expertise", "sectors", "languages", "max_per_round"]
        fields += ["past_companies"]
        widgets = {
            "expertise": forms.Textarea(attrs={"rows": 4}),
            "past_companies": forms.Textarea(attrs={"rows": 3}),
        }

    def data_for_service(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "kind",
                "affiliation",
                "expertise",
                "languages",
                "max_per_round",
                "past_companies",
            )
        }


class StaffProfileForm(ProfileForm):
    holdings = ModelMultipleChoiceField(
        label=_("Startups the reviewer holds equity in"),
        queryset=Startup.objects.order_by("name"),
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )

    class Meta(ProfileForm.Meta):
        fields = [*ProfileForm.Meta.fields, "holdings"]


class InviteForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewerKind.choices)
    affiliation = forms.CharField(label=_("Affiliation"), max_length=200, required=False)
    max_per_round = forms.IntegerField(
        label=_("Most applications per round"), min_value=0, max_value=200, initial=8
    )
    language = forms.ChoiceField(
        label=_("Language for e-mails"), choices=[("en", "English"), ("zh-hant", "繁體中文")]
    )


class RoundForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ReviewRound
        fields = [
            "reviewers_per_application",
            "min_load",
            "max_load",
            "fairness",
            "bidding_closes_at",
            "deadline",
            "reviews_visible_after_submit",
        ]
        widgets = {"bidding_closes_at": DateTimeInput(), "deadline": DateTimeInput()}

    def clean(self):
        data = super().clean()
        low, high = data.get("min_load"), data.get("max_load")
        if low is not None and high is not None and low > high:
            self.add_error("min_load", _("The fewest cannot exceed the most."))
        return data


def reviewer_choices():
    return User.objects.filter(role=Role.REVIEWER, is_active=True).order_by("full_name", "email")


class PanelRoundForm(BootstrapMixin, forms.ModelForm):
    panel = ModelMultipleChoiceField(
        label=_("Panel members"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ReviewRound
        fields = ["pitch_at", "deadline", "reviews_visible_after_submit"]
        widgets = {"pitch_at": DateTimeInput(), "deadline": DateTimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = reviewer_choices()
        if self.instance.pk:
            self.initial.setdefault("panel", list(self.instance.panel.all()))


class ConflictDeclareForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why (seen by programme staff only)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class StaffConflictForm(BootstrapMixin, forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=User.objects.none())
    startup = forms.ModelChoiceField(label=_("Startup"), queryset=Startup.objects.order_by("name"))
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_choices()


class LiftForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the conflict no longer applies"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class BidForm(forms.Form):
    value = forms.ChoiceField(choices=[("", _("No bid")), *BidValue.choices], required=False)


class BidFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label=_("All sectors"),
    )


class PairForm(BootstrapMixin, forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_choices()
