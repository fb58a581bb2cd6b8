"""Who may see and change an application. Views, downloads and the API all ask here."""

from nurture.startups.permissions import is_member

from .models import Application


def can_view_application(user, application: Application) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_programme_staff or is_member(user, application.startup)


def can_edit_application(user, application: Application) -> bool:
    return user.is_authenticated and user.is_active and is_member(user, application.startup)


def can_manage_applications(user) -> bool:
    return user.is_authenticated and user.is_programme_staff


def applications_visible_to(user):
    if not (user.is_authenticated and user.is_active):
        return Application.objects.none()
    if user.is_programme_staff:
        return Application.objects.all()
    return Application.objects.filter(startup__memberships__user_id=user.pk)
