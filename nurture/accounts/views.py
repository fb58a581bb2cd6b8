from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

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
    ProfileForm,
    ReauthForm,
    ResendVerificationForm,
    SignupForm,
)
from .models import ApiToken, User
from .reauth import has_recent_auth, mark_recent_auth, reauth_window, safe_next
from .twofactor import check_code, two_factor_enabled


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
        response = super().form_valid(form)
        user = form.get_user()
        translation.activate(user.preferred_language)
        response.set_cookie("django_language", user.preferred_language, samesite="Lax")
        audit_record(actor=user, action="user.login", target=user)
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
        {"form": form, "consent_form": consent_form, "consents": consents},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires = timezone.now() + timedelta(days=days) if days else None
        _token, new_key = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], expires_at=expires
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
