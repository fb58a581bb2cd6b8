"""Rows for account security: re-authentication, two-factor authentication.

Signed-in users here come from `force_login`, which (tests/conftest.py) gives staff, reviewers
and finance approvers a device and a session that has passed the code step; founders and
partners have no device.
"""

from . import REDIRECT, signed_in

WITH_DEVICE = ("reviewer", "finance", "manager", "admin")

ROWS = {
    # Anyone signed in may confirm their own password; nobody else's.
    "accounts:reauth": ("get", lambda w: [], signed_in()),
    # Verified sessions go on to `next`; people without a device go to the set-up page.
    "accounts:login_code": ("get", lambda w: [], signed_in(REDIRECT)),
    # Without a device: set one up; with one (verified, recently signed in): replace it.
    "accounts:two_factor_setup": ("get", lambda w: [], signed_in()),
    # New backup codes (shown once, 200) for people with a device; the others are sent back
    # to their profile.
    "accounts:two_factor_backup_codes": (
        "post",
        lambda w: [],
        signed_in(REDIRECT, **dict.fromkeys(WITH_DEVICE, 200)),
    ),
    # Refused with a message for roles that require 2FA; a redirect to the profile for all.
    "accounts:two_factor_off": ("post", lambda w: [], signed_in(REDIRECT)),
}
