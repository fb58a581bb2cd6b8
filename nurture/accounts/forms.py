from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nurture.core.forms import BootstrapMixin

from .models import TokenScope, User


class SignupForm(BootstrapMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for e-mails and pages"),
        choices=[("en", "English"), ("zh-hant", "繁體中文")],
    )
    accept_collection_notice = forms.BooleanField(
        label=_("I have read the personal information collection statement above."),
        required=True,
        error_messages={"required": _("Please confirm that you have read the statement.")},
    )
    marketing_consent = forms.BooleanField(
        label=_(
            "Send me news of the Lab's events and programmes (optional; you can stop this at "
            "any time from your profile or any such e-mail)."
        ),
        required=False,
        initial=False,
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this e-mail address already exists. Sign in instead.")
            )
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class EmailAuthenticationForm(BootstrapMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )
    error_messages = {
        "invalid_login": _("The e-mail address and password do not match an account."),
        "inactive": _("This account is not active."),
        "unverified": _(
            "Please confirm your e-mail address first: follow the link we sent you. "
            "You can ask for a new link below."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # Only after authenticate() has failed, and so has been counted by the login
            # throttle, and never during a lockout: the "unverified" answer tells that the
            # password was right, so it must not be a way around the throttle.
            if getattr(self.request, "axes_locked_out", False):
                raise
            email = (self.cleaned_data.get("username") or "").strip().lower()
            password = self.cleaned_data.get("password")
            if email and password:
                user = User.objects.filter(email__iexact=email).first()
                if (
                    user is not None
                    and user.is_active
                    and not user.email_verified
                    and user.check_password(password)
                ):
                    raise forms.ValidationError(
                        self.error_messages["unverified"], code="unverified"
                    ) from None
            raise


class ResendVerificationForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class ProfileForm(BootstrapMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    preferred_language = forms.ChoiceField(
        label=_("Language for e-mails"), choices=[("en", "English"), ("zh-hant", "繁體中文")]
    )


class MarketingConsentForm(BootstrapMixin, forms.Form):
    marketing_consent = forms.BooleanField(
        label=_("Send me news of the Lab's events and programmes."), required=False
    )


class ApiTokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “CRM sync”.")
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        coerce=int,
        choices=[
            (30, _("in 30 days")),
            (90, _("in 90 days")),
            (365, _("in a year")),
            (0, _("never")),
        ],
        initial=90,
    )
    scopes = forms.ChoiceField(
        label=pgettext_lazy("what an API token may do", "May"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text=_(
            "Read only is enough for reports and syncing data out; a program that creates or "
            "changes things (an application, a startup) needs read and write."
        ),
    )


class CodeField(forms.CharField):
    """A six-digit code from an authenticator app, or a backup code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Authentication code"))
        kwargs.setdefault(
            "help_text",
            _("The six digits your authenticator app shows now, or one of your backup codes."),
        )
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "autocomplete": "one-time-code",
                    "inputmode": "text",
                    "autocapitalize": "none",
                    "spellcheck": "false",
                }
            ),
        )
        super().__init__(**kwargs)


class ReauthForm(BootstrapMixin, forms.Form):
    """Confirm the password (and a two-factor code if the person has a device)."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = CodeField(required=False)

    def __init__(self, *args, with_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_code = with_code
        if with_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]


class OtpCodeForm(BootstrapMixin, forms.Form):
    code = CodeField(
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True})
    )


class SetupCodeForm(BootstrapMixin, forms.Form):
    code = CodeField(
        help_text=_("The six digits your authenticator app shows for Nurture now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
