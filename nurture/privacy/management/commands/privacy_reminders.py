from django.core.management.base import BaseCommand

from nurture.privacy.services import data_request_send_reminders


class Command(BaseCommand):
    help = (
        "E-mail programme staff about personal data requests due within 7 days or overdue. "
        "Run it daily (cron)."
    )

    def handle(self, *args, **options):
        count = data_request_send_reminders()
        self.stdout.write(f"{count} requests named in the reminder.")
