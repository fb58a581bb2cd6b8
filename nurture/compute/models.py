"""The Lab's GPU cluster, bookings of its GPUs, and the usage that the ledger debits.

Balances (GPU-hours, cloud credits) live in the ledger of nurture.resources; these models hold
what the ledger does not: the inventory, bookings, the startups' names on the cluster and at
the cloud provider, and one row per imported Slurm job or billing line, whose unique
constraints make every import post each job or line at most once.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HOURS = {"max_digits": 14, "decimal_places": 4}
USD = {"max_digits": 14, "decimal_places": 2}
# Slurm lower-cases account names; the same shape is a valid Kubernetes namespace (DNS label).
NAME_RE = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
name_validator = RegexValidator(
    NAME_RE,
    _(
        "Use lower-case letters, digits and hyphens (at most 63), starting and ending with a "
        "letter or digit."
    ),
)


class Cluster(models.Model):
    name = models.CharField(_("name"), max_length=100)
    # Slurm's ClusterName: it is part of every job's identity (cluster, job id).
    slug = models.CharField(
        _("Slurm cluster name"), max_length=63, unique=True, validators=[name_validator]
    )
    time_zone = models.CharField(
        _("time zone of sacct output"), max_length=64, default="Asia/Hong_Kong"
    )

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GpuModel(models.Model):
    """A kind of GPU. Its row is what a booking locks: one booking at a time per model."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.CharField(
        _("Slurm GRES type"), max_length=63, unique=True, validators=[name_validator]
    )
    memory_gb = models.PositiveSmallIntegerField(_("memory (GB)"), default=0)

    class Meta:
        verbose_name = _("GPU model")
        verbose_name_plural = _("GPU models")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Node(models.Model):
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="nodes"
    )
    name = models.CharField(_("host name"), max_length=100)
    gpu_model = models.ForeignKey(
        GpuModel, verbose_name=_("GPU model"), on_delete=models.PROTECT, related_name="nodes"
    )
    gpu_count = models.PositiveSmallIntegerField(
        _("GPUs"), validators=[MinValueValidator(1)], default=8
    )
    active = models.BooleanField(
        _("in service"), default=True, help_text=_("Only nodes in service can be booked.")
    )

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        ordering = ["cluster__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "name"], name="compute_node_unique_name"),
            models.CheckConstraint(condition=Q(gpu_count__gte=1), name="compute_node_has_gpus"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.gpu_count} × {self.gpu_model})"


class ComputeAccount(models.Model):
    """A startup's names on the cluster: its Slurm account and its Kubernetes namespace."""

    startup = models.OneToOneField(
        "startups.Startup",
        verbose_name=_("startup"),
        on_delete=models.PROTECT,
        related_name="compute_account",
    )
    slurm_account = models.CharField(
        _("Slurm account"), max_length=63, unique=True, validators=[name_validator]
    )
    namespace = models.CharField(
        _("Kubernetes namespace"), max_length=63, unique=True, validators=[name_validator]
    )
    max_gpus = models.PositiveSmallIntegerField(
        _("GPUs at once"),
        default=8,
        help_text=_("The most GPUs the startup's namespace may request at the same time."),
    )

    class Meta:
        verbose_name = _("compute account")
        verbose_name_plural = _("compute accounts")
        ordering = ["slurm_account"]

    def __str__(self) -> str:
        return self.slurm_account


class BookingState(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class Booking(models.Model):
    """N GPUs of one model for a window of whole hours."""

    startup = models.ForeignKey(
        "startups.Startup",
        verbose_name=_("startup"),
        on_delete=models.PROTECT,
        related_name="gpu_bookings",
    )
    gpu_model = models.ForeignKey(
        GpuModel, verbose_name=_("GPU model"), on_delete=models.PROTECT, related_name="bookings"
    )
    gpus = models.PositiveSmallIntegerField(_("GPUs"), validators=[MinValueValidator(1)])
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    gpu_hours = models.DecimalField(_("GPU-hours"), **HOURS)
    state = models.CharField(
        _("state"), max_length=16, choices=BookingState.choices, default=BookingState.CONFIRMED
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("booked"), default=timezone.now)
    # The Idempotency-Key of the request that made it: the same key from the same person
    # finds this booking instead of making a second one.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("GPU booking")
        verbose_name_plural = _("GPU bookings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["gpu_model", "state", "starts_at"], name="compute_booking_window"),
            models.Index(fields=["startup", "state", "ends_at"], name="compute_booking_startup"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_window"),
            models.CheckConstraint(condition=Q(gpus__gte=1), name="booking_has_gpus"),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="booking_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gpus} × {self.gpu_model} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.state == BookingState.CONFIRMED


class SlurmImport(models.Model):
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="imports"
    )
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    jobs_new = models.PositiveIntegerField(_("new jobs"), default=0)
    jobs_known = models.PositiveIntegerField(_("jobs already imported"), default=0)
    jobs_skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    gpu_hours = models.DecimalField(_("GPU-hours debited"), default=Decimal("0"), **HOURS)
    postings = models.PositiveIntegerField(_("ledger postings"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("Slurm import")
        verbose_name_plural = _("Slurm imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class UsageRecord(models.Model):
    """One Slurm job that used GPUs, debited once: (cluster, job id) is unique."""

    # No index of their own on the foreign keys: the unique (cluster, job id) and the
    # (startup, ended_at) indexes serve their look-ups, and every index slows the bulk insert.
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+", db_index=False)
    job_id = models.CharField(_("job id"), max_length=64)
    startup = models.ForeignKey(
        "startups.Startup", on_delete=models.PROTECT, related_name="gpu_usage", db_index=False
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"))
    gpus = models.PositiveSmallIntegerField(_("GPUs"))
    gpu_hours = models.DecimalField(_("GPU-hours"), **HOURS)
    slurm_import = models.ForeignKey(
        SlurmImport, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("GPU usage record")
        verbose_name_plural = _("GPU usage records")
        ordering = ["ended_at", "id"]
        indexes = [models.Index(fields=["startup", "ended_at"], name="compute_usage_startup")]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "job_id"], name="compute_usage_one_per_job")
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id}:{self.job_id}"


class CloudProvider(models.TextChoices):
    ALIBABA_CLOUD = "alibaba_cloud", _("Alibaba Cloud")
    OTHER = "other", _("Other provider")


class CloudAccount(models.Model):
    """A startup's account at a cloud provider, as the billing export names it."""

    startup = models.ForeignKey(
        "startups.Startup",
        verbose_name=_("startup"),
        on_delete=models.PROTECT,
        related_name="cloud_accounts",
    )
    provider = models.CharField(
        _("provider"),
        max_length=32,
        choices=CloudProvider.choices,
        default=CloudProvider.ALIBABA_CLOUD,
    )
    account_id = models.CharField(_("account id"), max_length=100)

    class Meta:
        verbose_name = _("cloud account")
        verbose_name_plural = _("cloud accounts")
        ordering = ["provider", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "account_id"], name="compute_cloud_account_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.account_id}"


class BillingImport(models.Model):
    provider = models.CharField(_("provider"), max_length=32, choices=CloudProvider.choices)
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    lines_new = models.PositiveIntegerField(_("new lines"), default=0)
    cost_usd = models.DecimalField(_("cost (USD)"), default=Decimal("0"), **USD)
    debited_usd = models.DecimalField(_("credits used (USD)"), default=Decimal("0"), **USD)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("billing import")
        verbose_name_plural = _("billing imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class BillingLine(models.Model):
    """One line of a provider's billing export, imported once: (provider, line id) is unique."""

    provider = models.CharField(max_length=32, choices=CloudProvider.choices)
    line_id = models.CharField(_("line id"), max_length=100)
    startup = models.ForeignKey(
        "startups.Startup", on_delete=models.PROTECT, related_name="billing_lines"
    )
    account_id = models.CharField(_("account id"), max_length=100)
    billing_month = models.DateField(_("billing month"))
    service = models.CharField(_("service"), max_length=100)
    cost_usd = models.DecimalField(_("cost (USD)"), max_digits=18, decimal_places=6)
    billing_import = models.ForeignKey(BillingImport, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("billing line")
        verbose_name_plural = _("billing lines")
        ordering = ["billing_month", "id"]
        indexes = [models.Index(fields=["startup", "billing_month"], name="compute_billing_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "line_id"], name="compute_billing_line_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.line_id}"


class CreditCharge(models.Model):
    """What one import charged one startup for one month: the credits cover up to what is
    left; the rest is billed to the startup by the provider and recorded here."""

    billing_import = models.ForeignKey(
        BillingImport, on_delete=models.PROTECT, related_name="charges"
    )
    startup = models.ForeignKey(
        "startups.Startup", on_delete=models.PROTECT, related_name="credit_charges"
    )
    billing_month = models.DateField(_("billing month"))
    cost_usd = models.DecimalField(_("cost (USD)"), **USD)
    debited_usd = models.DecimalField(_("paid from credits (USD)"), **USD)
    beyond_usd = models.DecimalField(_("beyond the credits (USD)"), **USD)
    transaction = models.ForeignKey(
        "resources.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("credit charge")
        verbose_name_plural = _("credit charges")
        ordering = ["billing_month", "id"]

    def __str__(self) -> str:
        return f"{self.startup_id} {self.billing_month:%Y-%m} {self.cost_usd}"


class CreditAlert(models.Model):
    """Sent once per startup and threshold (80% and 100% of the credits used)."""

    startup = models.ForeignKey(
        "startups.Startup", on_delete=models.PROTECT, related_name="credit_alerts"
    )
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))
    used_usd = models.DecimalField(_("used (USD)"), **USD)
    total_usd = models.DecimalField(_("credits (USD)"), **USD)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("credit alert")
        verbose_name_plural = _("credit alerts")
        ordering = ["-threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["startup", "threshold"], name="compute_credit_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.startup_id} {self.threshold}%"


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Checking and importing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected: nothing posted")
    FAILED = "failed", _("Failed: nothing posted")


class ImportKind(models.TextChoices):
    SLURM = "slurm", _("Slurm usage")
    BILLING = "billing", _("Cloud billing")


class ImportJob(models.Model):
    """A file uploaded by staff, imported by a background task; the page follows its state."""

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.CharField(max_length=32, choices=CloudProvider.choices, blank=True)
    # Kept in private storage (no URL serves it) until the task has read it.
    file = models.FileField(upload_to="compute-imports/", max_length=300)
    file_name = models.CharField(_("file"), max_length=200)
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.QUEUED
    )
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    known = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_pending(self) -> bool:
        return self.state in (ImportState.QUEUED, ImportState.RUNNING)
