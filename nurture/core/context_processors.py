from django.conf import settings


def site(request):
    return {"SITE_NAME": "Nurture", "MAX_UPLOAD_MB": settings.MAX_UPLOAD_MB}
