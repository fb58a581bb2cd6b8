"""Who may see and change a startup. Every view and API endpoint asks here."""

from .models import Startup


def is_member(user, startup: Startup) -> bool:
    if not user.is_authenticated:
        return False
    return startup.memberships.filter(user_id=user.pk).exists()


def can_view_startup(user, startup: Startup) -> bool:
    return user.is_authenticated and (user.is_programme_staff or is_member(user, startup))


def can_edit_startup(user, startup: Startup) -> bool:
    return user.is_authenticated and user.is_active and is_member(user, startup)


def startups_visible_to(user):
    if not user.is_authenticated:
        return Startup.objects.none()
    if user.is_programme_staff:
        return Startup.objects.all()
    return Startup.objects.filter(memberships__user_id=user.pk)
