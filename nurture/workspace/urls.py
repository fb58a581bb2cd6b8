from django.urls import path

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("startups/<int:pk>/", views.startup_workspace, name="startup"),
    path("startups/<int:pk>/book/", views.room_book, name="book"),
    path("startups/<int:pk>/calendar.ics", views.startup_ics, name="startup_ics"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/booking.ics", views.booking_ics, name="booking_ics"),
    path("rooms/", views.rooms, name="rooms"),
    path("manage/floor/", views.floor, name="floor"),
    path("manage/spaces/", views.spaces, name="spaces"),
    path("manage/spaces/new/", views.space_edit, name="space_new"),
    path("manage/spaces/<int:pk>/", views.space_edit, name="space_edit"),
    path("manage/startups/<int:pk>/allocate/", views.allocate, name="allocate"),
    path(
        "manage/allocations/<int:pk>/move-out/",
        views.allocation_move_out,
        name="allocation_move_out",
    ),
    path(
        "manage/allocations/<int:pk>/withdraw/",
        views.allocation_withdraw,
        name="allocation_withdraw",
    ),
]
