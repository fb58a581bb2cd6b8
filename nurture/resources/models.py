"""The benefits ledger: accounts, balanced transactions and their immutable entries.

Sign convention: an entry's amount is added to its account's balance, so a positive amount
increases what the account holds and a negative one decreases it; the amounts of a transaction
sum to zero. Only `source` accounts (the outside world that funds a programme's pools) may go
negative: their balance is minus everything brought into the programme. See the "Ledger"
section of docs/architecture.md.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# One column type for every unit; each unit keeps its own scale (UNIT_SCALE), checked by the
# services before anything is written.
AMOUNT_DIGITS = 20
AMOUNT_PLACES = 4


class Resource(models.TextChoices):
    # The values are those of programmes.BenefitKind, so a benefit line names its resource.
    SEED_FUNDING = "seed_funding", _("Seed funding")
    CLOUD_CREDITS = "cloud_credits", _("Cloud credits")
    GPU_HOURS = "gpu_hours", _("GPU compute")


class Unit(models.TextChoices):
    USD = "USD", _("US dollars")
    HKD = "HKD", _("Hong Kong dollars")
    GPU_HOURS = "GPU_HOURS", _("GPU-hours")


# Decimal places each unit allows: cents for money, a ten-thousandth of an hour (0.36 s) for GPUs.
UNIT_SCALE = {Unit.USD: 2, Unit.HKD: 2, Unit.GPU_HOURS: 4}
CURRENCIES = (Unit.USD, Unit.HKD)
RESOURCE_UNITS = {
    Resource.SEED_FUNDING: CURRENCIES,
    Resource.CLOUD_CREDITS: CURRENCIES,
    Resource.GPU_HOURS: (Unit.GPU_HOURS,),
}


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Startup's balance")
    SPEND = "spend", _("Used or paid out")
    POOL = "pool", _("Programme pool")
    SOURCE = "source", _("Funding source")


STARTUP_KINDS = (AccountKind.ASSET, AccountKind.SPEND)
PROGRAMME_KINDS = (AccountKind.POOL, AccountKind.SOURCE)


class Account(models.Model):
    """One balance of one resource in one unit, held by a startup or by a programme.

    `balance` is a cache of the sum of the account's entries, written only by the posting
    service while it holds the account's row lock; `nurture ledger-check` verifies it.
    """

    startup = models.ForeignKey(
        "startups.Startup",
        verbose_name=_("startup"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    resource = models.CharField(_("resource"), max_length=32, choices=Resource.choices)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    balance = models.DecimalField(
        _("balance"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        default=Decimal("0"),
        editable=False,
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=STARTUP_KINDS, startup__isnull=False, programme__isnull=True)
                    | Q(kind__in=PROGRAMME_KINDS, programme__isnull=False, startup__isnull=True)
                ),
                name="ledger_account_owner_matches_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        resource__in=[Resource.SEED_FUNDING, Resource.CLOUD_CREDITS],
                        unit__in=CURRENCIES,
                    )
                    | Q(resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS)
                ),
                name="ledger_account_unit_fits_resource",
            ),
            models.CheckConstraint(
                condition=Q(kind=AccountKind.SOURCE) | Q(balance__gte=0),
                name="ledger_account_balance_not_negative",
            ),
            models.UniqueConstraint(
                fields=["startup", "kind", "resource", "unit"],
                condition=Q(startup__isnull=False),
                name="ledger_account_one_per_startup",
            ),
            models.UniqueConstraint(
                fields=["programme", "kind", "resource", "unit"],
                condition=Q(programme__isnull=False),
                name="ledger_account_one_per_programme",
            ),
        ]

    def __str__(self) -> str:
        owner = self.startup if self.startup_id else self.programme
        return f"{owner} · {self.get_kind_display()} · {self.get_resource_display()} ({self.unit})"

    @property
    def may_go_negative(self) -> bool:
        return self.kind == AccountKind.SOURCE


class TransactionKind(models.TextChoices):
    OPENING = "opening", _("Pool funding")
    ENTITLEMENT = "entitlement", _("Entitlement")
    TOP_UP = "top_up", _("Top-up")
    TRANSFER = "transfer", _("Transfer")
    USAGE = "usage", _("Usage")
    DISBURSEMENT = "disbursement", _("Disbursement")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REVERSAL = "reversal", _("Reversal")


class ImmutableQuerySet(models.QuerySet):
    """Ledger rows are only ever added; corrections are new, reversing transactions."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are immutable; post a reversal instead.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are immutable; post a reversal instead.")


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are immutable; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are immutable; post a reversal instead.")


class LedgerTransaction(ImmutableModel):
    """A balanced set of entries in one unit, posted at once."""

    kind = models.CharField(_("kind"), max_length=16, choices=TransactionKind.choices)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    # Unique, so a retried request or a re-imported line that carries the same key finds the
    # first posting instead of making a second one, even when both race.
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=200, null=True, blank=True, unique=True
    )
    # A digest of what was asked for (kind, memo, lines): a replay under the same key must ask
    # for the same thing.
    fingerprint = models.CharField(max_length=64, editable=False)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    cohort = models.ForeignKey(
        "programmes.Cohort",
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(idempotency_key__isnull=True) | ~Q(idempotency_key=""),
                name="ledger_transaction_key_not_blank",
            ),
            models.CheckConstraint(
                condition=(
                    Q(reverses__isnull=True) & ~Q(kind=TransactionKind.REVERSAL)
                    | Q(reverses__isnull=False, kind=TransactionKind.REVERSAL)
                ),
                name="ledger_transaction_reversal_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.memo}".strip()


class Entry(ImmutableModel):
    """One line of a transaction: `amount` is added to the account's balance."""

    transaction = models.ForeignKey(
        LedgerTransaction,
        verbose_name=_("transaction"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.DecimalField(
        _("amount"), max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "id"], name="ledger_entry_statement")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero"),
            models.UniqueConstraint(
                fields=["transaction", "account"], name="ledger_entry_one_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount:+}"
