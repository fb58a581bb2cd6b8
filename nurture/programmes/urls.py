from django.urls import path

from . import views

app_name = "programmes"
urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", views.programme_edit, name="programme_edit"),
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/applications/", views.application_list, name="application_list"),
    path(
        "cohorts/<int:pk>/applications/export.<str:fmt>",
        views.application_export,
        name="application_export",
    ),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
]
