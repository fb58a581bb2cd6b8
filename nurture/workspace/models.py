"""The Lab's floor: desks, private offices and meeting rooms; which startup sits where, from
when to when; and bookings of the meeting rooms.

A space's row is what the services lock before they check for overlaps, so two allocations of
one desk, or two bookings of one room, are checked one after the other and never overlap.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nurture.core.i18n import pick


class SpaceKind(models.TextChoices):
    DESK = "desk", _("Desk")
    OFFICE = "office", _("Private office")
    MEETING_ROOM = "room", _("Meeting room")


class Space(models.Model):
    """A desk, a private office or a meeting room, placed on the floor plan's grid."""

    kind = models.CharField(_("kind"), max_length=8, choices=SpaceKind.choices)
    code = models.CharField(
        _("code"), max_length=20, unique=True, help_text=_("As on the sign, e.g. D-12 or R-2.")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100, blank=True)
    zone = models.CharField(
        _("zone"), max_length=60, blank=True, help_text=_("Part of the floor, e.g. North wing.")
    )
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    row = models.PositiveSmallIntegerField(
        _("row on the floor plan"), validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    column = models.PositiveSmallIntegerField(
        _("column on the floor plan"), validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    width = models.PositiveSmallIntegerField(
        _("width (grid cells)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    height = models.PositiveSmallIntegerField(
        _("height (grid cells)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    equipment = models.CharField(_("equipment"), max_length=200, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="desk") | Q(seats=1), name="space_desk_has_one_seat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.display_name}" if self.display_name else self.code

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_zh_hant)

    @property
    def bookable(self) -> bool:
        return self.kind == SpaceKind.MEETING_ROOM


class Allocation(models.Model):
    """A desk or office given to a startup from its move-in day to its move-out day
    (both included)."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="allocations")
    startup = models.ForeignKey(
        "startups.Startup", on_delete=models.CASCADE, related_name="space_allocations"
    )
    cohort = models.ForeignKey(
        "programmes.Cohort",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="space_allocations",
    )
    move_in = models.DateField(_("move-in day"))
    move_out = models.DateField(_("move-out day"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("space allocation")
        verbose_name_plural = _("space allocations")
        ordering = ["move_in", "space__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(move_out__gte=F("move_in")), name="allocation_moves_out_after_in"
            )
        ]
        indexes = [models.Index(fields=["space", "move_in", "move_out"])]

    def __str__(self) -> str:
        return f"{self.space.code} → {self.startup} ({self.move_in} – {self.move_out})"

    def covers(self, day) -> bool:
        return self.move_in <= day <= self.move_out


class RoomBooking(models.Model):
    """A meeting room booked for [starts_at, ends_at), by a startup's member or by staff."""

    room = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="bookings")
    startup = models.ForeignKey(
        "startups.Startup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="room_bookings",
    )
    title = models.CharField(_("what for"), max_length=120)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A retried request with the same key (per booker) returns this booking instead of a new one.
    idempotency_key = models.CharField(max_length=200, blank=True)
    # Bumped on every change, so that calendar programs replace the event they have.
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("meeting-room booking")
        verbose_name_plural = _("meeting-room bookings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="room_booking_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["booked_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="room_booking_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["room", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.room.code} {self.starts_at:%Y-%m-%d %H:%M} {self.title}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None
