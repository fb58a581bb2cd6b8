"""Reads of platform access."""

from django.utils import timezone

from .models import AccessStatus, PlatformAccess


def staff_todo() -> dict[str, int]:
    """Requests to provision and accounts to revoke (two queries)."""
    return {
        "to_provision": PlatformAccess.objects.filter(status=AccessStatus.REQUESTED).count(),
        "to_revoke": PlatformAccess.objects.filter(
            status=AccessStatus.PROVISIONED, ends_on__lt=timezone.localdate()
        ).count(),
    }
