"""The selection pages read in a fixed number of queries, however many applications."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nurture.selection.models import Proposal
from nurture.selection.services import proposal_compute
from tests import factories

from .conftest import cohort_with_applications, real_reviews

pytestmark = pytest.mark.django_db


def _world(n):
    cohort, apps = cohort_with_applications(n)
    review_round, _ = real_reviews(cohort, apps, [2 + 0.2 * i for i in range(n)])
    from nurture.selection.models import SelectionSettings

    SelectionSettings.objects.create(cohort=cohort, bootstrap_rounds=5)
    proposal = proposal_compute(proposal_id=Proposal.objects.create(cohort=cohort).pk)
    return cohort, review_round, proposal


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name,arg",
    [
        ("selection:cohort", lambda c, r, p: c.pk),
        ("selection:calibration", lambda c, r, p: r.pk),
        ("selection:proposal", lambda c, r, p: p.pk),
    ],
)
def test_page_queries_do_not_grow_with_applications(client, name, arg):
    client.force_login(factories.ProgrammeManagerFactory())
    small = _world(6)
    large = _world(14)

    few = _count(client, reverse(name, args=[arg(*small)]))
    many = _count(client, reverse(name, args=[arg(*large)]))

    assert few == many
