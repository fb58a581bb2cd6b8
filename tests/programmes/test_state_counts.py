"""The per-state counts written out in SQL agree with the ORM's, for every filter."""

import itertools

import pytest
from django.db.models import Count

from nurture.applications.models import ApplicationState, Stage
from nurture.programmes import selectors
from nurture.programmes.models import Sector
from nurture.programmes.selectors import ApplicationQuery
from tests import factories

pytestmark = pytest.mark.django_db


def orm_counts(cohort, query):
    matching = selectors.cohort_applications_matching(cohort=cohort, query=query, with_state=False)
    counts = dict.fromkeys(ApplicationState.values, 0)
    counts.update(dict(matching.order_by().values_list("state").annotate(n=Count("pk"))))
    return counts


def test_the_written_out_counts_agree_with_the_orm():
    cohort = factories.CallFactory().cohort
    other = factories.CallFactory().cohort
    sectors = list(Sector.objects.order_by("pk")[:2])
    states = [ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN]
    stages = [Stage.IDEA, Stage.MVP]
    for sector, state, stage in itertools.product(sectors, states, stages):
        factories.ApplicationFactory(cohort=cohort, sector=sector, state=state, stage=stage)
    factories.ApplicationFactory(cohort=other, sector=sectors[0], state=ApplicationState.DRAFT)
    for sector, stage in itertools.product([None, *sectors], ["", *stages]):
        query = ApplicationQuery(sector=sector, stage=stage)
        counts = selectors.cohort_application_state_counts(cohort=cohort, query=query)
        assert counts == orm_counts(cohort, query), (sector, stage)
        heading, with_heading = selectors.cohort_heading_and_counts(cohort.pk, query)
        assert (heading.pk, with_heading) == (cohort.pk, counts), (sector, stage)
    assert sum(
        selectors.cohort_application_state_counts(cohort=cohort, query=ApplicationQuery()).values()
    ) == len(sectors) * len(states) * len(stages)


def test_the_heading_comes_with_counts_of_nothing_and_without_counts_when_searching():
    cohort = factories.CallFactory().cohort
    heading, counts = selectors.cohort_heading_and_counts(cohort.pk, ApplicationQuery())
    assert heading.pk == cohort.pk
    assert counts == dict.fromkeys(ApplicationState.values, 0)
    factories.ApplicationFactory(cohort=cohort, startup=factories.StartupFactory(name="Kestrel"))
    heading, counts = selectors.cohort_heading_and_counts(
        cohort.pk, ApplicationQuery(search="kestrel")
    )
    assert (heading.pk, counts) == (cohort.pk, None)
    assert selectors.cohort_heading_and_counts(cohort.pk + 1000, ApplicationQuery()) == (
        None,
        None,
    )
    assert selectors.cohort_heading_and_counts(2**63, ApplicationQuery()) == (None, None)
