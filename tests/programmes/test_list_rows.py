"""The list's rows written out in SQL agree with the ORM's, for every sort, filter and window."""

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nurture.applications.models import ApplicationState, Stage
from nurture.programmes import selectors
from nurture.programmes.models import Call, Cohort, Sector
from nurture.programmes.selectors import (
    LIST_COLUMNS,
    STATE_ALL,
    STATE_ALL_BUT_DRAFTS,
    ApplicationQuery,
)
from tests import factories

pytestmark = pytest.mark.django_db

SORTS = [*selectors.APPLICATION_SORTS, "no-such-column"]


def orm_rows(cohort, query, offset, limit):
    rows = selectors.cohort_applications(cohort=cohort, query=query).values(*LIST_COLUMNS)
    return list(rows[offset : offset + limit])


@pytest.fixture
def cohort():
    """Applications that make every sort meet ties, NULLs, case and cents."""
    cohort = factories.CallFactory().cohort
    other = factories.CallFactory().cohort
    sectors = list(Sector.objects.order_by("pk")[:2])
    names = ["alpha", "Beta", "beta", "Ćwiczenie AI", "zeta", "Alpha", "gamma", "Delta"]
    moments = [
        datetime(2026, 3, 1, 1, 2, 3, 456789, tzinfo=UTC),
        datetime(2026, 3, 1, 1, 2, 3, tzinfo=UTC),
        None,
        datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC),
    ]
    fundings = [Decimal("12345.50"), None, Decimal("0.01"), Decimal("999999999999.99"), 0]
    states = [ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.SHORTLISTED]
    stages = [Stage.IDEA, Stage.MVP, ""]
    for i, (name, state) in enumerate(itertools.product(names, states)):
        factories.ApplicationFactory(
            cohort=cohort,
            startup=factories.StartupFactory(name=f"{name}"),
            state=state,
            stage=stages[i % len(stages)],
            sector=[*sectors, None][i % 3],
            submitted_at=moments[i % len(moments)],
            funding_raised_usd=fundings[i % len(fundings)],
            team_size=[3, None, 12][i % 3],
        )
    factories.ApplicationFactory(cohort=other, state=ApplicationState.SUBMITTED)
    return cohort


def test_every_sort_and_filter_gives_the_orms_rows(cohort):
    sector = Sector.objects.order_by("pk").first()
    filters = itertools.product(
        [None, sector],
        ["", Stage.MVP],
        [STATE_ALL_BUT_DRAFTS, STATE_ALL, ApplicationState.SUBMITTED],
    )
    for (sector_filter, stage, state), key in itertools.product(filters, SORTS):
        for sort in (key, f"-{key}"):
            query = ApplicationQuery(sector=sector_filter, stage=stage, state=state, sort=sort)
            for offset, limit in [(0, 50), (0, 5), (3, 4), (100, 50)]:
                rows = selectors.cohort_application_rows(
                    cohort=cohort, query=query, offset=offset, limit=limit
                )
                assert rows == orm_rows(cohort, query, offset, limit), (query, offset, limit)


def test_rows_have_the_orms_types(cohort):
    query = ApplicationQuery(state=STATE_ALL, sort="funding")
    rows = selectors.cohort_application_rows(cohort=cohort, query=query, offset=0, limit=50)
    assert len(rows) == 24
    funded = [row["funding_raised_usd"] for row in rows if row["funding_raised_usd"] is not None]
    assert funded[:3] == [Decimal("0.00")] * 3
    assert all(isinstance(value, Decimal) for value in funded)
    assert Decimal("999999999999.99") in funded
    submitted = [row["submitted_at"] for row in rows if row["submitted_at"] is not None]
    assert all(value.utcoffset().total_seconds() == 0 for value in submitted)
    assert datetime(2026, 3, 1, 1, 2, 3, 456789, tzinfo=UTC) in submitted


def test_a_search_goes_through_the_orm_with_the_same_columns(cohort):
    query = ApplicationQuery(search="beta", state=STATE_ALL, sort="startup")
    rows = selectors.cohort_application_rows(cohort=cohort, query=query, offset=0, limit=50)
    assert [row["startup__name"] for row in rows] == ["Beta"] * 3 + ["beta"] * 3
    assert rows == orm_rows(cohort, query, 0, 50)


def test_an_empty_window_runs_no_query(cohort, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            selectors.cohort_application_rows(
                cohort=cohort, query=ApplicationQuery(), offset=0, limit=0
            )
            == []
        )


HEADING_FIELDS = (
    "name",
    "year",
    "intake",
    "capacity",
    "programme__name",
    "programme__name_zh_hant",
    "call__opens_at",
    "call__closes_at",
)


@pytest.mark.parametrize("with_counts", [False, True])
def test_the_heading_is_the_orms_cohort_programme_and_call(cohort, with_counts):
    orm = Cohort.objects.select_related("programme", "call").only(*HEADING_FIELDS).get(pk=cohort.pk)
    if with_counts:
        heading, _counts = selectors.cohort_heading_and_counts(cohort.pk, ApplicationQuery())
    else:
        heading = selectors.cohort_heading(cohort.pk)
    for name in ("pk", "name", "year", "intake", "capacity", "programme_id", "display_name"):
        assert getattr(heading, name) == getattr(orm, name), name
    assert heading.programme.display_name == orm.programme.display_name
    assert heading.programme.pk == orm.programme.pk
    assert (heading.call.pk, heading.call.opens_at, heading.call.closes_at) == (
        orm.call.pk,
        orm.call.opens_at,
        orm.call.closes_at,
    )
    assert heading.call.opens_at.utcoffset().total_seconds() == 0
    assert heading.call.cohort is heading
    # Fields the heading leaves out load when read, as with `only()`.
    assert heading.starts_on == orm.starts_on
    with CaptureQueriesContext(connection) as queries:
        assert heading.programme.display_name
        assert heading.call.closes_at
    assert len(queries) == 0


def test_a_cohort_without_a_call_has_none_and_a_missing_one_is_none():
    without_call = factories.CallFactory().cohort
    Call.objects.filter(cohort=without_call).delete()
    heading = selectors.cohort_heading(without_call.pk)
    assert heading.pk == without_call.pk
    with pytest.raises(Cohort.call.RelatedObjectDoesNotExist):
        heading.call  # noqa: B018 - the same as the ORM's cohort without a call
    assert selectors.cohort_heading(without_call.pk + 1000) is None
    assert selectors.cohort_heading(2**63) is None
    assert selectors.cohort_heading(-(2**63) - 1) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite sorts NULLs last itself")
def test_postgresqls_list_index_puts_drafts_last_as_the_list_does():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", ["application_cohort_latest"]
        )
        (definition,) = cursor.fetchone()
    assert "submitted_at DESC NULLS LAST, id" in definition
