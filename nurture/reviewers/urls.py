from django.urls import path

from . import views

app_name = "reviewers"
urlpatterns = [
    # The reviewer's own pages.
    path("reviewers/profile/", views.profile, name="profile"),
    path("reviewers/bidding/", views.bidding, name="bidding"),
    path("reviewers/rounds/<int:pk>/bids/", views.bids, name="bids"),
    path("reviewers/rounds/<int:pk>/bids/<int:application_pk>/", views.bid, name="bid"),
    path(
        "reviewers/rounds/<int:pk>/conflict/<int:application_pk>/",
        views.declare,
        name="declare",
    ),
    path("reviewers/assigned/", views.assigned, name="assigned"),
    path(
        "reviewers/assignments/<int:pk>/conflict/",
        views.declare_assigned,
        name="declare_assigned",
    ),
    # The programme manager's.
    path("manage/reviewers/", views.manage_list, name="manage_list"),
    path("manage/reviewers/new/", views.manage_invite, name="manage_invite"),
    path("manage/reviewers/<int:pk>/", views.manage_edit, name="manage_edit"),
    path("manage/reviewers/<int:pk>/active/", views.manage_active, name="manage_active"),
    path("manage/conflicts/", views.conflict_list, name="conflict_list"),
    path("manage/conflicts/new/", views.conflict_create, name="conflict_create"),
    path("manage/conflicts/<int:pk>/lift/", views.conflict_lift, name="conflict_lift"),
    path("manage/cohorts/<int:pk>/review/", views.cohort_rounds, name="cohort_rounds"),
    path("manage/cohorts/<int:pk>/review/<str:kind>/new/", views.round_create, name="round_create"),
    path("manage/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("manage/rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("manage/rounds/<int:pk>/run/", views.run_start, name="run_start"),
    path("manage/rounds/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("manage/rounds/<int:pk>/panel/", views.panel_assign, name="panel_assign"),
    path(
        "manage/rounds/<int:pk>/applications/<int:application_pk>/add/",
        views.pair_add,
        name="pair_add",
    ),
    path("manage/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("manage/assignments/<int:pk>/remove/", views.pair_remove, name="pair_remove"),
    path("manage/assignments/<int:pk>/swap/", views.pair_swap, name="pair_swap"),
]
