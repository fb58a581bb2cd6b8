from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin

from .models import COMMENT_MAX, FEEDBACK_MAX, SCALE, Criterion, Recommendation

SCALE_CHOICES = [(str(p), str(p)) for p in SCALE]


def score_field_name(criterion_id: int) -> str:
    return f"score_{criterion_id}"


class ReviewForm(BootstrapMixin, forms.Form):
    """The written review: a radio 1-5 per criterion, a recommendation, a confidence and two
    texts. Everything is optional here so that a draft can be half done; `services` decides
    what a submission needs, and checks every value again."""

    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=[("", _("— choose —")), *Recommendation.choices],
        required=False,
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"),
        choices=SCALE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("1: a guess, outside my expertise · 5: I know this field well."),
    )
    comment = forms.CharField(
        label=_("Comment for the programme staff"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Not shown to the founders."),
    )
    feedback = forms.CharField(
        label=_("Feedback for the founders"),
        required=False,
        max_length=FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. The founders read it without your name once the decision is sent."),
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[score_field_name(criterion.pk)] = forms.ChoiceField(
                label=criterion.display_label,
                choices=SCALE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )
        # Not needed for a draft, but for a submission: the label says so.
        for name in ("recommendation", "confidence"):
            self.fields[name].submission_required = True
        for name in ("confidence",) + tuple(score_field_name(c.pk) for c in criteria):
            # RadioSelect renders its own inputs; Bootstrap's form-control does not suit them.
            self.fields[name].widget.attrs.pop("class", None)

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "scores": {c.pk: data.get(score_field_name(c.pk)) or None for c in self.criteria},
            "recommendation": data.get("recommendation", ""),
            "confidence": data.get("confidence") or None,
            "comment": data.get("comment", ""),
            "feedback": data.get("feedback", ""),
        }

    def field_for(self, problem_field: str | None) -> str | None:
        if problem_field and problem_field.startswith("scores."):
            name = "score_" + problem_field.split(".", 1)[1]
            return name if name in self.fields else None
        return problem_field if problem_field in self.fields else None

    @staticmethod
    def initial_from(review) -> dict:
        if review is None:
            return {}
        initial = {
            "recommendation": review.recommendation,
            "confidence": str(review.confidence) if review.confidence else "",
            "comment": review.comment,
            "feedback": review.feedback,
        }
        for score in review.scores.all():
            initial[score_field_name(score.criterion_id)] = str(score.value)
        return initial


class CriterionForm(BootstrapMixin, forms.Form):
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("A short code for exports and the API, e.g. team; cannot change later."),
    )
    label = forms.CharField(label=_("Label (English)"), max_length=120)
    label_zh_hant = forms.CharField(
        label=_("Label (Traditional Chinese)"), max_length=120, required=False
    )
    description = forms.CharField(
        label=_("What to look for (English)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    description_zh_hant = forms.CharField(
        label=_("What to look for (Traditional Chinese)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = forms.DecimalField(
        label=_("Weight"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Any positive number; the rubric shows each weight as a share of the sum."),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1000, initial=0)

    def __init__(self, *args, criterion: Criterion | None = None, **kwargs):
        self.criterion = criterion
        if criterion is not None and "initial" not in kwargs:
            initial = {
                name: getattr(criterion, name)
                for name in (
                    "key",
                    "label",
                    "label_zh_hant",
                    "description",
                    "description_zh_hant",
                    "weight",
                    "position",
                )
            }
            for anchor in criterion.anchors.all():
                initial[f"anchor_{anchor.point}"] = anchor.text
                initial[f"anchor_{anchor.point}_zh_hant"] = anchor.text_zh_hant
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for point in SCALE:
            self.fields[f"anchor_{point}"] = forms.CharField(
                label=_("%(point)d — meaning (English)") % {"point": point}, max_length=300
            )
            self.fields[f"anchor_{point}_zh_hant"] = forms.CharField(
                label=_("%(point)d — meaning (Traditional Chinese)") % {"point": point},
                max_length=300,
                required=False,
            )
        if criterion is not None:
            self.fields["key"].disabled = True
        for point in SCALE:
            for name in (f"anchor_{point}", f"anchor_{point}_zh_hant"):
                self.fields[name].widget.attrs["class"] = "form-control"

    def data_fields(self) -> dict:
        names = ("key", "label", "label_zh_hant", "description", "description_zh_hant")
        data = {name: self.cleaned_data[name] for name in names}
        data["weight"] = self.cleaned_data["weight"]
        data["position"] = self.cleaned_data["position"]
        return data

    def anchors(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data[f"anchor_{p}"], self.cleaned_data[f"anchor_{p}_zh_hant"])
            for p in SCALE
        ]

    def anchor_pairs(self):
        return [(self[f"anchor_{p}"], self[f"anchor_{p}_zh_hant"]) for p in SCALE]
