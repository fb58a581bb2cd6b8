import pytest

from nurture.selection.scores import ReviewScore
from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def scores_for(applications, merits, *, reviewers=None, per_app=3, leniency=None):
    """Three reviews per application from a rotating panel: score = merit + leniency."""
    reviewers = reviewers or [factories.ReviewerFactory() for _ in range(5)]
    leniency = leniency or [0.0] * len(reviewers)
    triples = []
    for i, (application, merit) in enumerate(zip(applications, merits, strict=True)):
        for k in range(per_app):
            j = (i + k) % len(reviewers)
            triples.append(ReviewScore(application.pk, reviewers[j].pk, merit + leniency[j]))
    return triples


def cohort_with_applications(n=12, *, sectors=None, cohort=None, **cohort_kwargs):
    cohort = cohort or factories.CallFactory(cohort=factories.CohortFactory(**cohort_kwargs)).cohort
    applications = []
    for i in range(n):
        extra = {"sector": sectors[i]} if sectors else {}
        applications.append(factories.submitted(cohort=cohort, **extra))
    return cohort, applications
