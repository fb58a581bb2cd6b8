from django import forms
from django.core.validators import MinValueValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from nurture.applications.models import ApplicationState, Stage
from nurture.core.forms import BootstrapMixin, DateInput, DateTimeInput

from . import services
from .models import BenefitItem, Cohort, Intake, Programme, Sector
from .selectors import (
    APPLICATION_SORTS,
    DEFAULT_APPLICATION_SORT,
    STATE_ALL,
    STATE_ALL_BUT_DRAFTS,
    ApplicationQuery,
)

# --- Programme rules and benefit package ------------------------------------------------------

PROGRAMME_SECTIONS = [
    (_("Programme"), ["name", "name_zh_hant", "organisation", "description", "is_active"]),
    (
        _("Cohorts"),
        [
            "cohorts_per_year",
            "min_startups_per_cohort",
            "max_startups_per_cohort",
            "yearly_cap",
            "length_months",
        ],
    ),
    (_("After the programme"), ["followon_name", "followon_months"]),
    (
        _("Eligibility rules"),
        [
            "requires_hk_presence",
            "max_company_age_years",
            "min_team_size",
            "min_technical_share",
            "min_founder_equity",
        ],
    ),
]


class ProgrammeForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Programme
        fields = list(services.PROGRAMME_RULE_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        for field, messages in services.programme_problems(values=cleaned).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, messages)
        return cleaned

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in PROGRAMME_SECTIONS]


class BenefitItemForm(forms.ModelForm):
    position = forms.IntegerField(
        label=_("Position"), min_value=0, required=False, widget=forms.NumberInput()
    )

    class Meta:
        model = BenefitItem
        fields = [
            "position",
            "kind",
            "label",
            "label_zh_hant",
            "amount",
            "unit",
            "details",
            "details_zh_hant",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            elif not isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
                widget.attrs["class"] = "form-control form-control-sm"

    def full_clean(self):
        # Marked here rather than in __init__: reading `errors` there would validate the form
        # before the formset adds its id and DELETE fields.
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                # The formset's own fields (id, DELETE) have no class of their own.
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"

    def line(self) -> services.BenefitLine:
        data = self.cleaned_data
        return services.BenefitLine(
            id=self.instance.pk,
            kind=data["kind"],
            label=data["label"],
            label_zh_hant=data.get("label_zh_hant") or "",
            amount=data.get("amount"),
            unit=data.get("unit") or "",
            details=data.get("details") or "",
            details_zh_hant=data.get("details_zh_hant") or "",
            position=data["position"] if data.get("position") is not None else 10_000,
        )


class BaseBenefitFormSet(forms.BaseInlineFormSet):
    def lines(self) -> list[services.BenefitLine]:
        """The package as entered: deleted and untouched blank forms left out."""
        return [
            form.line()
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and self._should_delete_form(form))
        ]


BenefitFormSet = forms.inlineformset_factory(
    Programme,
    BenefitItem,
    form=BenefitItemForm,
    formset=BaseBenefitFormSet,
    extra=1,
    can_delete=True,
)


# --- Cohort and call --------------------------------------------------------------------------

COHORT_SECTIONS = [
    (_("Cohort"), ["programme", "year", "intake", "name", "capacity", "starts_on", "ends_on"]),
    (
        _("Call for applications"),
        [
            "title",
            "title_zh_hant",
            "description",
            "description_zh_hant",
            "opens_at",
            "closes_at",
        ],
    ),
]


class CohortForm(BootstrapMixin, forms.Form):
    """A cohort and its call in one form, so neither is ever saved without the other."""

    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(is_active=True)
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    intake = forms.ChoiceField(label=_("Intake"), choices=Intake.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Leave empty for the year and intake, for example “2027 Spring”."),
    )
    capacity = forms.IntegerField(
        label=_("Places"), validators=[MinValueValidator(1)], min_value=1, max_value=1000
    )
    starts_on = forms.DateField(label=_("Programme starts"), widget=DateInput())
    ends_on = forms.DateField(label=_("Programme ends"), widget=DateInput())
    title = forms.CharField(label=_("Title"), max_length=200)
    title_zh_hant = forms.CharField(
        label=_("Title (Traditional Chinese)"), max_length=200, required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_zh_hant = forms.CharField(
        label=_("Description (Traditional Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    opens_at = forms.DateTimeField(
        label=_("Call opens"),
        widget=DateTimeInput(),
        help_text=_("Hong Kong time."),
    )
    closes_at = forms.DateTimeField(
        label=_("Call closes"),
        widget=DateTimeInput(),
        help_text=_("Hong Kong time. Nothing can be submitted or changed after this instant."),
    )

    def __init__(self, *args, cohort: Cohort | None = None, **kwargs):
        self.cohort = cohort
        if cohort is not None:
            call = getattr(cohort, "call", None)
            initial = {
                "year": cohort.year,
                "intake": cohort.intake,
                "name": cohort.name,
                "capacity": cohort.capacity,
                "starts_on": cohort.starts_on,
                "ends_on": cohort.ends_on,
            }
            if call is not None:
                initial |= {
                    name: getattr(call, name)
                    for name in (
                        "title",
                        "title_zh_hant",
                        "description",
                        "description_zh_hant",
                        "opens_at",
                        "closes_at",
                    )
                }
            kwargs["initial"] = initial | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)

    @property
    def chosen_programme(self) -> Programme | None:
        if self.cohort is not None:
            return self.cohort.programme
        return self.cleaned_data.get("programme")

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.chosen_programme is None:
            return cleaned
        if not cleaned.get("name"):
            # Stored in English; `Cohort.display_name` shows it in the reader's language.
            with translation.override("en"):
                cleaned["name"] = f"{cleaned['year']} {Intake(cleaned['intake']).label}"
        problems = services.cohort_problems(
            programme=self.chosen_programme,
            terms=self.terms(),
            call=self.call(),
            cohort=self.cohort,
        )
        for field, messages in problems.items():
            self.add_error(field, messages)
        return cleaned

    def terms(self) -> services.CohortTerms:
        data = self.cleaned_data
        return services.CohortTerms(
            name=data["name"],
            year=data["year"],
            intake=data["intake"],
            capacity=data["capacity"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )

    def call(self) -> services.CallTerms:
        data = self.cleaned_data
        return services.CallTerms(
            title=data["title"],
            title_zh_hant=data.get("title_zh_hant", ""),
            description=data.get("description", ""),
            description_zh_hant=data.get("description_zh_hant", ""),
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
        )

    def sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in COHORT_SECTIONS
        ]


class CohortEditForm(CohortForm):
    """An existing cohort keeps its programme: its applications were made to that programme."""

    programme = None

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, cohort=cohort, **kwargs)


# --- The application list's filters -----------------------------------------------------------


def _state_choices():
    return [
        (STATE_ALL_BUT_DRAFTS, _("All but drafts")),
        (STATE_ALL, _("All states")),
        *ApplicationState.choices,
    ]


class ApplicationFilterForm(BootstrapMixin, forms.Form):
    """Filters of the application list; invalid values fall back to the defaults."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(
            attrs={"placeholder": _("Startup, product, AI, founder's e-mail")}
        ),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("name"),
        required=False,
        empty_label=_("All sectors"),
        to_field_name="slug",
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=_state_choices)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices]
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(s, s) for key in APPLICATION_SORTS for s in (key, f"-{key}")],
        widget=forms.HiddenInput,
    )

    def query(self) -> ApplicationQuery:
        self.is_valid()
        data = self.cleaned_data  # only the fields that are valid
        return ApplicationQuery(
            sector=data.get("sector"),
            state=data.get("state") or STATE_ALL_BUT_DRAFTS,
            stage=data.get("stage") or "",
            search=(data.get("q") or "").strip(),
            sort=data.get("sort") or DEFAULT_APPLICATION_SORT,
        )
