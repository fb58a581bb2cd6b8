"""The benefits ledger: rows for tests/api/test_permissions.py."""

ROLES = (
    "anonymous",
    "founder",
    "other_founder",
    "reviewer",
    "finance_approver",
    "partner",
    "programme_manager",
    "administrator",
)


def _expect(default, **codes):
    return {**dict.fromkeys(ROLES, default), "anonymous": 401, **codes}


# The startup's members, programme staff and finance; anyone else is told it does not exist.
OWN_OR_LEDGER_STAFF = _expect(
    404, founder=200, finance_approver=200, programme_manager=200, administrator=200
)
LEDGER_STAFF = _expect(403, finance_approver=200, programme_manager=200, administrator=200)

ENDPOINTS = {
    "benefit balances": (
        lambda api, w: api.get(f"/benefits/startups/{w['startup'].pk}/balances"),
        OWN_OR_LEDGER_STAFF,
    ),
    "benefit statement": (
        lambda api, w: api.get(f"/benefits/startups/{w['startup'].pk}/statement"),
        OWN_OR_LEDGER_STAFF,
    ),
    "benefit totals": (
        lambda api, w: api.get(f"/benefits/programmes/{w['cohort'].programme_id}/totals"),
        LEDGER_STAFF,
    ),
}
