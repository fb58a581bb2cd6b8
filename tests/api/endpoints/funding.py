"""Seed funding and platform access: rows for tests/api/test_permissions.py.

The world gains an admitted startup (the founder's), its schedule, a pending request made by
another programme manager, and a requested platform account.
"""

from nurture.funding import services as funding
from nurture.platforms import services as platforms
from nurture.platforms.models import Platform
from tests import factories
from tests.funding.conftest import BANK, admitted_application

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


# The startup's founders, programme staff and finance read its seed funding.
FUNDING_READ = _expect(
    404, founder=200, finance_approver=200, programme_manager=200, administrator=200
)
STAFF_CREATE = _expect(403, programme_manager=201, administrator=201)
# Finance decides; those who can see the request but may not decide get 403, others 404.
DECIDE = _expect(404, founder=403, finance_approver=200, programme_manager=403, administrator=403)
SIGNED_IN = _expect(200)
PLATFORM_REQUEST = _expect(404, founder=201)
PLATFORM_STAFF = _expect(404, founder=403, programme_manager=200, administrator=200)


def prepare(world):
    startup = world["startup"]
    admitted = admitted_application(startup=startup)
    requester = factories.ProgrammeManagerFactory()
    tranches = funding.tranche_schedule_create(application=admitted, actor=requester)
    world["admitted"] = admitted
    world["tranches"] = tranches
    world["disbursement"] = funding.disbursement_request(
        tranche=tranches[0], actor=requester, evidence="Signed.", **BANK
    )
    founder = world["users"]["founder"]
    platform = Platform.objects.get(slug="sensetime")
    world["platform_access"] = platforms.platform_access_request(
        application=admitted, platform=platform, actor=founder
    )


ENDPOINTS = {
    "funding schedule": (
        lambda api, w: api.get(f"/funding/startups/{w['startup'].pk}/schedule"),
        FUNDING_READ,
    ),
    "disbursement list": (lambda api, w: api.get("/funding/disbursements"), SIGNED_IN),
    "disbursement detail": (
        lambda api, w: api.get(f"/funding/disbursements/{w['disbursement'].pk}"),
        FUNDING_READ,
    ),
    "disbursement create": (
        lambda api, w: api.post(
            "/funding/disbursements",
            {"tranche": w["tranches"][1].pk, "evidence": "Prototype shown.", **BANK},
            headers={"Idempotency-Key": "create-1"},
        ),
        STAFF_CREATE,
    ),
    "disbursement approve": (
        lambda api, w: api.post(
            f"/funding/disbursements/{w['disbursement'].pk}/approve",
            {"payment_reference": "HCB-1"},
        ),
        DECIDE,
    ),
    "disbursement reject": (
        lambda api, w: api.post(
            f"/funding/disbursements/{w['disbursement'].pk}/reject", {"reason": "Not yet."}
        ),
        DECIDE,
    ),
    "platform list": (lambda api, w: api.get("/platforms"), SIGNED_IN),
    "platform access list": (lambda api, w: api.get("/platforms/accesses"), SIGNED_IN),
    "platform access create": (
        lambda api, w: api.post(
            "/platforms/accesses",
            {
                "application": w["admitted"].pk,
                "platform": Platform.objects.get(slug="alibaba_cloud").pk,
            },
        ),
        PLATFORM_REQUEST,
    ),
    "platform access provision": (
        lambda api, w: api.post(
            f"/platforms/accesses/{w['platform_access'].pk}/provision",
            {"account_identifier": "st-0001"},
        ),
        PLATFORM_STAFF,
    ),
    "platform access revoke": (
        lambda api, w: api.post(f"/platforms/accesses/{w['platform_access'].pk}/revoke", {}),
        PLATFORM_STAFF,
    ),
}
