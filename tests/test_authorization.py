"""Every web URL × every role: allowed or refused as it should be.

The table below must name every URL the project serves (the Django admin and the REST API
have their own tests); a new URL without a row fails `test_every_url_is_in_the_matrix`.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from nurture.accounts.models import ApiToken
from nurture.startups.models import Invitation
from tests import factories

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


@dataclass
class World:
    users: dict
    application: object
    other_application: object
    startup: object
    cohort: object
    programme: object
    invitation: object
    member_token: object


@pytest.fixture
def world(db):
    application = factories.submitted()
    startup = application.startup
    member = startup.members.get()
    other_application = factories.submitted()
    users = {
        "anonymous": None,
        "member": member,
        "other_founder": other_application.startup.members.get(),
        "reviewer": factories.ReviewerFactory(),
        "finance": factories.FinanceApproverFactory(),
        "partner": factories.PartnerFactory(),
        "manager": factories.ProgrammeManagerFactory(),
        "admin": factories.AdministratorFactory(),
    }
    invitation = Invitation.objects.create(
        startup=startup, email="invitee@example.com", invited_by=member
    )
    token = ApiToken.objects.create(
        user=member, name="t", prefix="x", key_hash=ApiToken.hash_key("secret")
    )
    return World(
        users=users,
        application=application,
        other_application=other_application,
        startup=startup,
        cohort=application.cohort,
        programme=application.cohort.programme,
        invitation=invitation,
        member_token=token,
    )


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


# name: (method, args(world), expected per role)
MATRIX = {
    "core:home": ("get", lambda w: [], public(200, **dict.fromkeys(ROLES[1:], REDIRECT))),
    "core:calls": ("get", lambda w: [], public()),
    "core:dashboard": ("get", lambda w: [], signed_in()),
    "core:healthz": ("get", lambda w: [], public()),
    # Exists only while a benchmark runs (BENCH_BARE_PAGE); otherwise a 404 for everyone.
    "core:bench_bare": ("get", lambda w: [], public(404)),
    "accounts:signup": ("get", lambda w: [], public(200, **dict.fromkeys(ROLES[1:], REDIRECT))),
    "accounts:verify": ("get", lambda w: ["bad-token"], public()),
    "accounts:resend_verification": ("get", lambda w: [], public()),
    "accounts:login": ("get", lambda w: [], public(200, **dict.fromkeys(ROLES[1:], REDIRECT))),
    "accounts:logout": ("post", lambda w: [], public(REDIRECT)),
    "accounts:profile": ("get", lambda w: [], signed_in()),
    "accounts:tokens": ("get", lambda w: [], signed_in()),
    # Only the token's owner finds it; anyone else gets a 404, as if it did not exist.
    "accounts:token_revoke": (
        "post",
        lambda w: [w.member_token.pk],
        signed_in(404, member=REDIRECT),
    ),
    "accounts:password_reset": ("get", lambda w: [], public()),
    "accounts:password_reset_done": ("get", lambda w: [], public()),
    "accounts:password_reset_confirm": ("get", reset_args, public(REDIRECT)),
    "privacy:notice": ("get", lambda w: ["collection"], public()),
    "startups:create": ("get", lambda w: [], founders_only()),
    "startups:detail": ("get", lambda w: [w.startup.pk], team_only(staff=200)),
    "startups:edit": ("get", lambda w: [w.startup.pk], team_only()),
    "startups:invite": ("post", lambda w: [w.startup.pk], team_only(member=REDIRECT)),
    "startups:invitation_revoke": (
        "post",
        lambda w: [w.startup.pk, w.invitation.pk],
        team_only(member=REDIRECT),
    ),
    # Anyone signed in may open an invitation link; it only works for the invited address.
    "startups:invitation": ("get", lambda w: [w.invitation.token], signed_in()),
    "applications:mine": ("get", lambda w: [], signed_in()),
    "applications:start": (
        "post",
        lambda w: [],
        signed_in(REDIRECT),  # the form names the startup; membership is checked then
    ),
    "applications:detail": (
        "get",
        lambda w: [w.application.pk],
        team_only(member=200, staff=REDIRECT),
    ),
    "applications:edit": ("get", lambda w: [w.application.pk], team_only(member=REDIRECT)),
    "applications:submit": ("post", lambda w: [w.application.pk], team_only(member=REDIRECT)),
    "applications:withdraw": ("post", lambda w: [w.application.pk], team_only(member=REDIRECT)),
    "applications:reopen": ("post", lambda w: [w.application.pk], team_only(member=REDIRECT)),
    "applications:pitch_deck": ("get", lambda w: [w.application.pk], team_only(staff=200)),
    "programmes:programme_list": ("get", lambda w: [], staff_only()),
    "programmes:programme_edit": ("get", lambda w: [w.programme.pk], staff_only()),
    "programmes:cohort_list": ("get", lambda w: [], staff_only()),
    "programmes:cohort_create": ("get", lambda w: [], staff_only()),
    "programmes:cohort_edit": ("get", lambda w: [w.cohort.pk], staff_only()),
    "programmes:application_list": ("get", lambda w: [w.cohort.pk], staff_only()),
    "programmes:application_export": ("get", lambda w: [w.cohort.pk, "csv"], staff_only()),
    "programmes:application_detail": ("get", lambda w: [w.application.pk], staff_only()),
    "audit:list": ("get", lambda w: [], staff_only()),
    "audit:export": ("get", lambda w: [], staff_only()),
}


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in SKIPPED_NAMES:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix():
    assert sorted(set(url_names()) - set(MATRIX)) == []
    assert sorted(set(MATRIX) - set(url_names())) == []


def check(client, world, name, role):
    method, args, expected = MATRIX[name]
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=args(world))
    response = getattr(client, method)(url)
    outcome = expected[role]
    if outcome == LOGIN:
        assert response.status_code == 302, (name, role, response.status_code)
        assert response.url.startswith(reverse("accounts:login")), (name, role, response.url)
    elif outcome == REDIRECT:
        assert response.status_code == 302, (name, role, response.status_code)
        assert not response.url.startswith(reverse("accounts:login")), (name, role, response.url)
    else:
        assert response.status_code == outcome, (name, role, response.status_code)
    if hasattr(response, "close"):
        response.close()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_what_it_should(client, world, name, role):
    check(client, world, name, role)


@pytest.mark.parametrize(
    "name",
    [
        "applications:detail",
        "applications:edit",
        "applications:pitch_deck",
        "applications:submit",
        "applications:withdraw",
    ],
)
def test_a_founder_never_reaches_another_startups_application(client, world, name):
    method = MATRIX[name][0]
    client.force_login(world.users["member"])
    response = getattr(client, method)(reverse(name, args=[world.other_application.pk]))
    assert response.status_code == 403
