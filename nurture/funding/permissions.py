"""Who may see and do what with seed funding. Every view and API endpoint asks here.

- Programme staff (programme managers, administrators) configure tranches, draw up
  schedules and request disbursements.
- Finance approvers approve or reject requests, never one they requested themselves.
- A startup's founders see its schedule and what was paid (not the bank details).
"""

from nurture.accounts.models import Role
from nurture.startups.permissions import is_member

from .models import Disbursement, DisbursementStatus, Tranche


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_programme_staff(user) -> bool:
    return _active(user) and user.is_programme_staff


def is_finance_approver(user) -> bool:
    return _active(user) and user.role == Role.FINANCE_APPROVER


def can_oversee_funding(user) -> bool:
    """The lists of schedules and requests: staff who request, finance who decide."""
    return is_programme_staff(user) or is_finance_approver(user)


def can_edit_tranche_rules(user, programme=None) -> bool:
    return is_programme_staff(user)


def can_draw_up_schedules(user, cohort=None) -> bool:
    return is_programme_staff(user)


def can_view_schedule(user, application) -> bool:
    return can_oversee_funding(user) or (_active(user) and is_member(user, application.startup))


def can_request_disbursement(user, tranche: Tranche | None = None) -> bool:
    return is_programme_staff(user)


def can_decide_disbursement(user, disbursement: Disbursement) -> bool:
    """A finance approver who did not request it (four eyes), while it waits."""
    return (
        is_finance_approver(user)
        and disbursement.requested_by_id != user.pk
        and disbursement.status == DisbursementStatus.PENDING
    )


def can_view_disbursement(user, disbursement: Disbursement) -> bool:
    return can_oversee_funding(user) or (
        _active(user) and is_member(user, disbursement.tranche.application.startup)
    )


def can_view_bank_details(user, disbursement: Disbursement) -> bool:
    return can_oversee_funding(user)
