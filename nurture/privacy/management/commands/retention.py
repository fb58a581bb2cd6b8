import json

from django.core.management.base import BaseCommand

from nurture.privacy import retention


class Command(BaseCommand):
    help = (
        "Carry out the personal-data retention schedule: anonymise applications not "
        "admitted, delete unconfirmed sign-ups, old audit entries and old access exports. "
        "Run it daily (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what a run would erase."
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            self.stdout.write(json.dumps({"pending": retention.pending()}))
            return
        report = retention.retention_run()
        self.stdout.write(json.dumps({rule: r["count"] for rule, r in report.items()}))
