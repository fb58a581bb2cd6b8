from django.urls import path

from . import views

app_name = "platforms"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("request/", views.access_request, name="request"),
    path("manage/", views.manage, name="manage"),
    path("manage/access/<int:pk>/provision/", views.provision, name="provision"),
    path("manage/access/<int:pk>/close/", views.close, name="close"),
    path("manage/platforms/", views.platform_list, name="platform_list"),
    path("manage/platforms/<int:pk>/", views.platform_edit, name="platform_edit"),
]
