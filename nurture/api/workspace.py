"""The Lab's floor: meeting rooms and their bookings, and startups' desks and offices.

Founders book and cancel meeting rooms for their own startups (while they have space in the
Lab) and read their own allocations; programme staff read everything and cancel any booking.
A booking or startup that the caller may not see answers 404. Writes honour the
`Idempotency-Key` header (nurture.api.idempotency); a booking also remembers its key, so the
same key and person never make a second booking.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from nurture.startups.models import Startup
from nurture.workspace import selectors, services
from nurture.workspace.forms import in_calendar_range
from nurture.workspace.models import Allocation, RoomBooking, Space, SpaceKind
from nurture.workspace.permissions import (
    bookings_visible_to,
    can_book_rooms,
    can_cancel_booking,
    can_manage_workspace,
    can_view_rooms,
    can_view_workspace,
)

from . import schemas
from .errors import ApiError, field_error
from .idempotency import HEADER, idempotent
from .pagination import PageNumberPagination
from .schemas import PathId, QueryId

router = Router(tags=["Working space"])

_ERRORS = {401: schemas.Error, 403: schemas.Error, 404: schemas.Error, 409: schemas.Error}
_WRITE_ERRORS = {**_ERRORS, 422: schemas.Error}
_CONFLICTS = {"conflict", "idempotency_conflict"}


class Room(Schema):
    id: int
    code: str
    name: str
    seats: int
    equipment: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


class Slot(Schema):
    starts_at: datetime
    ends_at: datetime
    booking: int | None = None
    title: str | None = None


class RoomDay(Schema):
    room: int
    code: str
    slots: list[Slot]


class RoomBooking_(Schema):
    id: int
    room: int
    room_code: str
    startup: int | None
    title: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool

    @staticmethod
    def resolve_room(obj) -> int:
        return obj.room_id

    @staticmethod
    def resolve_room_code(obj) -> str:
        return obj.room.code

    @staticmethod
    def resolve_startup(obj) -> int | None:
        return obj.startup_id

    @staticmethod
    def resolve_cancelled(obj) -> bool:
        return obj.is_cancelled


class RoomBookingCreate(Schema):
    startup: int
    room: int
    starts_at: datetime
    ends_at: datetime
    title: str


class Allocation_(Schema):
    id: int
    startup: int
    space: int
    space_code: str
    kind: str
    seats: int
    zone: str
    move_in: date
    move_out: date

    @staticmethod
    def resolve_startup(obj) -> int:
        return obj.startup_id

    @staticmethod
    def resolve_space(obj) -> int:
        return obj.space_id

    @staticmethod
    def resolve_space_code(obj) -> str:
        return obj.space.code

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.space.kind

    @staticmethod
    def resolve_seats(obj) -> int:
        return obj.space.seats

    @staticmethod
    def resolve_zone(obj) -> str:
        return obj.space.zone


def _workspace_error(error: services.WorkspaceError) -> ApiError:
    status = 409 if error.code in _CONFLICTS else 404 if error.code == "not_found" else 422
    errors = [field_error(error.field, error.message)] if error.field else []
    return ApiError(status, error.message, code=error.code, errors=errors)


def _not_found(field: str, message: str) -> ApiError:
    return ApiError(404, _("Not found."), code="not_found", errors=[field_error(field, message)])


@router.get("/workspace/rooms", response={200: list[Room], **_ERRORS}, summary="Meeting rooms")
def room_list(request):
    if not can_view_rooms(request.user):
        raise PermissionDenied
    return Space.objects.filter(kind=SpaceKind.MEETING_ROOM, active=True).order_by("code")


@router.get(
    "/workspace/rooms/day",
    response={200: list[RoomDay], **_ERRORS},
    summary="Each meeting room's day: free and taken times (Hong Kong time)",
)
def room_day(request, day: Query[date]):
    """Another startup's booking shows as taken, without its title or booking id."""
    user = request.user
    if not can_view_rooms(user):
        raise PermissionDenied
    if not in_calendar_range(day):
        raise ApiError(
            422,
            _("Choose a day within ten years of today."),
            code="invalid",
            errors=[field_error("day", _("Choose a day within ten years of today."))],
        )
    own = set(Startup.objects.filter(memberships__user_id=user.pk).values_list("pk", flat=True))
    staff = can_manage_workspace(user)
    _hours, days = selectors.room_days(day)
    result = []
    for room_day_ in days:
        slots = []
        for segment in room_day_.segments:
            booking = segment.booking
            visible = booking is not None and (staff or booking.startup_id in own)
            slots.append(
                {
                    "starts_at": segment.start,
                    "ends_at": segment.end,
                    "booking": booking.pk if visible else None,
                    "title": booking.title if visible else (_("Booked") if booking else None),
                }
            )
        result.append({"room": room_day_.room.pk, "code": room_day_.room.code, "slots": slots})
    return result


@router.get(
    "/workspace/bookings",
    response=list[RoomBooking_],
    summary="Meeting-room bookings you may see (your startups' ones; all for staff)",
)
@paginate(PageNumberPagination)
def booking_list(request, startup: QueryId = None):
    bookings = bookings_visible_to(request.user).select_related("room").order_by("-starts_at")
    if startup is not None:
        bookings = bookings.filter(startup_id=startup)
    return bookings.distinct()


@router.post(
    "/workspace/bookings",
    response={201: RoomBooking_, **_WRITE_ERRORS},
    summary="Book a meeting room for your startup, by the quarter hour",
)
@idempotent
def booking_create(request, payload: RoomBookingCreate):
    startup = Startup.objects.filter(pk=payload.startup).first()
    if startup is None or not can_view_workspace(request.user, startup):
        raise _not_found("startup", _("No such startup."))
    if not can_book_rooms(request.user, startup):
        raise PermissionDenied
    room = Space.objects.filter(pk=payload.room).first()
    if room is None:
        raise _not_found("room", _("No such meeting room."))
    try:
        booking = services.room_book(
            actor=request.user,
            room=room,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            title=payload.title,
            startup=startup,
            idempotency_key=request.headers.get(HEADER) or "",
        )
    except services.WorkspaceError as error:
        raise _workspace_error(error) from None
    return Status(201, RoomBooking.objects.select_related("room").get(pk=booking.pk))


@router.post(
    "/workspace/bookings/{booking_id}/cancel",
    response={200: RoomBooking_, **_WRITE_ERRORS},
    summary="Cancel a meeting-room booking that has not ended",
)
@idempotent
def booking_cancel(request, booking_id: PathId):
    booking = (
        bookings_visible_to(request.user)
        .select_related("room", "startup")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404
    if not can_cancel_booking(request.user, booking):
        raise PermissionDenied
    try:
        booking = services.room_cancel(actor=request.user, booking=booking)
    except services.WorkspaceError as error:
        raise _workspace_error(error) from None
    return RoomBooking.objects.select_related("room").get(pk=booking.pk)


@router.get(
    "/workspace/allocations",
    response=list[Allocation_],
    summary="Desks and offices given to startups (your startups' ones; all for staff)",
)
@paginate(PageNumberPagination)
def allocation_list(request, startup: QueryId = None, on: Query[date | None] = None):
    user = request.user
    allocations = Allocation.objects.select_related("space").order_by("move_in", "space__code")
    if not can_manage_workspace(user):
        allocations = allocations.filter(startup__memberships__user_id=user.pk)
    if startup is not None:
        allocations = allocations.filter(startup_id=startup)
    if on is not None:
        allocations = allocations.filter(move_in__lte=on, move_out__gte=on)
    return allocations
