"""Each role's landing page: what that person must do next."""

from django.db.models import Count, Q
from django.utils import timezone

from nurture.applications.models import Application, ApplicationState
from nurture.audit.models import AuditEntry
from nurture.funding.selectors import approval_queue
from nurture.funding.selectors import staff_todo as funding_staff_todo
from nurture.platforms.selectors import staff_todo as platforms_staff_todo
from nurture.privacy.selectors import data_requests_due_summary
from nurture.programmes.models import Cohort
from nurture.programmes.selectors import calls_open, cohorts_with_counts, programme_default
from nurture.reviewers.selectors import reviewer_bidding
from nurture.reviews.selectors import reviewer_dashboard
from nurture.startups.selectors import pending_invitations, startups_with_applications


def founder(user):
    # Two written-out queries (nurture/startups/selectors.py): the page founders open most.
    startups, applications = startups_with_applications(user)
    applied_cohorts = {(a.startup_id, a.cohort_id) for a in applications}
    open_calls = calls_open()
    can_apply = [
        (call, [s for s in startups if (s.pk, call.cohort_id) not in applied_cohorts])
        for call in open_calls
    ]
    invitations = pending_invitations(user.email)
    now = timezone.now()
    drafts_to_finish = [
        a
        for a in applications
        if a.state == ApplicationState.DRAFT
        and a.cohort.call.opens_at <= now < a.cohort.call.closes_at
    ]
    return "core/dashboard_founder.html", {
        "startups": startups,
        "applications": applications,
        "drafts_to_finish": drafts_to_finish,
        "can_apply": [(call, free) for call, free in can_apply if free],
        "invitations": invitations,
        "now": timezone.now(),
        "admitted": [a for a in applications if a.state == ApplicationState.ACCEPTED],
    }


def programme_manager(user):
    cohorts = list(cohorts_with_counts()[:8])
    open_cohort_ids = [c.cohort_id for c in calls_open()]
    recent = list(
        Application.objects.filter(state=ApplicationState.SUBMITTED)
        .select_related("startup", "cohort", "sector")
        .order_by("-submitted_at")[:8]
    )
    return "core/dashboard_staff.html", {
        "cohorts": cohorts,
        "open_cohorts": [c for c in cohorts if c.pk in open_cohort_ids],
        "recent": recent,
        "audit_recent": list(AuditEntry.objects.select_related("actor")[:6]),
        "privacy_due": data_requests_due_summary(),
        "funding_todo": funding_staff_todo(),
        "platforms_todo": platforms_staff_todo(),
    }


def reviewer(user):
    open_calls = calls_open()
    return "core/dashboard_reviewer.html", {
        "reviewing": reviewer_dashboard(user),
        "bidding": reviewer_bidding(user),
        "open_calls": open_calls,
        "submitted": Application.objects.filter(
            cohort_id__in=[c.cohort_id for c in open_calls], state=ApplicationState.SUBMITTED
        ).count(),
    }


def finance_approver(user):
    programme = programme_default()
    return "core/dashboard_finance.html", {
        "programme": programme,
        "disbursement_queue": approval_queue(user),
        "benefits": list(programme.benefits.all()) if programme else [],
        "cohorts": list(
            Cohort.objects.annotate(
                n_accepted=Count("applications", filter=Q(applications__state="accepted"))
            ).order_by("-starts_on")[:6]
        ),
    }


def partner(user):
    today = timezone.localdate()
    current = (
        Cohort.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on")
        .first()
    )
    startups = []
    if current is not None:
        startups = list(
            Application.objects.filter(cohort=current, state=ApplicationState.ACCEPTED)
            .select_related("startup", "sector")
            .order_by("startup__name")
        )
    return "core/dashboard_partner.html", {
        "cohort": current,
        "admitted": startups,
        "open_calls": calls_open(),
    }
