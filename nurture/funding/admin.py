"""Read-only admin for seed funding: requests change only through the services, which hold
the four-eyes rule, lock the row and post to the ledger. Bank details are not listed."""

from django.contrib import admin

from .models import Disbursement, Tranche, TrancheRule


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrancheRule)
class TrancheRuleAdmin(ReadOnlyAdmin):
    list_display = ("programme", "position", "label", "percent", "months_after_start")
    list_select_related = ("programme",)


@admin.register(Tranche)
class TrancheAdmin(ReadOnlyAdmin):
    list_display = ("application", "position", "label", "amount", "currency", "due_on")
    list_select_related = ("application__startup", "application__cohort")


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ("id", "tranche", "status", "requested_by", "decided_by", "requested_at")
    list_filter = ("status",)
    list_select_related = ("tranche__application__startup", "requested_by", "decided_by")
    fields = (
        "tranche",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "payment_reference",
        "rejection_reason",
        "ledger_transaction",
    )
