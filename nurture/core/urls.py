from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("calls/", views.calls, name="calls"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("bench/bare/", views.bench_bare, name="bench_bare"),
]
