from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from nurture.resources.models import Account, Entry, LedgerTransaction
from nurture.resources.selectors import ledger_problems


class Command(BaseCommand):
    help = (
        "Verify the ledger: every transaction balances in one unit, every cached balance equals "
        "the sum of its entries, no account that may not go negative is below zero, and every "
        "reversal mirrors its original. Exits with status 1 and names the offenders otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=50, help="Most offenders listed per kind of problem."
        )

    def handle(self, *args, limit: int, **options):
        problems = ledger_problems(limit=limit)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                _("The ledger is inconsistent: %(count)s problems listed above.")
                % {"count": len(problems)},
                returncode=1,
            )
        self.stdout.write(
            _(
                "Ledger consistent: %(transactions)s transactions, %(entries)s entries, "
                "%(accounts)s accounts."
            )
            % {
                "transactions": LedgerTransaction.objects.count(),
                "entries": Entry.objects.count(),
                "accounts": Account.objects.count(),
            }
        )
