from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nurture.audit.context import current_origin
from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail

from .models import (
    Audience,
    ConsentRecord,
    CorrectionField,
    DataRequest,
    DeliveryStatus,
    MarketingDelivery,
    MarketingMessage,
    NoticeKind,
    PrivacyNotice,
    RequestKind,
    RequestState,
)


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
    record = consent_record(user=user, kind=NoticeKind.MARKETING, granted=granted, context=context)
    if not granted:
        _suppress_queued(user=user, context=context)
    return record


def _suppress_queued(*, user, context: str) -> list[int]:
    """An opt-out takes effect at once: the person's queued marketing deliveries are marked
    suppressed now (and the task, which checks consent again, would skip them anyway)."""
    suppressed = list(
        MarketingDelivery.objects.filter(user=user, status=DeliveryStatus.QUEUED).values_list(
            "pk", flat=True
        )
    )
    if suppressed:
        MarketingDelivery.objects.filter(pk__in=suppressed).update(
            status=DeliveryStatus.SUPPRESSED, updated_at=timezone.now()
        )
        audit_record(
            actor=user,
            action="marketing.suppressed",
            target=user,
            summary=f"{len(suppressed)} queued messages suppressed on opt-out",
            data={"deliveries": suppressed, "context": context},
        )
    return suppressed


# Direct marketing ----------------------------------------------------------------------------

AUDIENCE_ROLES = {
    Audience.FOUNDERS: ["founder"],
    Audience.PARTNERS: ["partner"],
    Audience.ADVISORS: ["reviewer"],
}


class PrivacyError(ValueError):
    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.code = code


def audience_users(*, audience: str):
    from nurture.accounts.models import User

    users = User.objects.filter(is_active=True)
    if audience in AUDIENCE_ROLES:
        users = users.filter(role__in=AUDIENCE_ROLES[audience])
    return users.order_by("pk")


@transaction.atomic
def marketing_message_create(*, actor, **fields) -> MarketingMessage:
    message = MarketingMessage.objects.create(created_by=actor, **fields)
    audit_record(
        actor=actor, action="marketing.created", target=message, summary=message.subject_en
    )
    return message


@transaction.atomic
def marketing_message_send(*, actor, message: MarketingMessage, users=None) -> dict[str, int]:
    """Queue a message to its audience (or to the given users). Each person's consent is
    checked now: without it the message is refused for that person, with an audit entry and
    a per-recipient status. Those with consent get a queued delivery; the `marketing_deliver`
    task checks consent again when it runs."""
    message = MarketingMessage.objects.select_for_update().get(pk=message.pk)
    if users is None:
        if message.sent_at is not None:
            raise PrivacyError(_("This message has already been sent."), code="already_sent")
        users = audience_users(audience=message.audience)
    now = timezone.now()
    already = set(message.deliveries.values_list("user_id", flat=True))
    consenting = consenting_user_ids(user_ids=[u.pk for u in users])
    counts = {DeliveryStatus.QUEUED: 0, DeliveryStatus.REFUSED: 0}
    queued = []
    for user in users:
        if user.pk in already:
            continue
        status = DeliveryStatus.QUEUED if user.pk in consenting else DeliveryStatus.REFUSED
        delivery = MarketingDelivery.objects.create(
            message=message, user=user, status=status, created_at=now, updated_at=now
        )
        counts[status] += 1
        if status == DeliveryStatus.QUEUED:
            queued.append(delivery.pk)
        else:
            audit_record(
                actor=actor,
                action="marketing.refused",
                target=delivery,
                summary=f"message {message.pk}: no marketing consent",
                data={"message": message.pk, "user": user.pk},
            )
    if message.sent_at is None:
        message.sent_at = now
        message.save(update_fields=["sent_at"])
    audit_record(
        actor=actor,
        action="marketing.queued",
        target=message,
        summary=f"{counts['queued']} queued, {counts['refused']} refused",
        data={"queued": counts["queued"], "refused": counts["refused"]},
    )

    def enqueue():
        from .tasks import marketing_deliver

        for pk in queued:
            marketing_deliver.enqueue(delivery_id=pk)

    transaction.on_commit(enqueue)
    return {str(k): v for k, v in counts.items()}


def consenting_user_ids(*, user_ids: list[int]) -> set[int]:
    """Who among these people has marketing consent now (their latest record grants it)."""
    latest: dict[int, bool] = {}
    records = (
        ConsentRecord.objects.filter(user_id__in=user_ids, notice__kind=NoticeKind.MARKETING)
        .order_by("user_id", "at", "id")
        .values_list("user_id", "granted")
    )
    for user_id, granted in records:
        latest[user_id] = granted
    return {user_id for user_id, granted in latest.items() if granted}


def marketing_delivery_run(*, delivery_id: int) -> str:
    """Send one queued delivery if the person still consents; otherwise suppress it."""
    from .marketing import marketing_email

    with transaction.atomic():
        delivery = (
            MarketingDelivery.objects.select_for_update()
            .select_related("message", "user")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.QUEUED:
            return delivery.status if delivery else "missing"
        if not (delivery.user.is_active and marketing_consent_given(user=delivery.user)):
            delivery.status = DeliveryStatus.SUPPRESSED
            delivery.updated_at = timezone.now()
            delivery.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                action="marketing.suppressed",
                target=delivery,
                summary=f"message {delivery.message_id}: consent withdrawn before sending",
                data={"message": delivery.message_id, "user": delivery.user_id},
            )
            return delivery.status
        email = marketing_email(delivery=delivery)
    try:
        email.send()
        status = DeliveryStatus.SENT
    except Exception:  # noqa: BLE001 - any transport failure is recorded, not raised
        status = DeliveryStatus.FAILED
    MarketingDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED).update(
        status=status, updated_at=timezone.now()
    )
    return status


@transaction.atomic
def marketing_unsubscribe(*, user, delivery_id: int | None = None) -> bool:
    """Withdraw marketing consent at once (from the one-click link), which also suppresses
    the person's queued deliveries. True when consent was withdrawn now."""
    record = marketing_consent_set(user=user, granted=False, context="unsubscribe-link")
    return record is not None


# Data access and correction requests --------------------------------------------------------

REQUEST_DAYS = 40  # PDPO s19(1): comply within 40 days of receiving the request


def _staff_emails() -> list[str]:
    from nurture.accounts.models import STAFF_ROLES, User

    return list(
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .order_by("pk")
        .values_list("email", flat=True)
    )


@transaction.atomic
def data_request_create(
    *, user, kind: str, field: str = "", requested_value: str = "", details: str = ""
) -> DataRequest:
    if kind not in RequestKind.values:
        raise PrivacyError(_("Choose the kind of request."), code="invalid_kind")
    if kind == RequestKind.CORRECTION:
        if field not in CorrectionField.values:
            raise PrivacyError(_("Say what should be corrected."), code="invalid_field")
        if field == CorrectionField.OTHER and not details.strip():
            raise PrivacyError(_("Describe what is wrong and how it should read."), code="invalid")
        if field != CorrectionField.OTHER and not requested_value.strip():
            raise PrivacyError(_("Give the correct value."), code="invalid")
    else:
        field, requested_value = "", ""
    if DataRequest.objects.filter(user=user, kind=kind, state=RequestState.OPEN).count() >= 3:
        raise PrivacyError(
            _("You already have open requests of this kind; the Lab is working on them."),
            code="too_many",
        )
    now = timezone.now()
    request = DataRequest.objects.create(
        user=user,
        kind=kind,
        field=field,
        requested_value=requested_value.strip(),
        details=details.strip(),
        created_at=now,
        due_at=now + timedelta(days=REQUEST_DAYS),
    )
    audit_record(
        actor=user,
        action=f"data_request.{kind}_received",
        target=request,
        summary=f"{kind} request #{request.pk}",
        data={"kind": kind, "field": field},
    )
    transaction.on_commit(
        lambda: send_bilingual_mail(
            to=_staff_emails(),
            template="privacy/email/request_received",
            context={"request_id": request.pk, "kind": kind, "due": request.due_at.isoformat()},
        )
    )
    return request


def _lock_open(request: DataRequest, kind: str | None = None) -> DataRequest:
    request = DataRequest.objects.select_for_update().select_related("user").get(pk=request.pk)
    if request.state != RequestState.OPEN:
        raise PrivacyError(_("This request is already closed."), code="closed")
    if kind and request.kind != kind:
        raise PrivacyError(_("This action does not apply to this kind of request."), code="kind")
    return request


def _tell(request: DataRequest, template: str) -> None:
    user = request.user
    transaction.on_commit(
        lambda: send_bilingual_mail(
            to=[user.email],
            template=template,
            context={
                "request_id": request.pk,
                "state": request.state,
                "reason": request.reason,
                "url": f"{settings.SITE_URL}/privacy/requests/",
            },
        )
    )


@transaction.atomic
def data_request_export_start(*, actor, request: DataRequest) -> DataRequest:
    """Start building the export of an access request (a task); the person is told when
    it is ready."""
    request = _lock_open(request, RequestKind.ACCESS)
    if request.export_started_at and not request.export_ready_at:
        raise PrivacyError(_("The export is already being prepared."), code="in_progress")
    request.export_started_at = timezone.now()
    request.resolved_by = actor
    request.save(update_fields=["export_started_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="data_request.export_started",
        target=request,
        summary=f"access request #{request.pk}",
        data={"user": request.user_id},
    )

    def enqueue():
        from .tasks import data_request_export

        data_request_export.enqueue(request_id=request.pk)

    transaction.on_commit(enqueue)
    return request


def data_request_export_build(*, request_id: int) -> DataRequest:
    """Build the ZIP (outside the transaction: it reads files), then store and close."""
    from django.core.files.base import ContentFile

    from .export import build_export

    request = DataRequest.objects.select_related("user").get(pk=request_id)
    content = build_export(request.user)
    with transaction.atomic():
        request = _lock_open(request, RequestKind.ACCESS)
        old = request.export_file.name if request.export_file else ""
        request.export_file.save("export.zip", ContentFile(content), save=False)
        request.export_ready_at = timezone.now()
        request.state = RequestState.COMPLETED
        request.resolved_at = request.export_ready_at
        request.save(update_fields=["export_file", "export_ready_at", "state", "resolved_at"])
        audit_record(
            actor=request.resolved_by,
            action="data_request.export_ready",
            target=request,
            summary=f"access request #{request.pk}: {len(content)} bytes",
            data={"user": request.user_id, "bytes": len(content)},
        )
        _tell(request, "privacy/email/export_ready")
    if old:
        request.export_file.storage.delete(old)
    return request


@transaction.atomic
def data_request_correction_apply(*, actor, request: DataRequest, note: str = "") -> DataRequest:
    """Make the requested correction (a structured field is changed here; for anything else
    staff describe what they changed) and tell the person."""
    request = _lock_open(request, RequestKind.CORRECTION)
    user = request.user
    if request.field in (CorrectionField.FULL_NAME, CorrectionField.ORGANISATION):
        before = getattr(user, request.field)
        setattr(user, request.field, request.requested_value)
        user.full_clean(validate_unique=False, validate_constraints=False)
        user.save(update_fields=[request.field])
        changed = {"field": request.field, "changed": before != request.requested_value}
    else:
        if not note.strip():
            raise PrivacyError(_("Say what was corrected."), code="note_required")
        changed = {"field": request.field, "changed": True}
    request.state = RequestState.COMPLETED
    request.reason = note.strip()
    request.resolved_at = timezone.now()
    request.resolved_by = actor
    request.save(update_fields=["state", "reason", "resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="data_request.correction_applied",
        target=request,
        summary=f"correction request #{request.pk}",
        data={"user": user.pk, **changed},
    )
    _tell(request, "privacy/email/request_decided")
    return request


@transaction.atomic
def data_request_refuse(*, actor, request: DataRequest, reason: str) -> DataRequest:
    """Refuse a request with the reason the person is given (PDPO s21 / s25)."""
    if not reason.strip():
        raise PrivacyError(_("Give the reason for refusing."), code="reason_required")
    request = _lock_open(request)
    request.state = RequestState.REFUSED
    request.reason = reason.strip()
    request.resolved_at = timezone.now()
    request.resolved_by = actor
    request.save(update_fields=["state", "reason", "resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="data_request.refused",
        target=request,
        summary=f"{request.kind} request #{request.pk}",
        data={"user": request.user_id},
    )
    _tell(request, "privacy/email/request_decided")
    return request


def data_request_record_view(*, user, request: DataRequest) -> None:
    """A staff view of a request shows the person's details: it is recorded."""
    audit_record(
        actor=user,
        action="data_request.viewed",
        target=request,
        summary=f"{request.kind} request #{request.pk}",
        data={"user": request.user_id},
    )


def data_request_record_download(*, user, request: DataRequest) -> None:
    audit_record(
        actor=user,
        action="data_request.export_downloaded",
        target=request,
        summary=f"access request #{request.pk}",
    )


def data_request_send_reminders(*, now=None, days: int = 7) -> int:
    """E-mail staff one digest of open requests due within `days` or overdue. Returns how
    many requests it named (0: nothing sent)."""
    now = now or timezone.now()
    due = list(
        DataRequest.objects.filter(state=RequestState.OPEN, due_at__lte=now + timedelta(days=days))
        .order_by("due_at", "pk")
        .values("pk", "kind", "due_at")
    )
    if not due:
        return 0
    items = [
        {
            "id": r["pk"],
            "kind": r["kind"],
            "due": timezone.localtime(r["due_at"]).strftime("%Y-%m-%d"),
            "overdue": r["due_at"] < now,
        }
        for r in due
    ]
    with transaction.atomic():
        DataRequest.objects.filter(pk__in=[r["pk"] for r in due]).update(reminded_at=now)
        audit_record(
            actor=None,
            action="data_request.reminder_sent",
            summary=f"{len(items)} requests due within {days} days or overdue",
            data={"requests": [r["id"] for r in items]},
        )
        recipients = _staff_emails()
        transaction.on_commit(
            lambda: send_bilingual_mail(
                to=recipients,
                template="privacy/email/reminder",
                context={"items": items, "url": f"{settings.SITE_URL}/privacy/manage/requests/"},
            )
        )
    return len(items)
