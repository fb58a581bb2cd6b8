from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin, DateInput, ModelMultipleChoiceField

from . import services
from .models import Space, SpaceKind


def _quarters(first: time, last: time) -> list[tuple[str, str]]:
    moment = datetime.combine(datetime(2000, 1, 1), first)
    end = datetime.combine(datetime(2000, 1, 1), last)
    choices = []
    while moment <= end:
        choices.append((moment.strftime("%H:%M"), moment.strftime("%H:%M")))
        moment += timedelta(minutes=services.SLOT_MINUTES)
    return choices


START_CHOICES = _quarters(services.OPENS, (datetime(2000, 1, 1, 21, 45)).time())
END_CHOICES = _quarters(time(7, 15), services.CLOSES)


class RoomBookingForm(BootstrapMixin, forms.Form):
    room = forms.ModelChoiceField(
        label=_("Meeting room"),
        queryset=Space.objects.filter(kind=SpaceKind.MEETING_ROOM, active=True).order_by("code"),
    )
    day = forms.DateField(label=_("Day"), widget=DateInput())
    start = forms.ChoiceField(label=_("From"), choices=START_CHOICES, initial="10:00")
    end = forms.ChoiceField(label=_("Until"), choices=END_CHOICES, initial="11:00")
    title = forms.CharField(
        label=_("What for"),
        max_length=120,
        help_text=_(
            "Shown on your startup's calendar; other startups see only that the room is taken."
        ),
    )

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            zone = timezone.get_current_timezone()
            data["starts_at"] = datetime.combine(day, time.fromisoformat(start), tzinfo=zone)
            data["ends_at"] = datetime.combine(day, time.fromisoformat(end), tzinfo=zone)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", _("The booking must end after it starts."))
        return data


class SpaceForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Space
        fields = list(services.SPACE_FIELDS)


class SpaceChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, space):
        parts = [space.code]
        if space.kind == SpaceKind.OFFICE:
            parts.append(_("office, %(n)s seats") % {"n": space.seats})
        if space.zone:
            parts.append(space.zone)
        return " · ".join(str(part) for part in parts)


class AllocationForm(BootstrapMixin, forms.Form):
    spaces = SpaceChoiceField(
        label=_("Desks and offices"),
        queryset=Space.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one desk or office.")},
    )
    move_in = forms.DateField(label=_("Move-in day"), widget=DateInput())
    move_out = forms.DateField(label=_("Move-out day"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, free=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Space.objects.filter(active=True, kind__in=[SpaceKind.DESK, SpaceKind.OFFICE])
        self.fields["spaces"].queryset = queryset.order_by("zone", "row", "column", "code")
        if free is not None:
            self.fields["spaces"].queryset = queryset.filter(pk__in=[s.pk for s in free])

    def clean(self):
        data = super().clean()
        if data.get("move_in") and data.get("move_out") and data["move_out"] < data["move_in"]:
            self.add_error("move_out", _("The move-out day is before the move-in day."))
        return data


class ProposalDatesForm(forms.Form):
    """The period a proposal of space is for (from the page's query string)."""

    move_in = forms.DateField(required=False)
    move_out = forms.DateField(required=False)


class MoveOutForm(BootstrapMixin, forms.Form):
    move_out = forms.DateField(label=_("Move-out day"), widget=DateInput())


# Calendars show days within ten years of today; further is a typing mistake (and the first
# and last days a date can hold do not survive the conversion to UTC).
CALENDAR_YEARS = 10


def in_calendar_range(day) -> bool:
    today = timezone.localdate()
    return abs((day - today).days) <= CALENDAR_YEARS * 366


class DayForm(forms.Form):
    """The day a calendar or the floor plan shows; a bad or far-off value falls back to
    today."""

    date = forms.DateField(required=False)

    def day(self):
        day = self.cleaned_data.get("date") if self.is_valid() else None
        return day if day and in_calendar_range(day) else timezone.localdate()
