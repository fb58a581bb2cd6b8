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
