"""Deep-learning platforms the Lab's partners offer, and each startup's account on them.

An access goes requested → provisioned → revoked (or requested → declined). It ends with the
programme: `ends_on` is the cohort's last day, after which staff are reminded daily to revoke
the account until they mark it revoked.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nurture.core.i18n import pick


class Platform(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100, blank=True)
    slug = models.SlugField(_("short name"), unique=True)
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    url = models.URLField(_("web address"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    description_zh_hant = models.TextField(
        _("description (Traditional Chinese)"), blank=True, max_length=2000
    )
    is_active = models.BooleanField(
        _("open for requests"), default=True, help_text=_("Founders may ask for an account.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("deep-learning platform")
        verbose_name_plural = _("deep-learning platforms")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_zh_hant)

    @property
    def display_description(self) -> str:
        return pick(self.description, self.description_zh_hant)


class AccessStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PROVISIONED = "provisioned", _("Provisioned")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")


OPEN_STATUSES = (AccessStatus.REQUESTED, AccessStatus.PROVISIONED)


class PlatformAccess(models.Model):
    """A startup's account on one platform, for the length of its programme."""

    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.PROTECT, related_name="accesses"
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("admission"),
        on_delete=models.PROTECT,
        related_name="platform_accesses",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AccessStatus.choices,
        default=AccessStatus.REQUESTED,
        db_index=True,
    )
    purpose = models.TextField(_("what you will use it for"), blank=True, max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    account_identifier = models.CharField(_("account"), max_length=200, blank=True)
    provisioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provisioned_at = models.DateTimeField(_("provisioned"), null=True, blank=True)
    ends_on = models.DateField(_("access ends"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    reminded_on = models.DateField(_("last revocation reminder"), null=True, blank=True)

    class Meta:
        verbose_name = _("platform access")
        verbose_name_plural = _("platform accesses")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "platform"],
                condition=Q(status__in=OPEN_STATUSES),
                name="platform_access_one_open",
            ),
            models.CheckConstraint(
                condition=Q(status=AccessStatus.REQUESTED)
                | Q(status=AccessStatus.DECLINED, closed_at__isnull=False)
                | Q(status=AccessStatus.PROVISIONED, provisioned_at__isnull=False)
                & ~Q(account_identifier="")
                | Q(
                    status=AccessStatus.REVOKED,
                    provisioned_at__isnull=False,
                    closed_at__isnull=False,
                ),
                name="platform_access_state_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.startup} · {self.platform}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def revocation_due(self, today=None) -> bool:
        return self.status == AccessStatus.PROVISIONED and self.ends_on < (
            today or timezone.localdate()
        )
