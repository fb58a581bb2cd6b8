"""Rows for seed funding and deep-learning platform access.

prepare() admits the member's startup to a cohort that started four months ago, draws up its
schedule, has a programme manager (not the world's) request the first tranche, and has the
member ask for a platform account.
"""

from nurture.funding import services as funding
from nurture.platforms import services as platforms
from nurture.platforms.models import Platform
from tests import factories
from tests.funding.conftest import BANK, admitted_application

from . import LOGIN, REDIRECT, roles, signed_in, staff_only


def oversee(code=200):
    """Programme staff and finance approvers."""
    return roles(403, anonymous=LOGIN, finance=code, manager=code, admin=code)


def startup_funding(code=200):
    """The startup's founders, programme staff and finance approvers."""
    return roles(403, anonymous=LOGIN, member=code, finance=code, manager=code, admin=code)


def prepare(world):
    admitted = admitted_application(startup=world.startup)
    requester = factories.ProgrammeManagerFactory()
    tranches = funding.tranche_schedule_create(application=admitted, actor=requester)
    world.admitted = admitted
    world.tranches = tranches
    world.disbursement = funding.disbursement_request(
        tranche=tranches[0], actor=requester, evidence="Signed.", **BANK
    )
    world.platform = Platform.objects.get(slug="alibaba_cloud")
    world.platform_access = platforms.platform_access_request(
        application=admitted, platform=world.platform, actor=world.users["member"]
    )


ROWS = {
    "funding:mine": ("get", lambda w: [], signed_in()),
    "funding:schedule": ("get", lambda w: [w.admitted.pk], startup_funding()),
    "funding:overview": ("get", lambda w: [], oversee()),
    "funding:cohort": ("get", lambda w: [w.admitted.cohort_id], oversee()),
    "funding:schedules_create": (
        "post",
        lambda w: [w.admitted.cohort_id],
        staff_only(REDIRECT),
    ),
    "funding:rules": ("get", lambda w: [w.programme.pk], staff_only()),
    "funding:disbursement_list": ("get", lambda w: [], oversee()),
    "funding:disbursement_create": ("get", lambda w: [w.tranches[1].pk], staff_only()),
    "funding:disbursement_detail": ("get", lambda w: [w.disbursement.pk], startup_funding()),
    # Signing in counts as a recent confirmation; the empty form is then refused as invalid.
    "funding:disbursement_approve": (
        "post",
        lambda w: [w.disbursement.pk],
        roles(403, anonymous=LOGIN, finance=422),
    ),
    "funding:disbursement_reject": (
        "post",
        lambda w: [w.disbursement.pk],
        roles(403, anonymous=LOGIN, finance=422),
    ),
    "platforms:mine": ("get", lambda w: [], signed_in()),
    # The form names the startup; membership and admission are checked then.
    "platforms:request": ("post", lambda w: [], signed_in(REDIRECT)),
    "platforms:manage": ("get", lambda w: [], staff_only()),
    "platforms:provision": ("get", lambda w: [w.platform_access.pk], staff_only()),
    "platforms:close": ("post", lambda w: [w.platform_access.pk], staff_only(REDIRECT)),
    "platforms:platform_list": ("get", lambda w: [], staff_only()),
    "platforms:platform_edit": ("get", lambda w: [w.platform.pk], staff_only()),
}
