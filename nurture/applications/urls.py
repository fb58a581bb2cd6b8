from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.my_applications, name="mine"),
    path("start/", views.application_start, name="start"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/edit/", views.application_edit, name="edit"),
    path("<int:pk>/submit/", views.application_submit, name="submit"),
    path("<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("<int:pk>/reopen/", views.application_reopen, name="reopen"),
    path("<int:pk>/pitch-deck/", views.pitch_deck_download, name="pitch_deck"),
]
