import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    COLLECTION = "collection", _("Personal information collection statement")
    MARKETING = "marketing", _("Direct marketing consent")


class PrivacyNotice(models.Model):
    """A versioned notice text; the version a person saw is kept with their consent."""

    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    version = models.CharField(max_length=32)
    title_en = models.CharField(max_length=200)
    title_zh_hant = models.CharField(max_length=200)
    body_en = models.TextField()
    body_zh_hant = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["kind", "-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"], name="privacy_notice_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"

    @property
    def title(self) -> str:
        return self.title_zh_hant if get_language() == "zh-hant" else self.title_en

    @property
    def body(self) -> str:
        return self.body_zh_hant if get_language() == "zh-hant" else self.body_en


class ConsentRecord(models.Model):
    """One decision a person made about a notice. Append-only: the latest record counts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records"
    )
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="+")
    granted = models.BooleanField()
    context = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"{self.user} {self.notice} {state}"


# Direct marketing (PDPO Part 6A) ------------------------------------------------------------


class MarketingKind(models.TextChoices):
    NEWSLETTER = "newsletter", _("Newsletter")
    EVENT = "event", _("Event promotion")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone with an account")
    FOUNDERS = "founders", _("Founders")
    PARTNERS = "partners", _("Partners")
    ADVISORS = "advisors", _("Reviewers and advisors")


class MarketingMessage(models.Model):
    """A newsletter or event promotion written by staff in both languages."""

    kind = models.CharField(_("kind"), max_length=16, choices=MarketingKind.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    subject_zh_hant = models.CharField(_("subject (Traditional Chinese)"), max_length=200)
    body_en = models.TextField(_("message (English)"), max_length=20000)
    body_zh_hant = models.TextField(_("message (Traditional Chinese)"), max_length=20000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("marketing message")
        verbose_name_plural = _("marketing messages")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject_en


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    REFUSED = "refused", _("Refused: no consent")
    SUPPRESSED = "suppressed", _("Suppressed: opted out before sending")
    FAILED = "failed", _("Failed")


class MarketingDelivery(models.Model):
    """One recipient of one marketing message and what became of it."""

    message = models.ForeignKey(
        MarketingMessage, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marketing_deliveries"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("marketing delivery")
        verbose_name_plural = _("marketing deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="marketing_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.user_id}: {self.status}"


# Data access and correction requests (PDPO s18, s19, s22) ---------------------------------


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access: a copy of my personal data")
    CORRECTION = "correction", _("Correction of my personal data")


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


class CorrectionField(models.TextChoices):
    FULL_NAME = "full_name", _("Full name")
    ORGANISATION = "organisation", _("Organisation")
    OTHER = "other", _("Something else (describe it)")


def export_path(instance: "DataRequest", filename: str) -> str:
    return f"privacy-exports/{uuid.uuid4().hex}.zip"


class DataRequest(models.Model):
    """A person's data access or correction request; the law gives the Lab 40 days."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_requests"
    )
    kind = models.CharField(_("kind of request"), max_length=16, choices=RequestKind.choices)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RequestState.choices,
        default=RequestState.OPEN,
        db_index=True,
    )
    field = models.CharField(
        _("what to correct"), max_length=32, choices=CorrectionField.choices, blank=True
    )
    requested_value = models.CharField(_("the correct value"), max_length=300, blank=True)
    details = models.TextField(_("details"), max_length=3000, blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason or note to the person"), max_length=3000, blank=True)
    export_file = models.FileField(upload_to=export_path, blank=True)
    export_started_at = models.DateTimeField(null=True, blank=True)
    export_ready_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def days_left(self) -> int:
        return (timezone.localdate(self.due_at) - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_overdue(self) -> bool:
        return self.state == RequestState.OPEN and self.due_at < timezone.now()

    @property
    def export_ready(self) -> bool:
        return bool(self.export_file) and self.export_ready_at is not None


# Retention (PDPO DPP2, s26) -----------------------------------------------------------------


class RetentionStat(models.Model):
    """Counts kept before the retention task erases rows: no personal data, only tallies."""

    rule = models.CharField(max_length=64)
    run_at = models.DateTimeField(default=timezone.now, db_index=True)
    cohort = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=32, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("retention statistic")
        verbose_name_plural = _("retention statistics")
        ordering = ["-run_at", "rule", "cohort", "sector", "state"]

    def __str__(self) -> str:
        return f"{self.rule} {self.cohort} {self.sector} {self.state}: {self.count}"


class Anonymisation(models.Model):
    """Marks a row that the retention task has anonymised, so that it is done only once."""

    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    rule = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")
        constraints = [
            models.UniqueConstraint(fields=["target_type", "target_id"], name="anonymisation_once")
        ]

    def __str__(self) -> str:
        return f"{self.target_type} {self.target_id}"
