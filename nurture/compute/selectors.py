"""Reads of the compute app, each in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from nurture.resources.models import Account, AccountKind, Resource, Unit
from nurture.startups.models import Startup

from .models import (
    Booking,
    BookingState,
    ComputeAccount,
    CreditAlert,
    CreditCharge,
    GpuModel,
    Node,
    UsageRecord,
)
from .services import CENT, TEN_THOUSANDTH, committed_hours, credit_usage

ZERO = Decimal(0)


@dataclass
class Quota:
    left: Decimal  # the ledger balance
    used: Decimal  # debited usage
    committed: Decimal  # confirmed bookings not yet ended
    total: Decimal = field(init=False)
    bookable: Decimal = field(init=False)

    def __post_init__(self):
        self.total = self.left + self.used
        self.bookable = max(self.left - self.committed, ZERO)

    @property
    def used_percent(self) -> int:
        return int(self.used * 100 / self.total) if self.total else 0


def quota_of(startup: Startup) -> Quota:
    balances = dict(
        Account.objects.filter(
            startup=startup, resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS
        ).values_list("kind", "balance")
    )
    return Quota(
        left=Decimal(balances.get(AccountKind.ASSET, 0)).quantize(TEN_THOUSANDTH),
        used=Decimal(balances.get(AccountKind.SPEND, 0)).quantize(TEN_THOUSANDTH),
        committed=committed_hours(startup),
    )


@dataclass
class Credits:
    used: Decimal
    total: Decimal
    beyond: Decimal
    alerts: list

    @property
    def left(self) -> Decimal:
        return self.total - self.used

    @property
    def used_percent(self) -> int:
        return int(self.used * 100 / self.total) if self.total else 0


def credits_of(startup: Startup) -> Credits:
    used, total = credit_usage(startup)
    beyond = CreditCharge.objects.filter(startup=startup).aggregate(total=Sum("beyond_usd"))[
        "total"
    ]
    return Credits(
        used=used,
        total=total,
        beyond=Decimal(beyond or 0).quantize(CENT),
        alerts=list(CreditAlert.objects.filter(startup=startup)),
    )


def startup_bookings(startup: Startup):
    return (
        Booking.objects.filter(startup=startup)
        .select_related("gpu_model")
        .order_by("-starts_at", "-pk")
    )


# --- Charts ----------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 220, 36


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    kind: str


@dataclass
class Chart:
    days: list[date]
    used: list[Decimal]
    booked: list[Decimal]
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, label)
    labels: list[tuple[float, str]]  # (x, day label)
    line: str  # SVG points of cumulative use, as a share of the quota
    quota_y: float
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    pad: int = CHART_PAD

    @property
    def empty(self) -> bool:
        return not any(self.used) and not any(self.booked)


def _local_day(value: datetime) -> date:
    return timezone.localtime(value).date()


def usage_by_day(startup: Startup, first: date, last: date) -> dict[date, Decimal]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), zone)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), zone)
    rows = (
        UsageRecord.objects.filter(startup=startup, ended_at__gte=start, ended_at__lt=end)
        .annotate(day=TruncDate("ended_at", tzinfo=zone))
        .values("day")
        .annotate(hours=Sum("gpu_hours"), jobs=Count("id"))
    )
    return {row["day"]: Decimal(row["hours"] or 0).quantize(TEN_THOUSANDTH) for row in rows}


def booked_by_day(startup: Startup, first: date, last: date) -> dict[date, Decimal]:
    """GPU-hours of confirmed bookings, split over the local days they cover."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), zone)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), zone)
    totals: dict[date, Decimal] = defaultdict(Decimal)
    bookings = Booking.objects.filter(
        startup=startup, state=BookingState.CONFIRMED, starts_at__lt=end, ends_at__gt=start
    ).values_list("starts_at", "ends_at", "gpus")
    for starts_at, ends_at, gpus in bookings:
        cursor = max(starts_at, start)
        finish = min(ends_at, end)
        while cursor < finish:
            local = timezone.localtime(cursor, zone)
            midnight = timezone.make_aware(
                datetime.combine(local.date() + timedelta(days=1), time.min), zone
            )
            step = min(midnight, finish)
            totals[local.date()] += Decimal(gpus) * Decimal((step - cursor).total_seconds()) / 3600
            cursor = step
    return {day: hours.quantize(TEN_THOUSANDTH) for day, hours in totals.items()}


def usage_chart(startup: Startup, *, days: int = 28, quota: Quota | None = None) -> Chart:
    """Daily GPU-hours used and booked over the last `days` days up to the next week, as
    SVG geometry, and the cumulative use against the quota as a line."""
    today = timezone.localdate()
    first, last = today - timedelta(days=days - 1), today + timedelta(days=7)
    used_map = usage_by_day(startup, first, last)
    booked_map = booked_by_day(startup, first, last)
    quota = quota or quota_of(startup)
    span = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    used = [used_map.get(day, ZERO) for day in span]
    booked = [booked_map.get(day, ZERO) for day in span]
    top = max([*used, *booked, Decimal(1)])
    inner_w = CHART_WIDTH - 2 * CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    slot = inner_w / len(span)
    bars = []
    for index, day in enumerate(span):
        for offset, (kind, value) in enumerate((("used", used[index]), ("booked", booked[index]))):
            if value <= 0:
                continue
            height = float(value / top) * inner_h
            bars.append(
                Bar(
                    x=round(CHART_PAD + index * slot + offset * slot * 0.45 + slot * 0.05, 1),
                    y=round(CHART_PAD + inner_h - height, 1),
                    width=round(slot * 0.42, 1),
                    height=round(height, 1),
                    label=f"{day:%Y-%m-%d}: {value}",
                    kind=kind,
                )
            )
    ticks = [
        (round(CHART_PAD + inner_h - inner_h * share, 1), f"{(top * Decimal(share)):.0f}")
        for share in (0, 0.5, 1)
    ]
    labels = [
        (round(CHART_PAD + index * slot + slot / 2, 1), f"{day:%m-%d}")
        for index, day in enumerate(span)
        if index % 7 == 0
    ]
    # The cumulative line is on its own scale: 0 at the bottom, the whole quota at the top.
    before = quota.used - sum(used_map.get(day, ZERO) for day in span if day <= today)
    running = max(before, ZERO)
    points = []
    for index, day in enumerate(span):
        if day > today:
            break
        running += used[index]
        share = float(running / quota.total) if quota.total else 0.0
        x = CHART_PAD + index * slot + slot / 2
        y = CHART_PAD + inner_h - min(share, 1) * inner_h
        points.append(f"{x:.1f},{y:.1f}")
    return Chart(
        days=span,
        used=used,
        booked=booked,
        bars=bars,
        ticks=ticks,
        labels=labels,
        line=" ".join(points),
        quota_y=CHART_PAD,
    )


# --- Availability ----------------------------------------------------------------------------


@dataclass
class Week:
    gpu_model: GpuModel
    capacity: int
    start: date
    days: list[date]
    hours: list[int]
    rows: list[tuple[int, list[int]]]  # (hour, free GPUs on each day)

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.start + timedelta(days=7)


WEEK_REACH = timedelta(days=730)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def availability(gpu_model: GpuModel, start: date) -> Week:
    """Free GPUs of a model in each local hour of the week that begins on `start` (a Monday)."""
    zone = timezone.get_current_timezone()
    # Two years either way is more than bookings reach, and keeps date arithmetic in range.
    today = timezone.localdate()
    start = week_start(min(max(start, today - WEEK_REACH), today + WEEK_REACH))
    begin = timezone.make_aware(datetime.combine(start, time.min), zone)
    end = begin + timedelta(days=7)
    total = (
        Node.objects.filter(gpu_model=gpu_model, active=True).aggregate(total=Sum("gpu_count"))[
            "total"
        ]
        or 0
    )
    load = [0] * (7 * 24)
    bookings = Booking.objects.filter(
        gpu_model=gpu_model, state=BookingState.CONFIRMED, starts_at__lt=end, ends_at__gt=begin
    ).values_list("starts_at", "ends_at", "gpus")
    for starts_at, ends_at, gpus in bookings:
        first = max(0, int((starts_at - begin).total_seconds() // 3600))
        last = min(len(load), int(-(-(ends_at - begin).total_seconds() // 3600)))
        for slot in range(first, last):
            load[slot] += gpus
    days = [start + timedelta(days=offset) for offset in range(7)]
    rows = [
        (hour, [max(total - load[day * 24 + hour], 0) for day in range(7)]) for hour in range(24)
    ]
    return Week(
        gpu_model=gpu_model,
        capacity=total,
        start=start,
        days=days,
        hours=list(range(24)),
        rows=rows,
    )


def gpu_models_with_capacity():
    return GpuModel.objects.annotate(
        capacity=Sum("nodes__gpu_count", filter=Q(nodes__active=True)),
        node_count=Count("nodes", filter=Q(nodes__active=True)),
    ).order_by("name")


# --- Staff overview and exports --------------------------------------------------------------


@dataclass
class QuotaRow:
    startup: Startup
    account: ComputeAccount | None
    left: Decimal
    used: Decimal

    @property
    def total(self) -> Decimal:
        return self.left + self.used


def quota_rows() -> list[QuotaRow]:
    """Every startup that holds GPU-hours or has cluster names (two queries)."""
    balances: dict[int, dict] = defaultdict(dict)
    for startup_id, kind, balance in Account.objects.filter(
        startup__isnull=False, resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS
    ).values_list("startup_id", "kind", "balance"):
        balances[startup_id][kind] = Decimal(balance).quantize(TEN_THOUSANDTH)
    startups = (
        Startup.objects.filter(Q(pk__in=list(balances)) | Q(compute_account__isnull=False))
        .select_related("compute_account")
        .order_by("name")
    )
    rows = []
    for startup in startups:
        held = balances.get(startup.pk, {})
        rows.append(
            QuotaRow(
                startup=startup,
                account=getattr(startup, "compute_account", None),
                left=held.get(AccountKind.ASSET, ZERO),
                used=held.get(AccountKind.SPEND, ZERO),
            )
        )
    return rows


def sacctmgr_script(clusters) -> str:
    """`sacctmgr` commands that set each startup's GPU limit, in GPU-minutes.

    Slurm's GrpTRESMins caps what an account's jobs use in all (it counts the account's usage
    since its creation, unless the cluster resets usage), so the limit is everything granted:
    what is left plus what has been used.
    """
    lines = [
        "#!/bin/sh",
        "# GPU quotas from Nurture (HKAI Lab), generated "
        + timezone.now().isoformat(timespec="seconds"),
        "# GrpTRESMins=gres/gpu=<GPU-minutes granted in all: used plus left>",
        "set -e",
    ]
    rows = [row for row in quota_rows() if row.account is not None]
    for cluster in clusters:
        for row in rows:
            minutes = int(row.total * 60)
            lines.append(
                f"sacctmgr --immediate modify account where name={row.account.slurm_account} "
                f"cluster={cluster.slug} set GrpTRESMins=gres/gpu={minutes}"
            )
    return "\n".join(lines) + "\n"


def resource_quotas_yaml() -> str:
    """One Kubernetes ResourceQuota per startup namespace: its GPUs at once, none when its
    GPU-hours have run out."""
    documents = []
    for row in quota_rows():
        if row.account is None:
            continue
        gpus = row.account.max_gpus if row.left > 0 else 0
        documents.append(
            "\n".join(
                [
                    "apiVersion: v1",
                    "kind: ResourceQuota",
                    "metadata:",
                    "  name: nurture-gpu-quota",
                    f"  namespace: {row.account.namespace}",
                    "  labels:",
                    "    app.kubernetes.io/managed-by: nurture",
                    "  annotations:",
                    f'    nurture.hkai-lab/gpu-hours-left: "{row.left}"',
                    f'    nurture.hkai-lab/gpu-hours-granted: "{row.total}"',
                    "spec:",
                    "  hard:",
                    f'    requests.nvidia.com/gpu: "{gpus}"',
                ]
            )
        )
    return "---\n" + "\n---\n".join(documents) + "\n" if documents else ""
