from django.urls import path

from . import views

app_name = "resources"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("totals/", views.totals, name="totals"),
    path("startups/<int:pk>/statement/", views.statement, name="statement"),
    path("startups/<int:pk>/statement.<str:fmt>", views.statement_export, name="statement_export"),
]
