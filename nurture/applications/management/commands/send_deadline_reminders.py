from django.core.management.base import BaseCommand

from nurture.applications.services import application_send_deadline_reminders


class Command(BaseCommand):
    help = "Remind founders of draft applications whose call closes within 72 hours."

    def handle(self, *args, **options):
        sent = application_send_deadline_reminders()
        self.stdout.write(f"Deadline reminders sent: {sent}")
