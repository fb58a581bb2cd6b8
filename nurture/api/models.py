"""What the API stores for itself: the responses of idempotent writes (see idempotency.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotentResponse(models.Model):
    """The first answer to a write sent with an `Idempotency-Key` header, kept for replays.

    One row per (owner, key): a retry finds it and gets the same status and body back. The
    row is written in the same database transaction as the write's own effect, so either both
    exist or neither does; a racing duplicate waits on the unique index until that transaction
    ends. Rows older than IDEMPOTENCY_TTL are forgotten (`nurture idempotency-purge`).
    """

    # "user-<id>": keys belong to the user who sent them; one user's key never meets another's.
    owner = models.CharField(_("owner"), max_length=40)
    key = models.CharField(_("idempotency key"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=2000)
    # SHA-256 of the method, the path with its query and the body (JSON in canonical form,
    # multipart as its fields and files' contents): a retry must send the same request.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(_("status"))
    content_type = models.CharField(max_length=200, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotent response")
        verbose_name_plural = _("idempotent responses")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotent_response_one_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key} {self.method} {self.path} → {self.status}"
