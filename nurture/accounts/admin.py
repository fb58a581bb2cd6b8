"""The Django admin for accounts: administrators change roles, admin access and activation
here (each change is audited by accounts.signals) and reset a person's two-factor
authentication when they have lost their phone and backup codes."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken, User
from .twofactor import TwoFactorError, two_factor_disable, two_factor_enabled


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": forms.EmailField}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_active", "is_staff", "two_factor"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name", "organisation"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "organisation", "preferred_language")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "role",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("email_verified_at", "date_joined", "last_login")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "password1", "password2"),
            },
        ),
    )
    actions = ["reset_two_factor"]

    @admin.display(boolean=True, description=_("two-factor"))
    def two_factor(self, user):
        return two_factor_enabled(user)

    @admin.action(description=_("Reset two-factor authentication (they set it up again)"))
    def reset_two_factor(self, request, queryset):
        count = 0
        for user in queryset:
            try:
                two_factor_disable(user=user, actor=request.user)
            except TwoFactorError as error:
                self.message_user(request, f"{user.email}: {error}", messages.ERROR)
            else:
                count += 1
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d person.",
                "Two-factor authentication reset for %(count)d people.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are created by their owner, who alone sees the secret
