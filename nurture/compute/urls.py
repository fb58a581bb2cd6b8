from django.urls import path

from . import views

app_name = "compute"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("startups/<int:pk>/", views.startup_compute, name="startup"),
    path("startups/<int:pk>/book/", views.booking_new, name="book"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/booking.ics", views.booking_ics, name="booking_ics"),
    path("availability/", views.availability, name="availability"),
    path("manage/", views.inventory, name="inventory"),
    path("manage/quotas/", views.quotas, name="quotas"),
    path("manage/startups/<int:pk>/", views.startup_manage, name="startup_manage"),
    path("manage/imports/slurm/", views.slurm_upload, name="slurm_import"),
    path("manage/imports/billing/", views.billing_upload, name="billing_import"),
    path("manage/imports/<int:pk>/", views.import_job, name="import_job"),
    path("manage/exports/sacctmgr.sh", views.export_sacctmgr, name="export_sacctmgr"),
    path(
        "manage/exports/resourcequota.yaml",
        views.export_resourcequota,
        name="export_resourcequota",
    ),
    # After the fixed paths above, so that "startups" is never taken for a kind.
    path("manage/<str:kind>/new/", views.inventory_edit, name="inventory_new"),
    path("manage/<str:kind>/<int:pk>/", views.inventory_edit, name="inventory_edit"),
]
