"""Rows for the benefits ledger's pages: My benefits, statements and their downloads, totals."""

from . import LOGIN, roles, signed_in

# Programme staff and finance approvers oversee every startup's benefits.
LEDGER_STAFF = {"finance": 200, "manager": 200, "admin": 200}

ROWS = {
    # Anyone signed in has a "My benefits" page; it shows only their own startups.
    "resources:mine": ("get", lambda w: [], signed_in()),
    "resources:totals": ("get", lambda w: [], roles(403, anonymous=LOGIN, **LEDGER_STAFF)),
    "resources:statement": (
        "get",
        lambda w: [w.startup.pk],
        roles(403, anonymous=LOGIN, member=200, **LEDGER_STAFF),
    ),
    "resources:statement_export": (
        "get",
        lambda w: [w.startup.pk, "csv"],
        roles(403, anonymous=LOGIN, member=200, **LEDGER_STAFF),
    ),
}
