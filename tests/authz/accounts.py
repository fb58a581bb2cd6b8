"""Rows for account security: re-authentication, two-factor authentication."""

from . import signed_in

ROWS = {
    # Anyone signed in may confirm their own password; nobody else's.
    "accounts:reauth": ("get", lambda w: [], signed_in()),
}
