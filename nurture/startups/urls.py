from django.urls import path

from . import views

app_name = "startups"
urlpatterns = [
    path("new/", views.startup_create, name="create"),
    path("<int:pk>/", views.startup_detail, name="detail"),
    path("<int:pk>/edit/", views.startup_edit, name="edit"),
    path("<int:pk>/invite/", views.invitation_create, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
]
