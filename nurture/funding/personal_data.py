"""What the funding app holds about a person, for a data access request (see
nurture/privacy/export.py).

For the applications of the person's startups: the tranche schedule and the disbursement
requests with their outcome and payment reference. The bank account number is shown only as
its last four digits (the export is a file that travels; the rest stays encrypted at rest);
the account's name and bank are left out. Who asked or decided is said only as whether the
person did.
"""

from nurture.privacy.export import Contribution, personal_data, row, rows
from nurture.startups.models import StartupMember

from .models import Disbursement, Tranche


def masked(number: str) -> str:
    digits = "".join(ch for ch in number or "" if ch.isalnum())
    return f"****{digits[-4:]}" if digits else ""


@personal_data("funding")
def funding_data(user) -> Contribution:
    startups = StartupMember.objects.filter(user=user).values("startup_id")
    tranches = Tranche.objects.filter(application__startup_id__in=startups).order_by(
        "application_id", "position", "pk"
    )
    disbursements = Disbursement.objects.filter(tranche__in=tranches).order_by("pk")
    return Contribution(
        records={
            "tranches": rows(tranches),
            "disbursements": [
                {
                    **row(
                        d,
                        exclude=[
                            "bank_account_name",
                            "bank_name",
                            "bank_account_number",
                            "requested_by",
                            "decided_by",
                        ],
                    ),
                    "bank_account_number": masked(d.bank_account_number),
                    "requested_by_me": d.requested_by_id == user.pk,
                }
                for d in disbursements
            ],
        }
    )
