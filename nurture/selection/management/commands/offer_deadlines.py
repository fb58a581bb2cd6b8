from django.core.management.base import BaseCommand

from nurture.selection import services


class Command(BaseCommand):
    help = "Lapse offers whose confirmation deadline has passed and propose replacements."

    def handle(self, *args, **options):
        proposals = services.offers_lapse()
        self.stdout.write(
            f"Offers lapsed: {len(proposals)}; a replacement proposal queued for each."
        )
