from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from nurture.audit.services import audit_record
from nurture.privacy.models import NoticeKind
from nurture.privacy.services import (
    NoticeMissing,
    marketing_consent_given,
    marketing_consent_set,
    notice_current,
)

from . import services
from .forms import (
    ApiTokenForm,
    EmailAuthenticationForm,
    MarketingConsentForm,
    OtpCodeForm,
    ProfileForm,
    ReauthForm,
    ResendVerificationForm,
    SetupCodeForm,
    SignupForm,
)
from .models import ApiToken, User
from .reauth import (
    has_recent_auth,
    mark_recent_auth,
    reauth_redirect,
    reauth_window,
    recent_auth_required,
    safe_next,
)
from .twofactor import (
    TwoFactorError,
    backup_codes_regenerate,
    check_code,
    current_lockout,
    must_verify,
    pending_device,
    provisioning_uri,
    qr_svg,
    remaining_backup_codes,
    secret_grouped,
    two_factor_confirm,
    two_factor_disable,
    two_factor_enabled,
    two_factor_required,
)


def _notice(kind):
    try:
        return notice_current(kind=kind)
    except NoticeMissing:
        return None


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    form = SignupForm(
        request.POST or None, initial={"preferred_language": translation.get_language()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_signup(
                email=data["email"],
                full_name=data["full_name"],
                password=data["password"],
                preferred_language=data["preferred_language"],
                marketing_consent=data["marketing_consent"],
            )
        except services.AccountError:
            form.add_error(
                "email", _("An account with this e-mail address already exists. Sign in instead.")
            )
        else:
            return render(request, "accounts/signup_done.html", {"email": user.email})
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "notice": _notice(NoticeKind.COLLECTION)},
    )


@require_http_methods(["GET", "POST"])
def verify_email(request, token):
    if request.method == "GET":
        # Confirming needs a click: mail scanners that follow links must not verify anyone.
        return render(request, "accounts/verify.html", {"token": token})
    try:
        services.user_verify_email(token=token)
    except services.AccountError as error:
        messages.error(request, str(error))
        return redirect("accounts:resend_verification")
    messages.success(request, _("Your e-mail address is confirmed. You can sign in now."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def resend_verification(request):
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if user is not None and not user.email_verified:
            with transaction.atomic():
                services.user_send_verification(user=user)
        # The same answer whether or not the address has an account, so it reveals nothing.
        messages.info(
            request,
            _("If that address has an unconfirmed account, a new link is on its way."),
        )
        return redirect("accounts:login")
    return render(request, "accounts/resend.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        # The sign-in itself is audited by a user_logged_in receiver (accounts.signals), so
        # that sign-ins elsewhere (the admin site) are recorded too.
        response = super().form_valid(form)
        user = form.get_user()
        translation.activate(user.preferred_language)
        if must_verify(user):
            # The password was right; the code step (or setting up a device) comes next,
            # and nothing else is reachable until then (TwoFactorMiddleware).
            step = (
                "accounts:login_code" if two_factor_enabled(user) else "accounts:two_factor_setup"
            )
            response = redirect(f"{reverse(step)}?{urlencode({'next': self.get_success_url()})}")
        response.set_cookie("django_language", user.preferred_language, samesite="Lax")
        return response


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("core:home")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(
        request.POST if request.POST.get("form") == "profile" else None,
        initial={"full_name": user.full_name, "preferred_language": user.preferred_language},
    )
    consent_form = MarketingConsentForm(
        request.POST if request.POST.get("form") == "marketing" else None,
        initial={"marketing_consent": marketing_consent_given(user=user)},
    )
    if request.method == "POST":
        if form.is_bound and form.is_valid():
            services.user_update_profile(user=user, **form.cleaned_data)
            messages.success(request, _("Your profile is saved."))
            response = redirect("accounts:profile")
            response.set_cookie("django_language", user.preferred_language, samesite="Lax")
            return response
        if consent_form.is_bound and consent_form.is_valid():
            granted = consent_form.cleaned_data["marketing_consent"]
            marketing_consent_set(user=user, granted=granted, context="profile")
            messages.success(
                request,
                _("You will receive news of the Lab's events and programmes.")
                if granted
                else _("You will no longer receive news of the Lab's events and programmes."),
            )
            return redirect("accounts:profile")
    consents = user.consent_records.select_related("notice")[:20]
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "consent_form": consent_form,
            "consents": consents,
            "two_factor": {
                "enabled": two_factor_enabled(user),
                "required": two_factor_required(user),
                "backup_codes_left": remaining_backup_codes(user),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    if request.method == "POST" and not has_recent_auth(request):
        # A token acts as you without a password or 2FA code: confirm it is you first.
        return reauth_redirect(request)
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires = timezone.now() + timedelta(days=days) if days else None
        _token, new_key = services.api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_at=expires,
            scopes=form.cleaned_data["scopes"],
        )
        form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@login_required
@require_http_methods(["GET", "POST"])
def reauth(request):
    """Confirm it is you: the password again, and a two-factor code if you have a device.

    Comes back to `next` (a path on this site only). A form that sent the person here is not
    submitted again by this page: they submit it themselves (nurture.accounts.reauth).
    """
    user = request.user
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    with_code = two_factor_enabled(user)
    form = ReauthForm(request.POST or None, with_code=with_code)
    if request.method == "POST" and form.is_valid():
        confirmed = authenticate(
            request, username=user.email, password=form.cleaned_data["password"]
        )
        if confirmed is None or confirmed.pk != user.pk:
            form.add_error("password", _("That password is not right."))
        elif with_code:
            result = check_code(user=user, code=form.cleaned_data["code"], purpose="reauth")
            if result.device is None:
                form.add_error("code", result.error)
            else:
                otp_login(request, result.device)
        if not form.errors:
            mark_recent_auth(request)
            audit_record(actor=user, action="user.reauthenticated", target=user)
            return redirect(next_url)
    return render(
        request,
        "accounts/reauth.html",
        {
            "form": form,
            "next": next_url,
            "already_recent": request.method == "GET" and has_recent_auth(request),
            "reauth_minutes": max(1, reauth_window() // 60),
        },
    )


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _no_store(response):
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The second step of signing in: a code from the authenticator app or a backup code."""
    user = request.user
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if user.is_verified():
        return redirect(next_url)
    if not two_factor_enabled(user):
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = OtpCodeForm(request.POST or None)
    lockout = current_lockout(user)
    if request.method == "POST" and not lockout and form.is_valid():
        result = check_code(user=user, code=form.cleaned_data["code"], purpose="login")
        if result.device is not None:
            otp_login(request, result.device)
            mark_recent_auth(request)
            backup = isinstance(result.device, StaticDevice)
            audit_record(
                actor=user,
                action="user.otp_verified",
                target=user,
                data={"method": "backup_code" if backup else "authenticator"},
            )
            if backup:
                left = remaining_backup_codes(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a backup code; %(count)d is left. Make new ones from your "
                        "profile.",
                        "You used a backup code; %(count)d are left. Make new ones from your "
                        "profile if you are running low.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
        if result.locked_out:
            lockout = result.error
        else:
            form.add_error("code", result.error)
    response = render(
        request,
        "accounts/login_code.html",
        {"form": form, "next": next_url, "lockout": lockout},
        status=429 if lockout else 200,
    )
    return _no_store(response)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app: QR code and secret, a code to confirm, then backup codes.

    Also replaces the app of someone who already has one (after confirming it is them)."""
    user = request.user
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if two_factor_enabled(user):
        if not user.is_verified():
            return redirect(_with_next("accounts:login_code", next_url))
        if not has_recent_auth(request):
            return reauth_redirect(request)
    device = pending_device(user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            device.refresh_from_db()
            otp_login(request, device)
            mark_recent_auth(request)
            return _no_store(
                render(
                    request,
                    "accounts/backup_codes.html",
                    {"codes": codes, "next": next_url, "first_time": True},
                )
            )
    response = render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": qr_svg(provisioning_uri(device)),
            "secret": secret_grouped(device),
            "required": two_factor_required(user),
        },
    )
    return _no_store(response)


@login_required
@recent_auth_required
@require_POST
def backup_codes(request):
    """Ten new backup codes, shown once; the old ones stop working."""
    if not two_factor_enabled(request.user):
        messages.error(request, _("Turn on two-factor authentication first."))
        return redirect("accounts:profile")
    codes = backup_codes_regenerate(user=request.user)
    return _no_store(
        render(
            request,
            "accounts/backup_codes.html",
            {"codes": codes, "next": reverse("accounts:profile"), "first_time": False},
        )
    )


@login_required
@recent_auth_required
@require_POST
def two_factor_off(request):
    """Founders and partners may turn 2FA off again; staff roles may not."""
    try:
        two_factor_disable(user=request.user, actor=request.user)
    except TwoFactorError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:profile")
