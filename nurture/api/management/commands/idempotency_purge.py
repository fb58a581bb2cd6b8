"""`nurture idempotency_purge`: forget stored answers of idempotent API writes past their TTL."""

from django.core.management.base import BaseCommand

from nurture.api.idempotency import idempotency_purge, ttl


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key answers older than IDEMPOTENCY_TTL_HOURS (24 h)."

    def handle(self, *args, **options):
        deleted = idempotency_purge()
        hours = ttl().total_seconds() / 3600
        self.stdout.write(f"Deleted {deleted} idempotent responses older than {hours:g} hours.")
