"""Every write to platform access: one transaction and one audit entry each."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nurture.accounts.models import STAFF_ROLES, User
from nurture.applications.models import Application, ApplicationState
from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail

from .models import AccessStatus, Platform, PlatformAccess
from .permissions import can_request_access, is_programme_staff


class PlatformError(Exception):
    """A refused change; nothing was written. The message is for the person who asked."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _clean(value, *, field: str) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        # PostgreSQL cannot store U+0000 in text: bad input, not a failure later.
        raise PlatformError(_("Null characters are not allowed."), field=field)
    return text


def _require_staff(actor) -> None:
    if not is_programme_staff(actor):
        raise PlatformError(_("Only programme staff can do this."), code="forbidden")


def _lock(access: PlatformAccess) -> PlatformAccess:
    return (
        PlatformAccess.objects.select_for_update(of=("self",))
        .select_related("platform", "application__startup", "application__cohort")
        .get(pk=access.pk)
    )


def _state_error(access: PlatformAccess, wanted: str) -> PlatformError:
    return PlatformError(
        _("This account is %(status)s; only one that is %(wanted)s can be changed this way.")
        % {"status": access.get_status_display().lower(), "wanted": wanted},
        code="state",
    )


@transaction.atomic
def platform_save(*, actor, data: dict, platform: Platform | None = None) -> Platform:
    """Add a platform, or change one; staff only."""
    _require_staff(actor)
    platform = platform or Platform()
    created = platform.pk is None
    for name in (
        "name",
        "name_zh_hant",
        "slug",
        "provider",
        "url",
        "description",
        "description_zh_hant",
        "is_active",
        "position",
    ):
        if name in data:
            setattr(platform, name, data[name])
    try:
        with transaction.atomic():
            platform.full_clean()
            platform.save()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise PlatformError(messages[0], field=None if field == "__all__" else field) from None
    except IntegrityError:
        raise PlatformError(_("A platform with this name already exists."), field="name") from None
    audit_record(
        actor=actor,
        action="platforms.platform_created" if created else "platforms.platform_changed",
        target=platform,
        summary=platform.name,
    )
    return platform


@transaction.atomic
def platform_access_request(
    *, application: Application, platform: Platform, actor, purpose: str = ""
) -> PlatformAccess:
    """A founder of an admitted startup asks for an account, for the rest of its programme."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("startup", "cohort")
        .get(pk=application.pk)
    )
    if not can_request_access(actor, application):
        if application.state != ApplicationState.ACCEPTED:
            raise PlatformError(
                _("Platform accounts are for admitted startups."), code="not_accepted"
            )
        raise PlatformError(_("Only the startup's founders can ask for this."), code="forbidden")
    if not platform.is_active:
        raise PlatformError(
            _("%(platform)s is not open for requests.") % {"platform": platform.display_name},
            field="platform",
        )
    if application.cohort.ends_on < timezone.localdate():
        raise PlatformError(
            _("The programme ended on %(day)s; access ends with it.")
            % {"day": application.cohort.ends_on.isoformat()},
            code="ended",
        )
    purpose = _clean(purpose, field="purpose")
    if len(purpose) > 2000:
        raise PlatformError(_("At most %(limit)d characters.") % {"limit": 2000}, field="purpose")
    try:
        with transaction.atomic():
            access = PlatformAccess.objects.create(
                platform=platform,
                application=application,
                purpose=purpose,
                requested_by=actor,
                ends_on=application.cohort.ends_on,
            )
    except IntegrityError:
        raise PlatformError(
            _("%(startup)s already has an open request or account on %(platform)s.")
            % {"startup": application.startup.name, "platform": platform.display_name},
            code="duplicate",
        ) from None
    audit_record(
        actor=actor,
        action="platforms.access_requested",
        target=access,
        summary=str(access),
        data={"platform": platform.slug},
    )
    return access


@transaction.atomic
def platform_access_provision(
    *, access: PlatformAccess, actor, account_identifier: str, note: str = ""
) -> PlatformAccess:
    """Staff record the account they opened on the platform."""
    _require_staff(actor)
    identifier = _clean(account_identifier, field="account_identifier")
    note = _clean(note, field="note")
    if not identifier:
        raise PlatformError(
            _("Give the account's identifier on the platform."), field="account_identifier"
        )
    if len(identifier) > 200:
        raise PlatformError(
            _("At most %(limit)d characters.") % {"limit": 200}, field="account_identifier"
        )
    access = _lock(access)
    if access.status != AccessStatus.REQUESTED:
        raise _state_error(access, AccessStatus.REQUESTED.label.lower())
    access.status = AccessStatus.PROVISIONED
    access.account_identifier = identifier
    access.provisioned_by = actor
    access.provisioned_at = timezone.now()
    access.note = (note or "").strip()[:2000] or access.note
    access.save(
        update_fields=["status", "account_identifier", "provisioned_by", "provisioned_at", "note"]
    )
    audit_record(
        actor=actor,
        action="platforms.access_provisioned",
        target=access,
        summary=str(access),
        data={"account": identifier},
    )
    emails = list(access.application.startup.members.values_list("email", flat=True))
    context = {
        "startup_name": access.application.startup.name,
        "platform": {
            "en": access.platform.name,
            "zh-hant": access.platform.name_zh_hant or access.platform.name,
        },
        "account": identifier,
        "ends_on": access.ends_on.isoformat(),
        "link": f"{settings.SITE_URL}/platforms/",
    }
    if emails:
        transaction.on_commit(
            lambda: send_bilingual_mail(
                to=emails, template="platforms/email/provisioned", context=context
            )
        )
    return access


@transaction.atomic
def platform_access_close(*, access: PlatformAccess, actor, note: str = "") -> PlatformAccess:
    """Staff revoke a provisioned account, or decline a request not yet provisioned."""
    _require_staff(actor)
    note = _clean(note, field="note")
    access = _lock(access)
    if access.status == AccessStatus.PROVISIONED:
        access.status = AccessStatus.REVOKED
    elif access.status == AccessStatus.REQUESTED:
        access.status = AccessStatus.DECLINED
    else:
        raise PlatformError(
            _("This account is already %(status)s.")
            % {"status": access.get_status_display().lower()},
            code="state",
        )
    access.closed_by = actor
    access.closed_at = timezone.now()
    access.note = (note or "").strip()[:2000] or access.note
    access.save(update_fields=["status", "closed_by", "closed_at", "note"])
    audit_record(
        actor=actor,
        action=f"platforms.access_{access.status}",
        target=access,
        summary=str(access),
    )
    return access


def revocations_due(today: date | None = None):
    today = today or timezone.localdate()
    return (
        PlatformAccess.objects.filter(status=AccessStatus.PROVISIONED, ends_on__lt=today)
        .select_related("platform", "application__startup", "application__cohort")
        .order_by("ends_on", "id")
    )


@transaction.atomic
def platform_revocation_reminders_send(*, today: date | None = None) -> int:
    """E-mail programme staff the accounts whose programme has ended and that are still open.

    Run daily (`nurture send_platform_revocation_reminders`); each account is listed once a
    day until staff mark it revoked. Returns how many accounts the reminder listed.
    """
    today = today or timezone.localdate()
    due = list(revocations_due(today).select_for_update(of=("self",)).exclude(reminded_on=today))
    if not due:
        return 0
    emails = list(
        User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )
    PlatformAccess.objects.filter(pk__in=[a.pk for a in due]).update(reminded_on=today)
    lines = {}
    for language in ("en", "zh-hant"):
        with translation.override(language):
            lines[language] = "\n".join(
                f"- {a.application.startup.name}: {a.platform.display_name} "
                f"({a.account_identifier}), {_('ended on')} {a.ends_on.isoformat()}"
                for a in due
            )
    audit_record(
        actor=None,
        action="platforms.revocation_reminder",
        summary=_("Revocation reminder for %(count)d accounts") % {"count": len(due)},
        data={"accesses": [a.pk for a in due]},
    )
    if emails:
        context = {
            "count": len(due),
            "accounts": lines,
            "link": f"{settings.SITE_URL}/platforms/manage/?show=due",
        }
        transaction.on_commit(
            lambda: send_bilingual_mail(
                to=emails, template="platforms/email/revocation_due", context=context
            )
        )
    return len(due)
