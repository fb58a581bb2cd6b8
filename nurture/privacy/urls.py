from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [path("notices/<str:kind>/", views.notice, name="notice")]
