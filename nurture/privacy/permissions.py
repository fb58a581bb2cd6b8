"""Who may do what with personal-data requests and marketing messages.

Programme staff (programme managers and administrators) handle requests and marketing; a
person sees only their own requests and alone downloads their own export.
"""

from nurture.core.permissions import role_required

from .models import DataRequest, RequestKind


def is_privacy_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_programme_staff)


def can_manage_marketing(user) -> bool:
    return is_privacy_staff(user)


def can_handle_requests(user) -> bool:
    return is_privacy_staff(user)


def can_view_retention(user) -> bool:
    return is_privacy_staff(user)


def can_make_request(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_view_request(user, request: DataRequest) -> bool:
    return request.user_id == user.pk or can_handle_requests(user)


def can_download_export(user, request: DataRequest) -> bool:
    # Only the person: staff build the export but have no reason to read it.
    return (
        user.is_authenticated
        and request.user_id == user.pk
        and request.kind == RequestKind.ACCESS
        and request.export_ready
    )


staff_required = role_required(is_privacy_staff)
