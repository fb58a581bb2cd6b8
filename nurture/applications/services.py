"""Every change to an application goes through here: one transaction and one audit entry each.

The deadline is checked inside the transaction, against the locked row, so no client (form,
API, replayed request) can change or submit an application once its call has closed.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail
from nurture.privacy.models import NoticeKind
from nurture.privacy.services import consent_record, notice_current
from nurture.startups.permissions import is_member

from . import eligibility
from .models import Application, ApplicationState, Platform
from .uploads import clean_filename, validate_pitch_deck

EDITABLE_FIELDS = frozenset(
    {
        "registered_in_hk",
        "hk_presence_plan",
        "business_registration_number",
        "date_founded",
        "team_size",
        "full_time_staff",
        "technical_staff",
        "founders_equity",
        "product_description",
        "ai_description",
        "sector",
        "stage",
        "traction",
        "funding_raised_usd",
        "gpu_hours_per_month",
        "platforms",
        "lab_needs",
    }
)
WITHDRAWABLE_STATES = frozenset(
    {
        ApplicationState.DRAFT,
        ApplicationState.SUBMITTED,
        ApplicationState.UNDER_REVIEW,
        ApplicationState.SHORTLISTED,
    }
)
REMINDER_WINDOW = timedelta(hours=72)


class ApplicationError(Exception):
    """A refused change; the message is for the person who asked for it."""

    def __init__(self, message: str, *, problems: list | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.code = code


def _require_member(user, application_or_startup) -> None:
    startup = getattr(application_or_startup, "startup", application_or_startup)
    if not is_member(user, startup):
        raise ApplicationError(_("Only the startup's founders can do this."), code="forbidden")


def _require_call_open(cohort) -> None:
    call = getattr(cohort, "call", None)
    now = timezone.now()
    if call is None or now < call.opens_at:
        raise ApplicationError(_("This call is not open yet."), code="call_not_open")
    if now >= call.closes_at:
        raise ApplicationError(
            _("The call closed on %(when)s; applications can no longer be changed.")
            % {"when": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M")},
            code="call_closed",
        )


def _lock(application: Application) -> Application:
    return (
        # of=("self",): PostgreSQL cannot lock the nullable side of an outer join, and only the
        # application's row needs the lock.
        Application.objects.select_for_update(of=("self",))
        .select_related("cohort__call", "cohort__programme", "startup")
        .get(pk=application.pk)
    )


def _in_each_language(value) -> dict[str, str]:
    """A value for a bilingual e-mail, worked out in English and in Traditional Chinese."""
    result = {}
    for language in ("en", "zh-hant"):
        with translation.override(language):
            result[language] = str(value())
    return result


def _members_emails(application: Application) -> list[str]:
    return list(application.startup.members.values_list("email", flat=True))


@transaction.atomic
def application_start(*, user, startup, cohort) -> Application:
    """Open a draft for a startup in a cohort whose call is open; one per startup per cohort."""
    _require_member(user, startup)
    _require_call_open(cohort)
    notice = notice_current(kind=NoticeKind.COLLECTION)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                cohort=cohort,
                startup=startup,
                created_by=user,
                registered_in_hk=startup.registered_in_hk,
                business_registration_number=startup.business_registration_number,
                date_founded=startup.date_founded,
                sector=startup.sector,
                collection_notice=notice,
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("%(startup)s already has an application for %(cohort)s.")
            % {"startup": startup.name, "cohort": cohort.name},
            code="duplicate",
        ) from exc
    consent_record(
        user=user, kind=NoticeKind.COLLECTION, granted=True, context=f"application:{application.pk}"
    )
    audit_record(
        actor=user, action="application.created", target=application, summary=str(application)
    )
    return application


@transaction.atomic
def application_update(
    *, user, application: Application, data: dict[str, Any], pitch_deck=None
) -> Application:
    """Change a draft's answers and, optionally, replace its pitch deck."""
    _require_member(user, application)
    application = _lock(application)
    _require_call_open(application.cohort)
    if not application.is_editable_state:
        raise ApplicationError(
            _("Only a draft can be changed; this application is %(state)s.")
            % {"state": application.get_state_display().lower()},
            code="not_draft",
        )
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if "platforms" in data:
        valid = set(Platform.values)
        platforms = list(dict.fromkeys(data["platforms"] or []))
        if not set(platforms) <= valid:
            raise ApplicationError(_("Unknown platform."))
        data = {**data, "platforms": platforms}
    changed = [name for name, value in data.items() if getattr(application, name) != value]
    for name in changed:
        setattr(application, name, data[name])
    if pitch_deck is not None:
        validate_pitch_deck(pitch_deck)
        old = application.pitch_deck.name if application.pitch_deck else None
        application.pitch_deck_name = clean_filename(pitch_deck.name)
        application.pitch_deck_size = pitch_deck.size
        application.pitch_deck.save(application.pitch_deck_name, pitch_deck, save=False)
        changed += ["pitch_deck", "pitch_deck_name", "pitch_deck_size"]
        if old:
            storage = application.pitch_deck.storage
            transaction.on_commit(lambda: storage.delete(old))
    if changed:
        application.updated_at = timezone.now()
        application.full_clean(exclude=["pitch_deck", "cohort", "startup"], validate_unique=False)
        application.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=user,
            action="application.updated",
            target=application,
            summary=str(application),
            data={"fields": sorted(set(changed))},
        )
    return application


@transaction.atomic
def application_submit(*, user, application: Application) -> Application:
    _require_member(user, application)
    application = _lock(application)
    _require_call_open(application.cohort)
    if application.state != ApplicationState.DRAFT:
        raise ApplicationError(
            _("Only a draft can be submitted; this application is %(state)s.")
            % {"state": application.get_state_display().lower()},
            code="not_draft",
        )
    problems = eligibility.check(application)
    if problems:
        raise ApplicationError(
            _("The application is not ready to submit."), problems=problems, code="ineligible"
        )
    application.state = ApplicationState.SUBMITTED
    application.submitted_at = timezone.now()
    application.updated_at = application.submitted_at
    application.save(update_fields=["state", "submitted_at", "updated_at"])
    audit_record(
        actor=user,
        action="application.submitted",
        target=application,
        summary=str(application),
        data={"from": ApplicationState.DRAFT, "to": ApplicationState.SUBMITTED},
    )
    context = {
        "startup_name": application.startup.name,
        "cohort_name": _in_each_language(lambda: application.cohort.display_name),
        "submitted_at": timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M"),
        "link": f"{settings.SITE_URL}/applications/{application.pk}/",
    }
    emails = _members_emails(application)
    transaction.on_commit(
        lambda: send_bilingual_mail(
            to=emails, template="applications/email/received", context=context
        )
    )
    return application


@transaction.atomic
def application_withdraw(*, user, application: Application) -> Application:
    """Withdraw before a decision. Allowed after the deadline too: it changes no answers."""
    _require_member(user, application)
    application = _lock(application)
    if application.state not in WITHDRAWABLE_STATES:
        raise ApplicationError(
            _("This application is %(state)s and can no longer be withdrawn.")
            % {"state": application.get_state_display().lower()},
            code="not_withdrawable",
        )
    previous = application.state
    application.state = ApplicationState.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.updated_at = application.withdrawn_at
    application.save(update_fields=["state", "withdrawn_at", "updated_at"])
    audit_record(
        actor=user,
        action="application.withdrawn",
        target=application,
        summary=str(application),
        data={"from": previous, "to": ApplicationState.WITHDRAWN},
    )
    return application


@transaction.atomic
def application_reopen(*, user, application: Application) -> Application:
    """Turn a withdrawn application back into a draft while its call is still open."""
    _require_member(user, application)
    application = _lock(application)
    _require_call_open(application.cohort)
    if application.state != ApplicationState.WITHDRAWN:
        raise ApplicationError(
            _("Only a withdrawn application can be reopened."), code="not_withdrawn"
        )
    application.state = ApplicationState.DRAFT
    application.submitted_at = None
    application.withdrawn_at = None
    application.updated_at = timezone.now()
    application.save(update_fields=["state", "submitted_at", "withdrawn_at", "updated_at"])
    audit_record(
        actor=user,
        action="application.reopened",
        target=application,
        summary=str(application),
        data={"from": ApplicationState.WITHDRAWN, "to": ApplicationState.DRAFT},
    )
    return application


def application_record_view(*, user, application: Application, what: str = "details") -> None:
    """Log a staff member's view of an application's personal data (PDPO accountability)."""
    if user.is_programme_staff:
        audit_record(
            actor=user,
            action=f"application.viewed_{what}",
            target=application,
            summary=str(application),
        )


def application_send_deadline_reminders(*, now=None) -> int:
    """Remind founders of drafts whose call closes within 72 hours; each draft once."""
    now = now or timezone.now()
    drafts = (
        Application.objects.filter(
            state=ApplicationState.DRAFT,
            deadline_reminder_sent_at__isnull=True,
            cohort__call__closes_at__gt=now,
            cohort__call__closes_at__lte=now + REMINDER_WINDOW,
        )
        .select_related("startup", "cohort__call")
        .prefetch_related("startup__members")
    )
    sent = 0
    for draft in drafts:
        with transaction.atomic():
            claimed = Application.objects.filter(
                pk=draft.pk, deadline_reminder_sent_at__isnull=True
            ).update(deadline_reminder_sent_at=now)
            if not claimed:
                continue
            audit_record(
                actor=None, action="application.deadline_reminder", target=draft, summary=str(draft)
            )
            emails = [m.email for m in draft.startup.members.all()]
            context = {
                "startup_name": draft.startup.name,
                "cohort_name": _in_each_language(lambda draft=draft: draft.cohort.display_name),
                "closes_at": timezone.localtime(draft.cohort.call.closes_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "link": f"{settings.SITE_URL}/applications/{draft.pk}/",
            }
            transaction.on_commit(
                lambda emails=emails, context=context: send_bilingual_mail(
                    to=emails, template="applications/email/deadline_reminder", context=context
                )
            )
            sent += 1
    return sent
