from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail
from nurture.privacy.models import NoticeKind
from nurture.privacy.services import consent_record

from .models import ApiToken, Role, TokenScope, User

VERIFY_SALT = "nurture.accounts.verify-email"


class AccountError(ValueError):
    pass


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)


@transaction.atomic
def user_signup(
    *,
    email: str,
    full_name: str,
    password: str,
    preferred_language: str = "en",
    marketing_consent: bool = False,
) -> User:
    """Create a founder account, record consent to the collection notice, mail a link."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(_("An account with this e-mail address already exists."))
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name.strip(),
        role=Role.FOUNDER,
        preferred_language=preferred_language,
    )
    consent_record(user=user, kind=NoticeKind.COLLECTION, granted=True, context="signup")
    if marketing_consent:
        consent_record(user=user, kind=NoticeKind.MARKETING, granted=True, context="signup")
    audit_record(actor=user, action="user.signup", target=user, summary=email)
    user_send_verification(user=user)
    return user


def user_send_verification(*, user: User) -> None:
    if user.email_verified:
        return
    link = f"{settings.SITE_URL}/accounts/verify/{email_verification_token(user)}/"
    transaction.on_commit(
        lambda: send_bilingual_mail(
            to=[user.email],
            template="accounts/email/verify",
            context={"user_name": user.full_name, "link": link},
        )
    )


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise AccountError(_("This verification link has expired.")) from exc
    except signing.BadSignature as exc:
        raise AccountError(_("This verification link is not valid.")) from exc
    user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise AccountError(_("This verification link is not valid."))
    if not user.email_verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(actor=user, action="user.email_verified", target=user)
    return user


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, preferred_language: str) -> User:
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    audit_record(actor=user, action="user.profile_updated", target=user)
    return user


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at=None, scopes: str = TokenScope.READ_WRITE
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored nor shown again.

    The tokens page proposes read only; code that creates a token says what it needs."""
    if scopes not in TokenScope.values:
        raise AccountError(_("Choose what the token may do."))
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API token",
        prefix=key[4 : 4 + ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
        expires_at=expires_at,
        scopes=scopes,
    )
    audit_record(
        actor=user,
        action="api_token.created",
        target=token,
        summary=token.name,
        data={"scopes": scopes},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise AccountError(_("This token is not yours."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="api_token.revoked", target=token, summary=token.name)
    return token


def api_token_find(*, key: str) -> ApiToken | None:
    """The usable token with this secret (its user loaded), or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_authenticate(*, key: str) -> User | None:
    token = api_token_find(key=key)
    return token.user if token is not None else None
