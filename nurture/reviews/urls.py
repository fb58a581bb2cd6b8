"""Included at the site's root: reviewers' pages under reviews/, staff pages under manage/."""

from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("reviews/", views.my_assignments, name="mine"),
    path("reviews/assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("reviews/assignments/<int:pk>/save/", views.review_save, name="save"),
    path("reviews/assignments/<int:pk>/pitch-deck/", views.pitch_deck_download, name="pitch_deck"),
    path("reviews/panel/<int:pk>/", views.panel, name="panel"),
    path("reviews/panel/score/<int:pk>/", views.panel_score, name="panel_score"),
    path("reviews/panel/score/<int:pk>/tap/", views.panel_tap, name="panel_tap"),
    path("manage/reviews/", views.round_list, name="rounds"),
    path("manage/reviews/rounds/<int:pk>/", views.round_detail, name="round"),
    path(
        "manage/reviews/rounds/<int:pk>/applications/<int:application_pk>/",
        views.round_application,
        name="round_application",
    ),
    path("manage/reviews/rounds/<int:pk>/export.csv", views.round_export, name="round_export"),
    path("manage/reviews/reviews/<int:pk>/reopen/", views.review_reopen, name="review_reopen"),
    path("manage/programmes/<int:pk>/rubric/", views.rubric, name="rubric"),
    path("manage/programmes/<int:pk>/rubric/new/", views.criterion_create, name="criterion_create"),
    path("manage/rubric/criteria/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path(
        "manage/rubric/criteria/<int:pk>/active/", views.criterion_toggle, name="criterion_toggle"
    ),
]
