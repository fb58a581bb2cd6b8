from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nurture.accounts.models import Role
from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail

from .models import Invitation, MemberRole, Startup, StartupMember

PROFILE_FIELDS = (
    "name",
    "legal_name",
    "website",
    "registered_in_hk",
    "business_registration_number",
    "date_founded",
    "sector",
    "summary",
)


class StartupError(ValueError):
    pass


@transaction.atomic
def startup_create(*, user, **fields) -> Startup:
    if user.role != Role.FOUNDER:
        raise StartupError(_("Only founders can create a startup profile."))
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise StartupError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    startup = Startup.objects.create(created_by=user, **fields)
    StartupMember.objects.create(startup=startup, user=user, role=MemberRole.FOUNDER)
    audit_record(actor=user, action="startup.created", target=startup, summary=startup.name)
    return startup


@transaction.atomic
def startup_update(*, user, startup: Startup, **fields) -> Startup:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise StartupError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    changed = [name for name, value in fields.items() if getattr(startup, name) != value]
    for name in changed:
        setattr(startup, name, fields[name])
    if changed:
        startup.save(update_fields=changed)
        audit_record(
            actor=user,
            action="startup.updated",
            target=startup,
            summary=startup.name,
            data={"fields": changed},
        )
    return startup


@transaction.atomic
def invitation_create(*, user, startup: Startup, email: str) -> Invitation:
    email = email.strip().lower()
    if startup.memberships.filter(user__email__iexact=email).exists():
        raise StartupError(_("This person is already a member of the startup."))
    pending = [i for i in startup.invitations.filter(email__iexact=email) if i.is_pending]
    if pending:
        raise StartupError(_("An invitation to this address is already pending."))
    invitation = Invitation.objects.create(startup=startup, email=email, invited_by=user)
    audit_record(actor=user, action="invitation.created", target=startup, summary=email)
    link = f"{settings.SITE_URL}/startups/invitations/{invitation.token}/"
    context = {
        "startup_name": startup.name,
        "inviter_name": user.full_name,
        "link": link,
        "days": settings.INVITATION_MAX_AGE_DAYS,
    }
    transaction.on_commit(
        lambda: send_bilingual_mail(to=[email], template="startups/email/invite", context=context)
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, user, invitation: Invitation) -> Invitation:
    if invitation.accepted_at is not None:
        raise StartupError(_("This invitation has already been accepted."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action="invitation.revoked",
            target=invitation.startup,
            summary=invitation.email,
        )
    return invitation


@transaction.atomic
def invitation_accept(*, user, token: str) -> Startup:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("startup")
        .filter(token=token)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise StartupError(_("This invitation is no longer valid."))
    if invitation.email.lower() != user.email.lower():
        raise StartupError(_("This invitation was sent to another e-mail address."))
    if user.role != Role.FOUNDER:
        raise StartupError(_("Only founder accounts can join a startup."))
    try:
        with transaction.atomic():
            StartupMember.objects.create(
                startup=invitation.startup, user=user, role=MemberRole.COFOUNDER
            )
    except IntegrityError as exc:
        raise StartupError(_("You are already a member of this startup.")) from exc
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        actor=user, action="invitation.accepted", target=invitation.startup, summary=user.email
    )
    return invitation.startup
