"""On PostgreSQL, the list's index in the order that the list asks for.

The application list sorts the latest submission first with drafts (no submission time) last:
`submitted_at DESC NULLS LAST`. SQLite puts NULLs last in a descending index by itself, so the
index that 0003 declares serves it there. PostgreSQL puts them first unless told, and then
sorts every application of the cohort for each page instead of reading the first 50 from the
index. SQLite does not accept NULLS LAST in an index, so the declared index stays as it is
and only PostgreSQL's is rebuilt, under the same name.

Both directions go through the connection's cursor and do nothing when the index is already
as wanted, so running them again (the test suite re-runs Nurture's RunPython operations after
flushing a database) changes nothing.
"""

from django.db import migrations

INDEX = "application_cohort_latest"
COLUMNS = {
    True: '("cohort_id", "submitted_at" DESC NULLS LAST, "id")',
    False: '("cohort_id", "submitted_at" DESC, "id")',
}


def _rebuild(connection, nulls_last: bool) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX])
        row = cursor.fetchone()
        if row is not None and ("NULLS LAST" in row[0]) == nulls_last:
            return
        cursor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
        cursor.execute(
            f'CREATE INDEX "{INDEX}" ON "applications_application" {COLUMNS[nulls_last]}'
        )


def nulls_last(apps, schema_editor):
    _rebuild(schema_editor.connection, nulls_last=True)


def nulls_first(apps, schema_editor):
    _rebuild(schema_editor.connection, nulls_last=False)


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_list_index")]

    operations = [migrations.RunPython(nulls_last, nulls_first, elidable=False)]
