"""The role-permission matrix for every web URL, one module per area.

Each module in this package defines ROWS, a dict of URL name -> (method, args(world),
expected outcome per role), and may define prepare(world) to add the objects its rows need
to the shared world (a SimpleNamespace). tests/test_authorization.py merges them all and
fails for any URL without a row.
"""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

ROLES = (
    "anonymous",
    "member",
    "other_founder",
    "reviewer",
    "finance",
    "partner",
    "manager",
    "admin",
)
STAFF = ("manager", "admin")
NON_STAFF_USERS = ("member", "other_founder", "reviewer", "finance", "partner")
LOGIN = "login"  # a redirect to the sign-in page
REDIRECT = "redirect"  # any other redirect

# URL namespaces covered elsewhere: the Django admin (Django's own checks) and the API
# (tests/api walks every endpoint × role).
SKIPPED_NAMESPACES = {"admin", "api"}
SKIPPED_NAMES = {"set_language"}


def roles(default, **overrides):
    expected = dict.fromkeys(ROLES, default)
    for role, code in overrides.items():
        expected[role] = code
    return expected


def public(code=200, **overrides):
    return roles(code, **overrides)


def signed_in(code=200, **overrides):
    return roles(code, anonymous=LOGIN, **overrides)


def staff_only(code=200):
    return roles(403, anonymous=LOGIN, manager=code, admin=code)


def team_only(member=200, staff=403):
    return roles(403, anonymous=LOGIN, member=member, manager=staff, admin=staff)


def founders_only(code=200):
    return roles(403, anonymous=LOGIN, member=code, other_founder=code)


def reset_args(w):
    user = w.users["member"]
    return [urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)]
