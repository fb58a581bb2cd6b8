import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FOUNDER = "founder", _("Founder")
    REVIEWER = "reviewer", _("Reviewer / advisor")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    FINANCE_APPROVER = "finance_approver", _("Finance approver")
    PARTNER = "partner", _("Partner")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMINISTRATOR)
        extra.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address; one role decides their dashboard."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.FOUNDER)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("en", "English"), ("zh-hant", "繁體中文")],
        default="en",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Lets an administrator use the Django admin site."),
    )
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_programme_staff(self) -> bool:
        """Lab staff who run calls: programme managers and administrators."""
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_founder(self) -> bool:
        return self.role == Role.FOUNDER

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class TokenScope(models.TextChoices):
    """What a token may do: read only (GET, HEAD, OPTIONS), or read and change (every method);
    always within its owner's own permissions."""

    READ = "read", _("Read only")
    READ_WRITE = "read write", _("Read and write")


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the secret is shown once, at creation."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(
        _("scopes"), max_length=32, choices=TokenScope.choices, default=TokenScope.READ_WRITE
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate_key(cls) -> str:
        return "nrt_" + secrets.token_urlsafe(32)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def can_write(self) -> bool:
        return "write" in self.scope_set

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
