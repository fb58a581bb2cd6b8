from django.urls import path

from . import views

app_name = "selection"
urlpatterns = [
    path("manage/selection/cohorts/<int:pk>/", views.cohort_selection, name="cohort"),
    path("manage/selection/cohorts/<int:pk>/settings/", views.settings_edit, name="settings"),
    path("manage/selection/cohorts/<int:pk>/shortlist/", views.shortlist, name="shortlist"),
    path("manage/selection/cohorts/<int:pk>/propose/", views.proposal_run, name="proposal_run"),
    path("manage/selection/cohorts/<int:pk>/send/", views.decisions_send, name="send"),
    path("manage/selection/rounds/<int:pk>/calibration/", views.calibration, name="calibration"),
    path("manage/selection/cohorts/<int:pk>/mark/", views.mark, name="mark"),
    path("manage/selection/proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("manage/selection/proposals/<int:pk>/decide/", views.decide, name="decide"),
    path(
        "manage/selection/proposals/<int:pk>/offer/",
        views.replacement_confirm,
        name="replacement_confirm",
    ),
    path("applications/<int:pk>/offer/", views.offer_respond, name="offer"),
]
