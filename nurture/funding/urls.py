from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("applications/<int:pk>/", views.schedule, name="schedule"),
    path("manage/", views.overview, name="overview"),
    path("manage/cohorts/<int:pk>/", views.cohort, name="cohort"),
    path("manage/cohorts/<int:pk>/schedules/", views.schedules_create, name="schedules_create"),
    path("manage/programmes/<int:pk>/tranches/", views.rules, name="rules"),
    path("disbursements/", views.disbursement_list, name="disbursement_list"),
    path("tranches/<int:pk>/request/", views.disbursement_create, name="disbursement_create"),
    path("disbursements/<int:pk>/", views.disbursement_detail, name="disbursement_detail"),
    path(
        "disbursements/<int:pk>/approve/", views.disbursement_approve, name="disbursement_approve"
    ),
    path("disbursements/<int:pk>/reject/", views.disbursement_reject, name="disbursement_reject"),
]
