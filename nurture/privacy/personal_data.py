"""The export contributions of the apps that exist today (see export.py to add another).

Each function returns only what is about the person: their account, their memberships and
their startups' records, their consents and requests, the audit entries of what they did or
what was done to their account, their API tokens' metadata (never the key's hash), and the
ledger entries of their startups' accounts.
"""

from django.db.models import Q

from nurture.accounts.models import ApiToken
from nurture.applications.models import Application
from nurture.audit.models import AuditEntry
from nurture.resources.models import Account, Entry
from nurture.startups.models import Invitation, Startup, StartupMember

from .export import Contribution, personal_data, row, rows
from .models import Anonymisation, ConsentRecord, DataRequest, MarketingDelivery


def _startup_ids(user) -> list[int]:
    return list(StartupMember.objects.filter(user=user).values_list("startup_id", flat=True))


@personal_data("accounts")
def accounts_data(user) -> Contribution:
    tokens = ApiToken.objects.filter(user=user).order_by("pk")
    return Contribution(
        records={
            "user": [row(user, exclude=["password"])],
            "api_tokens": rows(tokens, exclude=["key_hash"]),
        }
    )


@personal_data("startups")
def startups_data(user) -> Contribution:
    ids = _startup_ids(user)
    return Contribution(
        records={
            # The startup's own record, and only this person's membership: the other
            # members' details are theirs, not this person's.
            "startups": rows(Startup.objects.filter(pk__in=ids).order_by("pk")),
            "memberships": rows(StartupMember.objects.filter(user=user).order_by("pk")),
            "invitations_received": rows(
                Invitation.objects.filter(email__iexact=user.email).order_by("pk"),
                exclude=["token"],
            ),
        }
    )


@personal_data("applications")
def applications_data(user) -> Contribution:
    applications = Application.objects.filter(startup_id__in=_startup_ids(user)).order_by("pk")
    return Contribution(
        records={"applications": rows(applications)},
        files=[
            (f"application-{a.pk}-{a.pitch_deck_filename}", a.pitch_deck)
            for a in applications
            if a.pitch_deck
        ],
    )


@personal_data("privacy")
def privacy_data(user) -> Contribution:
    return Contribution(
        records={
            "consents": rows(ConsentRecord.objects.filter(user=user).order_by("at", "pk")),
            "data_requests": rows(
                DataRequest.objects.filter(user=user).order_by("pk"), exclude=["export_file"]
            ),
            "marketing_deliveries": rows(
                MarketingDelivery.objects.filter(user=user).order_by("pk")
            ),
            "anonymisations": rows(
                Anonymisation.objects.filter(
                    target_type="accounts.user", target_id=str(user.pk)
                ).order_by("pk")
            ),
        }
    )


@personal_data("audit")
def audit_data(user) -> Contribution:
    entries = AuditEntry.objects.filter(
        Q(actor=user) | Q(target_type="accounts.user", target_id=str(user.pk))
    ).order_by("at", "pk")
    return Contribution(records={"audit_entries": rows(entries)})


@personal_data("resources")
def resources_data(user) -> Contribution:
    accounts = Account.objects.filter(startup_id__in=_startup_ids(user)).order_by("pk")
    entries = (
        Entry.objects.filter(account__in=accounts)
        .select_related("transaction")
        .order_by("transaction__created_at", "pk")
    )
    return Contribution(
        records={
            "ledger_accounts": rows(accounts),
            "ledger_entries": [
                {
                    **row(entry),
                    "posted_at": entry.transaction.created_at,
                    "kind": entry.transaction.kind,
                    "memo": entry.transaction.memo,
                }
                for entry in entries
            ],
        }
    )


@personal_data("security")
def security_data(user) -> Contribution:
    """Two-factor devices (never their secret keys) and the sign-in records that name the
    person's e-mail address (address, browser, time; never what was typed)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device_fields = ("id", "name", "confirmed", "created_at", "last_used_at")
    sign_in_fields = ("id", "ip_address", "user_agent", "path_info", "attempt_time")
    return Contribution(
        records={
            "authenticator_apps": list(
                TOTPDevice.objects.filter(user=user).order_by("pk").values(*device_fields)
            ),
            "backup_code_sets": list(
                StaticDevice.objects.filter(user=user).order_by("pk").values(*device_fields)
            ),
            "sign_ins": list(
                AccessLog.objects.filter(username__iexact=user.email)
                .order_by("pk")
                .values(*sign_in_fields, "logout_time")
            ),
            "failed_sign_ins": list(
                AccessFailureLog.objects.filter(username__iexact=user.email)
                .order_by("pk")
                .values(*sign_in_fields, "locked_out")
            ),
            "sign_in_lockouts": list(
                AccessAttempt.objects.filter(username__iexact=user.email)
                .order_by("pk")
                .values(*sign_in_fields, "failures_since_start")
            ),
        }
    )
