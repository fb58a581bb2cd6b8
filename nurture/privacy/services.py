from django.db import transaction
from django.utils import timezone

from nurture.audit.context import current_origin
from nurture.audit.services import audit_record

from .models import ConsentRecord, NoticeKind, PrivacyNotice


class NoticeMissing(LookupError):
    pass


def notice_current(*, kind: str) -> PrivacyNotice:
    notice = PrivacyNotice.objects.filter(kind=kind).order_by("-published_at", "-id").first()
    if notice is None:
        raise NoticeMissing(f"No {kind} notice has been published.")
    return notice


def consent_record(*, user, kind: str, granted: bool, context: str) -> ConsentRecord:
    """Record a person's decision about the current notice of a kind, with time and origin."""
    notice = notice_current(kind=kind)
    record = ConsentRecord.objects.create(
        user=user,
        notice=notice,
        granted=granted,
        context=context,
        at=timezone.now(),
        ip_address=current_origin.get().ip_address,
    )
    audit_record(
        actor=user,
        action="consent.granted" if granted else "consent.withdrawn",
        target=user,
        summary=f"{kind} {notice.version}",
        data={"kind": kind, "version": notice.version, "context": context},
    )
    return record


def marketing_consent_given(*, user) -> bool:
    latest = (
        ConsentRecord.objects.filter(user=user, notice__kind=NoticeKind.MARKETING)
        .order_by("-at", "-id")
        .first()
    )
    return bool(latest and latest.granted)


@transaction.atomic
def marketing_consent_set(*, user, granted: bool, context: str) -> ConsentRecord | None:
    """Change marketing consent; does nothing when the person's choice is already recorded."""
    if marketing_consent_given(user=user) == granted:
        return None
    return consent_record(user=user, kind=NoticeKind.MARKETING, granted=granted, context=context)
