"""Rows for the privacy API: a person's own data requests and staff's queue."""

from nurture.privacy import services
from nurture.privacy.models import RequestKind

ROLES = [
    "anonymous",
    "founder",
    "other_founder",
    "reviewer",
    "finance_approver",
    "partner",
    "programme_manager",
    "administrator",
]
SIGNED_IN = dict.fromkeys(ROLES, 200) | {"anonymous": 401}
CREATE = dict.fromkeys(ROLES, 201) | {"anonymous": 401}
# Only the person who made the request: anyone else gets 404, as if it did not exist.
OWNER_ONLY = dict.fromkeys(ROLES, 404) | {"anonymous": 401, "founder": 200}
STAFF = dict.fromkeys(ROLES, 403) | {
    "anonymous": 401,
    "programme_manager": 200,
    "administrator": 200,
}


def prepare(world):
    founder = world["users"]["founder"]
    world["data_request"] = services.data_request_create(user=founder, kind=RequestKind.ACCESS)
    ready = services.data_request_create(user=founder, kind=RequestKind.ACCESS)
    world["ready_request"] = services.data_request_export_build(request_id=ready.pk)


ENDPOINTS = {
    "privacy request list": (lambda api, w: api.get("/privacy/requests"), SIGNED_IN),
    "privacy request create": (
        lambda api, w: api.post("/privacy/requests", {"kind": "access"}),
        CREATE,
    ),
    "privacy request detail": (
        lambda api, w: api.get(f"/privacy/requests/{w['data_request'].pk}"),
        OWNER_ONLY,
    ),
    "privacy request export download": (
        lambda api, w: api.get(f"/privacy/requests/{w['ready_request'].pk}/export"),
        OWNER_ONLY,
    ),
    "privacy queue": (lambda api, w: api.get("/privacy/queue"), STAFF),
}
