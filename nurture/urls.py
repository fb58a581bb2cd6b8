from django.contrib import admin
from django.urls import include, path

from nurture.api.api import api

urlpatterns = [
    path("", include("nurture.core.urls")),
    path("accounts/", include("nurture.accounts.urls")),
    path("privacy/", include("nurture.privacy.urls")),
    path("startups/", include("nurture.startups.urls")),
    path("applications/", include("nurture.applications.urls")),
    path("manage/", include("nurture.programmes.urls")),
    path("funding/", include("nurture.funding.urls")),
    path("platforms/", include("nurture.platforms.urls")),
    path("manage/audit/", include("nurture.audit.urls")),
    path("compute/", include("nurture.compute.urls")),
    path("workspace/", include("nurture.workspace.urls")),
    path("benefits/", include("nurture.resources.urls")),
    path("", include("nurture.reviewers.urls")),
    path("", include("nurture.reviews.urls")),
    path("", include("nurture.selection.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
