from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin, DateInput

from .models import AuditEntry


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class AuditFilterForm(BootstrapMixin, forms.Form):
    """Filters of the audit log. Dates are Hong Kong calendar days, both ends included."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Summary, action, e-mail, address")}),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Actor's e-mail"), required=False, max_length=254)
    target_type = forms.ChoiceField(label=_("Object type"), required=False)
    target_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, actions: list[str], target_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions"))] + [(a, a) for a in actions]
        self.fields["target_type"].choices = [("", _("All types"))] + [(t, t) for t in target_types]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return cleaned

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters as strings (for the export's own audit entry)."""
        self.is_valid()
        return {
            name: value.isoformat() if isinstance(value, date) else str(value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }

    def apply(self, queryset):
        self.is_valid()
        data = self.cleaned_data  # only the valid fields; an invalid one is ignored
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        if data.get("actor"):
            queryset = queryset.filter(actor_label__icontains=data["actor"].strip())
        if data.get("target_type"):
            queryset = queryset.filter(target_type=data["target_type"])
        if data.get("target_id"):
            queryset = queryset.filter(target_id=data["target_id"].strip())
        if data.get("date_from"):
            queryset = queryset.filter(at__gte=_start(data["date_from"]))
        if data.get("date_to") and "date_to" not in self.errors:
            queryset = queryset.filter(at__lt=_start(data["date_to"] + timedelta(days=1)))
        for word in (data.get("q") or "").split():
            queryset = queryset.filter(
                Q(summary__icontains=word)
                | Q(action__icontains=word)
                | Q(actor_label__icontains=word)
                | Q(target_id=word)
                | Q(ip_address__startswith=word)
            )
        return queryset


def audit_choices() -> tuple[list[str], list[str]]:
    """The actions and object types present in the log, for the filter's menus (two queries)."""
    actions = list(
        AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    )
    types = list(
        AuditEntry.objects.exclude(target_type="")
        .order_by("target_type")
        .values_list("target_type", flat=True)
        .distinct()
    )
    return actions, types
