"""Read-only admin for the ledger: it changes only through the services, which audit and lock."""

from django.contrib import admin

from .models import Account, Entry, LedgerTransaction


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "startup", "programme", "kind", "resource", "unit", "balance")
    list_filter = ("kind", "resource", "unit")
    list_select_related = ("startup", "programme")
    search_fields = ("startup__name", "programme__name")


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ("account", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "kind", "memo", "created_by", "reverses")
    list_filter = ("kind",)
    list_select_related = ("created_by", "reverses")
    search_fields = ("memo", "idempotency_key")
    inlines = [EntryInline]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "transaction", "account", "amount")
    list_select_related = ("transaction", "account__startup", "account__programme")
    raw_id_fields = ("transaction", "account")
