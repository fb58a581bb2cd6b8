"""Reads of seed funding, each in a fixed number of queries."""

from decimal import Decimal

from django.db.models import Prefetch

from nurture.applications.models import Application, ApplicationState

from .models import Disbursement, DisbursementStatus, Tranche


def _with_state(tranches) -> list[Tranche]:
    """Each tranche with `live` (its pending or paid request, if any) and `rejected` requests."""
    tranches = list(tranches)
    for tranche in tranches:
        requests = list(tranche.disbursements.all())
        tranche.live = next((d for d in requests if d.status != DisbursementStatus.REJECTED), None)
        tranche.rejected = [d for d in requests if d.status == DisbursementStatus.REJECTED]
    return tranches


def _disbursements_prefetch():
    return Prefetch(
        "disbursements",
        queryset=Disbursement.objects.select_related("decided_by").order_by("-requested_at"),
    )


def schedule(application: Application) -> list[Tranche]:
    return _with_state(
        application.tranches.prefetch_related(_disbursements_prefetch()).order_by("position")
    )


def schedule_totals(tranches: list[Tranche]) -> dict:
    paid = sum(
        (t.amount for t in tranches if t.live and t.live.status == DisbursementStatus.APPROVED),
        Decimal(0),
    )
    total = sum((t.amount for t in tranches), Decimal(0))
    return {
        "total": total,
        "paid": paid,
        "left": total - paid,
        "currency": tranches[0].currency if tranches else "USD",
    }


def admitted_of_user(user) -> list[Application]:
    """The accepted applications of the user's startups, each with its schedule."""
    applications = list(
        Application.objects.filter(
            state=ApplicationState.ACCEPTED, startup__memberships__user_id=user.pk
        )
        .select_related("startup", "cohort")
        .prefetch_related(
            Prefetch(
                "tranches",
                queryset=Tranche.objects.prefetch_related(_disbursements_prefetch()).order_by(
                    "position"
                ),
            )
        )
        .order_by("-cohort__starts_on", "startup__name")
    )
    for application in applications:
        application.schedule = _with_state(application.tranches.all())
        application.totals = schedule_totals(application.schedule)
    return applications


def cohort_schedules(cohort) -> list[Application]:
    """A cohort's admitted startups, each with its schedule (empty if not drawn up)."""
    applications = list(
        Application.objects.filter(cohort=cohort, state=ApplicationState.ACCEPTED)
        .select_related("startup", "cohort")
        .prefetch_related(
            Prefetch(
                "tranches",
                queryset=Tranche.objects.prefetch_related(_disbursements_prefetch()).order_by(
                    "position"
                ),
            )
        )
        .order_by("startup__name")
    )
    for application in applications:
        application.schedule = _with_state(application.tranches.all())
        application.totals = schedule_totals(application.schedule)
    return applications


def disbursements(status: str | None = None):
    queryset = Disbursement.objects.select_related(
        "tranche__application__startup",
        "tranche__application__cohort",
        "requested_by",
        "decided_by",
    ).order_by("-requested_at", "-id")
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def approval_queue(user) -> list[Disbursement]:
    """Requests waiting for a finance approver, oldest first; their own are marked, not hidden."""
    queue = list(disbursements(DisbursementStatus.PENDING).order_by("requested_at", "id"))
    for disbursement in queue:
        disbursement.own = disbursement.requested_by_id == user.pk
    return queue


def staff_todo() -> dict[str, int]:
    """What programme staff must do next about seed funding, as counts (three queries)."""
    from django.utils import timezone

    today = timezone.localdate()
    live = [DisbursementStatus.PENDING, DisbursementStatus.APPROVED]
    return {
        "schedules_missing": Application.objects.filter(
            state=ApplicationState.ACCEPTED, tranches__isnull=True
        ).count(),
        "tranches_to_request": Tranche.objects.filter(
            application__state=ApplicationState.ACCEPTED, due_on__lte=today
        )
        .exclude(disbursements__status__in=live)
        .count(),
        "awaiting_finance": Disbursement.objects.filter(status=DisbursementStatus.PENDING).count(),
    }
