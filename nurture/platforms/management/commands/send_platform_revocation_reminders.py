from django.core.management.base import BaseCommand

from nurture.platforms.services import platform_revocation_reminders_send


class Command(BaseCommand):
    help = (
        "E-mail programme staff the deep-learning platform accounts whose programme has ended "
        "and that are not revoked yet (run daily)."
    )

    def handle(self, *args, **options):
        listed = platform_revocation_reminders_send()
        self.stdout.write(f"Accounts to revoke listed: {listed}")
