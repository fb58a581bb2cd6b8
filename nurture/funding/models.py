"""Seed funding: the programme's tranches, each admitted startup's schedule, and the
disbursement requests that release it under four eyes.

A disbursement moves from `pending` to `approved` or `rejected`, once, through the services;
the database holds the four-eyes rule too (the decider is never the requester) and the shape
of each state (an approval has its payment reference and ledger posting, a rejection its
reason).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nurture.core.i18n import pick

from .fields import EncryptedTextField


class TrancheRule(models.Model):
    """One tranche of a programme's seed funding: a share, released some months after joining."""

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="tranche_rules",
    )
    position = models.PositiveSmallIntegerField(_("order"))
    percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    months_after_start = models.PositiveSmallIntegerField(
        _("months after the programme starts"), validators=[MaxValueValidator(60)]
    )
    label = models.CharField(_("name"), max_length=100)
    label_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100, blank=True)
    milestone = models.TextField(_("milestone"), blank=True, max_length=1000)
    milestone_zh_hant = models.TextField(
        _("milestone (Traditional Chinese)"), blank=True, max_length=1000
    )

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "position"], name="tranche_rule_one_per_position"
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lte=100), name="tranche_rule_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_label} ({self.percent}%)"

    @property
    def display_label(self) -> str:
        return pick(self.label, self.label_zh_hant)

    @property
    def display_milestone(self) -> str:
        return pick(self.milestone, self.milestone_zh_hant)


class Tranche(models.Model):
    """One line of an admitted startup's schedule, copied from the rules when drawn up.

    A copy, so that a later change to the programme's rules leaves the schedules already
    promised to startups as they were.
    """

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="tranches",
    )
    position = models.PositiveSmallIntegerField(_("order"))
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    due_on = models.DateField(_("due"))
    label = models.CharField(_("name"), max_length=100)
    label_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100, blank=True)
    milestone = models.TextField(_("milestone"), blank=True)
    milestone_zh_hant = models.TextField(_("milestone (Traditional Chinese)"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("scheduled tranche")
        verbose_name_plural = _("scheduled tranches")
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "position"], name="tranche_one_per_position"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application.startup} · {self.display_label}"

    @property
    def display_label(self) -> str:
        return pick(self.label, self.label_zh_hant)

    @property
    def display_milestone(self) -> str:
        return pick(self.milestone, self.milestone_zh_hant)

    def is_due(self, today=None) -> bool:
        return self.due_on <= (today or timezone.localdate())


class DisbursementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Paid")
    REJECTED = "rejected", _("Rejected")


class Disbursement(models.Model):
    """A request to pay one tranche, made by a programme manager, decided by finance."""

    tranche = models.ForeignKey(
        Tranche, verbose_name=_("tranche"), on_delete=models.PROTECT, related_name="disbursements"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DisbursementStatus.choices,
        default=DisbursementStatus.PENDING,
        db_index=True,
    )
    evidence = models.TextField(_("milestone evidence and notes"), max_length=4000)
    # Where the money goes; encrypted at rest (see fields.py), shown only to staff and finance.
    bank_account_name = EncryptedTextField(_("account name"))
    bank_name = EncryptedTextField(_("bank"))
    bank_account_number = EncryptedTextField(_("account number"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="disbursements_requested",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursements_decided",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    rejection_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    ledger_transaction = models.OneToOneField(
        "resources.LedgerTransaction",
        verbose_name=_("ledger posting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursement",
    )

    class Meta:
        verbose_name = _("disbursement request")
        verbose_name_plural = _("disbursement requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Four eyes: whoever decides is never whoever asked.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="disbursement_four_eyes",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status=DisbursementStatus.PENDING,
                        decided_by__isnull=True,
                        decided_at__isnull=True,
                        ledger_transaction__isnull=True,
                    )
                    | Q(
                        status=DisbursementStatus.APPROVED,
                        decided_by__isnull=False,
                        decided_at__isnull=False,
                        ledger_transaction__isnull=False,
                    )
                    & ~Q(payment_reference="")
                    | Q(
                        status=DisbursementStatus.REJECTED,
                        decided_by__isnull=False,
                        decided_at__isnull=False,
                        ledger_transaction__isnull=True,
                    )
                    & ~Q(rejection_reason="")
                ),
                name="disbursement_state_shape",
            ),
            # At most one open or paid request per tranche; rejected ones may be many.
            models.UniqueConstraint(
                fields=["tranche"],
                condition=Q(status__in=[DisbursementStatus.PENDING, DisbursementStatus.APPROVED]),
                name="disbursement_one_live_per_tranche",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="disbursement_queue")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.tranche} ({self.get_status_display()})"
