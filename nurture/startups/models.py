import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Startup(models.Model):
    """A company that applies to the programme; its members are founders' user accounts."""

    name = models.CharField(_("startup name"), max_length=200)
    legal_name = models.CharField(_("registered company name"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    registered_in_hk = models.BooleanField(_("registered in Hong Kong"), default=False)
    business_registration_number = models.CharField(
        _("Hong Kong business registration number"), max_length=32, blank=True
    )
    date_founded = models.DateField(_("date founded"), null=True, blank=True)
    sector = models.ForeignKey(
        "programmes.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="startups",
    )
    summary = models.TextField(_("one-paragraph summary"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="StartupMember", related_name="startups"
    )

    class Meta:
        verbose_name = _("startup")
        verbose_name_plural = _("startups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    FOUNDER = "founder", _("Founder")
    COFOUNDER = "cofounder", _("Co-founder")


class StartupMember(models.Model):
    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.FOUNDER)
    title = models.CharField(_("title"), max_length=100, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("startup member")
        verbose_name_plural = _("startup members")
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["startup", "user"], name="startup_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.startup}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """An invitation for a co-founder to join a startup, accepted through a link by e-mail."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.startup}"

    @property
    def is_pending(self) -> bool:
        age = timezone.now() - self.created_at
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and age.days < settings.INVITATION_MAX_AGE_DAYS
        )
