"""Who may read the audit log: programme staff (programme managers and administrators)."""


def can_view_audit_log(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_programme_staff)


def can_export_audit_log(user) -> bool:
    return can_view_audit_log(user)
