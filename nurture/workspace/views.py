"""Founders' workspace pages (their desks, meeting-room bookings, calendars) and programme
staff's floor plan, spaces and allocations.

Every view asks `permissions` first (object-level for a startup's pages and bookings),
validates input with a form and calls `services`; refusals come back as form errors.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nurture.core import ics as core_ics
from nurture.core.permissions import require, role_required
from nurture.startups.models import Startup

from . import ics, selectors, services
from .forms import (
    AllocationForm,
    DayForm,
    MoveOutForm,
    ProposalDatesForm,
    RoomBookingForm,
    SpaceForm,
)
from .models import Allocation, RoomBooking, Space
from .permissions import (
    can_book_rooms,
    can_cancel_booking,
    can_manage_workspace,
    can_view_booking,
    can_view_rooms,
    can_view_workspace,
)

staff_required = role_required(can_manage_workspace)


def _form_error(form, error: services.WorkspaceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _day_links(day) -> dict:
    return {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "today": timezone.localdate(),
    }


# --- Founders ---------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    """My workspace: the founder's startup page, or a choice when they have several."""
    user = request.user
    if can_manage_workspace(user):
        return redirect("workspace:floor")
    startups = list(Startup.objects.filter(memberships__user_id=user.pk).order_by("name"))
    require(user.is_founder or bool(startups))
    if len(startups) == 1:
        return redirect("workspace:startup", pk=startups[0].pk)
    return render(request, "workspace/mine.html", {"startups": startups})


@login_required
@require_GET
def startup_workspace(request, pk):
    startup = get_object_or_404(Startup, pk=pk)
    require(can_view_workspace(request.user, startup))
    current, past = selectors.startup_allocations(startup)
    coming, history = selectors.startup_bookings(startup)
    today = timezone.localdate()
    return render(
        request,
        "workspace/startup.html",
        {
            "startup": startup,
            "allocations": current,
            "past_allocations": past,
            "bookings": coming,
            "history": history,
            "in_lab_today": any(a.covers(today) for a in current),
            "can_book": can_book_rooms(request.user, startup) and bool(current),
            "is_staff_view": can_manage_workspace(request.user),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def room_book(request, pk):
    startup = get_object_or_404(Startup, pk=pk)
    require(can_book_rooms(request.user, startup))
    if request.method == "POST":
        form = RoomBookingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = services.room_book(
                    actor=request.user,
                    room=data["room"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    title=data["title"],
                    startup=startup,
                )
            except services.WorkspaceError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(room)s is booked. Add it to your calendar with the .ics file.")
                    % {"room": booking.room.code},
                )
                return redirect("workspace:startup", pk=startup.pk)
    else:
        initial = {"day": timezone.localdate() + timedelta(days=1)}
        if request.GET.get("room", "").isdigit():
            initial["room"] = request.GET["room"]
        day = DayForm(request.GET)
        if request.GET.get("date") and day.is_valid():
            initial["day"] = day.day()
        form = RoomBookingForm(initial=initial)
    if form.is_bound:
        calendar_day = DayForm({"date": form.data.get("day")}).day()
    else:
        calendar_day = form.initial["day"]
    hours, rooms = selectors.room_days(calendar_day)
    return render(
        request,
        "workspace/book.html",
        {"startup": startup, "form": form, "hours": hours, "rooms": rooms, "day": calendar_day},
    )


@login_required
@require_POST
def booking_cancel(request, pk):
    booking = get_object_or_404(RoomBooking.objects.select_related("startup", "room"), pk=pk)
    if not can_view_booking(request.user, booking):
        raise Http404
    require(can_cancel_booking(request.user, booking))
    try:
        services.room_cancel(actor=request.user, booking=booking)
    except services.WorkspaceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The booking is cancelled."))
    if booking.startup_id and not can_manage_workspace(request.user):
        return redirect("workspace:startup", pk=booking.startup_id)
    return redirect(
        f"{reverse('workspace:rooms')}?date={timezone.localdate(booking.starts_at).isoformat()}"
    )


@login_required
@require_GET
def booking_ics(request, pk):
    booking = get_object_or_404(RoomBooking.objects.select_related("startup", "room"), pk=pk)
    if not can_view_booking(request.user, booking):
        raise Http404
    cal = ics.bookings_calendar([booking], name=_("Meeting-room booking"))
    return core_ics.response(cal, f"room-booking-{booking.pk}.ics")


@login_required
@require_GET
def startup_ics(request, pk):
    """All of a startup's coming bookings, and its move-in and move-out days, in one file."""
    startup = get_object_or_404(Startup, pk=pk)
    require(can_view_workspace(request.user, startup))
    coming, _history = selectors.startup_bookings(startup)
    current, _past = selectors.startup_allocations(startup)
    cal = ics.bookings_calendar(
        coming, current, name=_("%(startup)s at the Lab") % {"startup": startup.name}
    )
    return core_ics.response(cal, f"workspace-{startup.pk}.ics")


@login_required
@require_GET
def rooms(request):
    """A day of the meeting rooms: who has which room when (names only for one's own startup,
    or for staff)."""
    require(can_view_rooms(request.user))
    day = DayForm(request.GET).day()
    hours, days = selectors.room_days(day)
    own = set(
        Startup.objects.filter(memberships__user_id=request.user.pk).values_list("pk", flat=True)
    )
    bookable = list(
        Startup.objects.filter(pk__in=own, space_allocations__move_in__lte=day)
        .filter(space_allocations__move_out__gte=day)
        .distinct()
        .order_by("name")
    )
    context = {
        **_day_links(day),
        "hours": hours,
        "rooms": days,
        "own_startups": own,
        "bookable": bookable,
        "is_staff_view": can_manage_workspace(request.user),
    }
    template = "workspace/_rooms_day.html" if request.htmx else "workspace/rooms.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Staff -----------------------------------------------------------------------------------


@staff_required
@require_GET
def floor(request):
    day = DayForm(request.GET).day()
    plan = selectors.floor_plan(day)
    context = {
        **_day_links(day),
        "floor": plan,
        "to_place": list(selectors.startups_to_place(day)),
    }
    template = "workspace/_floor.html" if request.htmx else "workspace/floor.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@staff_required
@require_GET
def spaces(request):
    return render(
        request,
        "workspace/spaces.html",
        {"spaces": Space.objects.order_by("kind", "code")},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def space_edit(request, pk=None):
    space = get_object_or_404(Space, pk=pk) if pk else None
    form = SpaceForm(request.POST or None, instance=space)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.SPACE_FIELDS}
        try:
            saved = services.space_save(actor=request.user, space=space, data=data)
        except services.WorkspaceError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(space)s is saved.") % {"space": saved.code})
            return redirect("workspace:spaces")
    return render(request, "workspace/space_form.html", {"form": form, "space": space})


@staff_required
@require_http_methods(["GET", "POST"])
def allocate(request, pk):
    """Give a startup desks or an office: proposes spaces sized to its team, free for its
    cohort's programme dates; the manager adjusts and confirms."""
    startup = get_object_or_404(Startup, pk=pk)
    today = timezone.localdate()
    cohort = selectors.admitted_cohort(startup, today)
    move_in = max(cohort.starts_on, today) if cohort else today
    move_out = cohort.ends_on if cohort else today + timedelta(days=182)
    # "Show what is free" posts the dates only: propose again for them, give nothing yet.
    proposing = request.method == "POST" and request.POST.get("action") == "propose"
    dates = ProposalDatesForm(request.POST if proposing else request.GET)
    if (proposing or request.method == "GET") and dates.is_valid():
        move_in = dates.cleaned_data.get("move_in") or move_in
        move_out = max(dates.cleaned_data.get("move_out") or move_out, move_in)
    form = None
    if request.method == "POST" and not proposing:
        form = AllocationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.allocation_create(
                    actor=request.user,
                    startup=startup,
                    spaces=list(data["spaces"]),
                    move_in=data["move_in"],
                    move_out=data["move_out"],
                    cohort=cohort,
                    note=data["note"],
                )
            except services.WorkspaceError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request, _("%(startup)s has its space.") % {"startup": startup.name}
                )
                day = data["move_in"].isoformat()
                return redirect(f"{reverse('workspace:floor')}?date={day}")
        move_in = form.cleaned_data.get("move_in", move_in)
        move_out = form.cleaned_data.get("move_out", move_out)
    proposal = services.allocation_propose(
        startup=startup, move_in=move_in, move_out=move_out, cohort=cohort
    )
    free = services.free_spaces(move_in, move_out)
    if form is None:
        form = AllocationForm(
            initial={
                "spaces": [s.pk for s in proposal.spaces],
                "move_in": move_in,
                "move_out": move_out,
            },
            free=free,
        )
    current, _past = selectors.startup_allocations(startup)
    return render(
        request,
        "workspace/allocate.html",
        {
            "startup": startup,
            "cohort": cohort,
            "form": form,
            "proposal": proposal,
            "free": free,
            "allocations": current,
        },
    )


@staff_required
@require_POST
def allocation_move_out(request, pk):
    allocation = get_object_or_404(Allocation.objects.select_related("space", "startup"), pk=pk)
    form = MoveOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid move-out day."))
    else:
        try:
            services.allocation_change_move_out(
                actor=request.user, allocation=allocation, move_out=form.cleaned_data["move_out"]
            )
        except services.WorkspaceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The move-out day is changed."))
    return redirect("workspace:startup", pk=allocation.startup_id)


@staff_required
@require_POST
def allocation_withdraw(request, pk):
    allocation = get_object_or_404(Allocation.objects.select_related("space", "startup"), pk=pk)
    try:
        services.allocation_delete(actor=request.user, allocation=allocation)
    except services.WorkspaceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The allocation is withdrawn."))
    return redirect("workspace:startup", pk=allocation.startup_id)
