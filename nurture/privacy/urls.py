from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("notices/<str:kind>/", views.notice, name="notice"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/<int:pk>/export/", views.export_download, name="export_download"),
    path("manage/requests/", views.request_queue, name="request_queue"),
    path("manage/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("manage/requests/<int:pk>/export/", views.request_export, name="request_export"),
    path("manage/requests/<int:pk>/apply/", views.request_apply, name="request_apply"),
    path("manage/requests/<int:pk>/refuse/", views.request_refuse, name="request_refuse"),
    path("manage/marketing/", views.marketing_list, name="marketing_list"),
    path("manage/marketing/new/", views.marketing_create, name="marketing_create"),
    path("manage/marketing/<int:pk>/", views.marketing_detail, name="marketing_detail"),
    path("manage/marketing/<int:pk>/send/", views.marketing_send, name="marketing_send"),
    path("manage/retention/", views.retention_overview, name="retention"),
]
