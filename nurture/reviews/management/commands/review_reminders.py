from django.core.management.base import BaseCommand

from nurture.reviews.tasks import send_review_reminders


class Command(BaseCommand):
    help = (
        "E-mail reviewers with unfinished reviews 3 days and 1 day before the round's "
        "deadline (each reminder once). Run it hourly or daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the work as a background task instead of doing it now.",
        )

    def handle(self, *args, **options):
        if options["queue"]:
            result = send_review_reminders.enqueue()
            self.stdout.write(f"Review reminders queued: {result.id}")
            return
        sent = send_review_reminders.call()
        self.stdout.write(f"Review reminders sent: {sent}")
