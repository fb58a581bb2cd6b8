"""Rows for the privacy area: the opt-out link, a person's data requests, and staff's
screens for requests, marketing and retention."""

from nurture.privacy.marketing import unsubscribe_token
from nurture.privacy.models import (
    Audience,
    CorrectionField,
    DataRequest,
    MarketingKind,
    MarketingMessage,
    RequestKind,
)

from . import ROLES, signed_in, staff_only


def prepare(world):
    member = world.users["member"]
    world.access_request = DataRequest.objects.create(
        user=member, kind=RequestKind.ACCESS, due_at=member.date_joined
    )
    world.correction_request = DataRequest.objects.create(
        user=member,
        kind=RequestKind.CORRECTION,
        field=CorrectionField.FULL_NAME,
        requested_value="Corrected Name",
        due_at=member.date_joined,
    )
    world.marketing_message = MarketingMessage.objects.create(
        kind=MarketingKind.NEWSLETTER,
        audience=Audience.FOUNDERS,
        subject_en="News",
        subject_zh_hant="消息",
        body_en="Body",
        body_zh_hant="內容",
    )
    world.unsubscribe_token = unsubscribe_token(user_id=member.pk)


def _staff_post():
    # A POST that acts: staff are sent back to the request (302); everyone else is refused.
    return staff_only("redirect")


ROWS = {
    # Works without signing in: the signed token is the authority.
    "privacy:unsubscribe": ("get", lambda w: [w.unsubscribe_token], dict.fromkeys(ROLES, 200)),
    "privacy:my_requests": ("get", lambda w: [], signed_in()),
    # Only the requester, and only once the export is ready: 404 for everyone else.
    "privacy:export_download": ("get", lambda w: [w.access_request.pk], signed_in(404)),
    "privacy:request_queue": ("get", lambda w: [], staff_only()),
    "privacy:request_detail": ("get", lambda w: [w.access_request.pk], staff_only()),
    "privacy:request_export": ("post", lambda w: [w.access_request.pk], _staff_post()),
    "privacy:request_apply": ("post", lambda w: [w.correction_request.pk], _staff_post()),
    # Refusing needs a reason: without one, staff get the form back with the error (400).
    "privacy:request_refuse": ("post", lambda w: [w.correction_request.pk], staff_only(400)),
    "privacy:marketing_list": ("get", lambda w: [], staff_only()),
    "privacy:marketing_create": ("get", lambda w: [], staff_only()),
    "privacy:marketing_detail": ("get", lambda w: [w.marketing_message.pk], staff_only()),
    "privacy:marketing_send": ("post", lambda w: [w.marketing_message.pk], _staff_post()),
    "privacy:retention": ("get", lambda w: [], staff_only()),
}
