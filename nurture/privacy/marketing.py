"""Direct marketing under Part 6A of the PDPO: the only path that sends a marketing e-mail.

Programme e-mails (decisions, payments, reminders) go through `nurture.core.mail` and are
never marketing. Marketing e-mails go through `marketing_message_send` and the
`marketing_deliver` task here, which check the person's consent when the message is queued
*and again when it is sent*, and carry a signed one-click opt-out link (RFC 8058).
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse

from nurture.core.mail import render_bilingual

UNSUBSCRIBE_SALT = "nurture.privacy.unsubscribe"


class UnsubscribeTokenInvalid(ValueError):
    pass


def unsubscribe_token(*, user_id: int, delivery_id: int | None = None) -> str:
    """A signed, per-recipient token; it never expires, as an opt-out link must keep working."""
    return signing.dumps({"u": user_id, "d": delivery_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> dict:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise UnsubscribeTokenInvalid(str(exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise UnsubscribeTokenInvalid("malformed")
    return data


def unsubscribe_url(*, user_id: int, delivery_id: int | None = None) -> str:
    token = unsubscribe_token(user_id=user_id, delivery_id=delivery_id)
    return settings.SITE_URL + reverse("privacy:unsubscribe", args=[token])


def marketing_email(*, delivery) -> EmailMessage:
    """The bilingual e-mail of one delivery, with the opt-out link and RFC 8058 headers."""
    message = delivery.message
    link = unsubscribe_url(user_id=delivery.user_id, delivery_id=delivery.pk)
    subject, body = render_bilingual(
        "privacy/email/marketing",
        {
            "subject": {"en": message.subject_en, "zh-hant": message.subject_zh_hant},
            "body": {"en": message.body_en, "zh-hant": message.body_zh_hant},
            "unsubscribe_url": link,
        },
    )
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
