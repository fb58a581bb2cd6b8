"""Who may see a startup's benefits and the programme's totals. Every view and endpoint asks here.

- A startup's members see its balances, what is coming and its statement; never another's.
- Programme staff (programme managers, administrators) and finance approvers see every
  startup's statement and the programme's totals.
"""

from nurture.accounts.models import Role
from nurture.startups.models import Startup
from nurture.startups.permissions import is_member


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_ledger_staff(user) -> bool:
    """Those who oversee the programme's money and resources."""
    return _active(user) and (user.is_programme_staff or user.role == Role.FINANCE_APPROVER)


def can_view_programme_totals(user, programme=None) -> bool:
    return is_ledger_staff(user)


def can_view_statement(user, startup: Startup) -> bool:
    return is_ledger_staff(user) or (_active(user) and is_member(user, startup))


def can_export_statement(user, startup: Startup) -> bool:
    return can_view_statement(user, startup)
