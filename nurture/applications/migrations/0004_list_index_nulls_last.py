"""On PostgreSQL, the list's index in the order that the list asks for.

The application list sorts the latest submission first with drafts (no submission time) last:
`submitted_at DESC NULLS LAST`. SQLite puts NULLs last in a descending index by itself, so the
index that 0003 declares serves it there. PostgreSQL puts them first unless told, and then
sorts every application of the cohort for each page instead of reading the first 50 from the
index. SQLite does not accept NULLS LAST in an index, so the declared index stays as it is
and only PostgreSQL's is rebuilt, under the same name.
"""

from django.db import migrations

INDEX = "application_cohort_latest"


def nulls_last(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    schema_editor.execute(
        f'CREATE INDEX "{INDEX}" ON "applications_application" '
        '("cohort_id", "submitted_at" DESC NULLS LAST, "id")'
    )


def nulls_first(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    schema_editor.execute(
        f'CREATE INDEX "{INDEX}" ON "applications_application" '
        '("cohort_id", "submitted_at" DESC, "id")'
    )


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_list_index")]

    operations = [migrations.RunPython(nulls_last, nulls_first, elidable=False)]
