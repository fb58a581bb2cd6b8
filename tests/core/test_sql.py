"""The layer under the written-out reads (nurture/core/sql.py)."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nurture.core.sql import Columns, fetch
from nurture.programmes.models import Call
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_field_that_the_model_does_not_have_is_refused():
    with pytest.raises(ValueError, match="Call has no field no_such_field"):
        Columns(Call, "k", ("opens_at", "no_such_field"))


def test_columns_load_what_the_orm_loads_and_none_for_a_missing_row():
    call = factories.CallFactory(opens_at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
    columns = Columns(Call, "k", ("cohort_id", "opens_at"))
    assert columns.attnames == ("id", "cohort_id", "opens_at")
    table = connection.ops.quote_name(Call._meta.db_table)
    sql = f"SELECT {columns.sql()} FROM {table} k WHERE k.id = %s"  # noqa: S608
    (row,) = fetch(sql, [call.pk])
    loaded = columns.load(iter(row))
    assert (loaded.pk, loaded.cohort_id, loaded.opens_at) == (
        call.pk,
        call.cohort_id,
        call.opens_at,
    )
    assert loaded.opens_at.utcoffset().total_seconds() == 0
    assert loaded._state.adding is False
    assert "title" in loaded.get_deferred_fields()
    assert columns.load(iter([None, None, None])) is None


def test_fetch_is_a_query_like_any_other():
    with CaptureQueriesContext(connection) as queries:
        assert fetch("SELECT %s + 1", [41]) == [(42,)]
    assert len(queries) == 1
    assert "41" in queries[0]["sql"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_on_postgresql_a_read_is_prepared_once_and_planned_once():
    sql = "SELECT k.id FROM programmes_call k WHERE k.id = %s"
    for pk in range(3):
        fetch(sql, [pk])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%FROM programmes_call k WHERE k.id = $1%"],
        )
        assert cursor.fetchall() == [(3, 0)]


@pytest.mark.parametrize(
    ("setting", "threshold", "generic"), [(None, 5, True), ("1", 5, True), ("0", None, False)]
)
def test_prepared_statements_can_be_turned_off_for_a_pooler(setting, threshold, generic):
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://someone@db.example:5432/nurture",
        "DJANGO_SETTINGS_MODULE": "nurture.settings",
    }
    env.pop("DATABASE_PREPARED_STATEMENTS", None)
    if setting is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = setting
    code = (
        "import json; from nurture import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    options = json.loads(output)
    assert options["prepare_threshold"] == threshold
    assert ("plan_cache_mode=force_generic_plan" in options.get("options", "")) is generic
