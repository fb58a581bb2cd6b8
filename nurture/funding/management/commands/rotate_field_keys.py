"""Re-encrypt every encrypted column under the first key of FIELD_ENCRYPTION_KEYS.

Rotation (docs/operations.md): put the new key first in FIELD_ENCRYPTION_KEYS, keep the old
ones after it, deploy, run this command, then remove the old keys. `--check` only counts the
values not yet under the first key (and exits 1 if any), to confirm before removing a key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from nurture.funding.fields import (
    DecryptionError,
    EncryptedTextField,
    encrypted_with_primary,
    rotate,
)

BATCH = 500


def encrypted_columns():
    """(model, [field names]) of every installed model with encrypted fields."""
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        if names:
            yield model, names


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields (bank details) under the first FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only count values not yet under the first key; exit 1 if there are any.",
        )

    def handle(self, *args, check=False, **options):
        stale = rotated = 0
        for model, names in encrypted_columns():
            table = model._meta.db_table
            columns = [model._meta.get_field(name).column for name in names]
            after = 0
            while True:
                rows = self._read(model, table, columns, after)
                if not rows:
                    break
                after = rows[-1][0]
                for pk, *tokens in rows:
                    changes = {}
                    for name, token in zip(names, tokens, strict=True):
                        if not token or encrypted_with_primary(token):
                            continue
                        stale += 1
                        try:
                            changes[name] = rotate(token)
                        except DecryptionError as error:
                            raise CommandError(
                                f"{model._meta.label} #{pk} {name}: {error}"
                            ) from error
                    if changes and not check:
                        self._write(model, table, pk, changes)
                        rotated += len(changes)
        if check:
            self.stdout.write(f"Values not under the first key: {stale}")
            if stale:
                raise CommandError("Some values still need the older keys; run without --check.")
            return
        self.stdout.write(f"Values re-encrypted under the first key: {rotated}")

    def _read(self, model, table, columns, after):
        quote = connection.ops.quote_name
        pk = quote(model._meta.pk.column)
        selected = ", ".join([pk, *(quote(column) for column in columns)])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {selected} FROM {quote(table)} WHERE {pk} > %s "  # noqa: S608
                f"ORDER BY {pk} LIMIT {BATCH}",
                [after],
            )
            return cursor.fetchall()

    def _write(self, model, table, pk, changes):
        quote = connection.ops.quote_name
        assignments = ", ".join(
            f"{quote(model._meta.get_field(name).column)} = %s" for name in changes
        )
        with transaction.atomic(), connection.cursor() as cursor:
            # The token is written as it is: going through the field would encrypt it again.
            cursor.execute(
                f"UPDATE {quote(table)} SET {assignments} "  # noqa: S608
                f"WHERE {quote(model._meta.pk.column)} = %s",
                [*changes.values(), pk],
            )
