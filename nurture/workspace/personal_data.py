"""What the workspace app holds about a person, for a data access request (see
nurture/privacy/export.py).

The desks and offices allocated to the person's startups, and the meeting-room bookings the
person made or their startups hold. Who else booked or cancelled is said only as whether the
person did.
"""

from django.db.models import Q

from nurture.privacy.export import Contribution, personal_data, row
from nurture.startups.models import StartupMember

from .models import Allocation, RoomBooking


@personal_data("workspace")
def workspace_data(user) -> Contribution:
    startups = StartupMember.objects.filter(user=user).values("startup_id")
    allocations = (
        Allocation.objects.filter(startup_id__in=startups).select_related("space").order_by("pk")
    )
    bookings = (
        RoomBooking.objects.filter(Q(booked_by=user) | Q(startup_id__in=startups))
        .select_related("room")
        .order_by("pk")
    )
    return Contribution(
        records={
            "allocations": [
                {**row(a, exclude=["created_by"]), "space": a.space.code} for a in allocations
            ],
            "room_bookings": [
                {
                    **row(b, exclude=["booked_by", "cancelled_by", "idempotency_key"]),
                    "room": b.room.code,
                    "booked_by_me": b.booked_by_id == user.pk,
                    "cancelled_by_me": b.cancelled_by_id == user.pk,
                }
                for b in bookings
            ],
        }
    )
