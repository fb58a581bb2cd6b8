"""Builders for review tests: a cohort with submitted applications and reviewers with
profiles, all fictional."""

from nurture.programmes.models import Sector
from nurture.reviewers.models import ReviewerProfile, ReviewRound, RoundKind, RoundState
from tests import factories

TOPICS = [
    ("drone facade inspection computer vision", "property-inspection"),
    ("credit scoring fintech machine learning", "fintech"),
    ("influencer marketing recommendation", "influencer-marketing"),
    ("urban planning traffic simulation", "urban-planning"),
    ("social networking graph neural networks", "social-networking"),
]


def sector(slug: str) -> Sector:
    found = Sector.objects.filter(slug=slug).first()
    return found or factories.SectorFactory(slug=slug, name=slug.replace("-", " ").title())


def reviewer(*, expertise: str = "", sectors=(), max_per_round: int = 8, **user) -> ReviewerProfile:
    account = factories.ReviewerFactory(**user)
    profile = ReviewerProfile.objects.create(
        user=account, kind="ai_scientist", expertise=expertise, max_per_round=max_per_round
    )
    profile.sectors.set([sector(s) for s in sectors])
    return profile


def cohort_with_applications(n: int, call=None):
    call = call or factories.CallFactory()
    applications = []
    for i in range(n):
        topic, slug = TOPICS[i % len(TOPICS)]
        startup, _founder = factories.startup_with_founder(startup__name=f"Fictional {i} Ltd")
        applications.append(
            factories.submitted(
                cohort=call.cohort,
                startup=startup,
                product_description=f"We build {topic} products.",
                ai_description=f"Models for {topic}.",
                sector=sector(slug),
            )
        )
    return call.cohort, applications


def written_round(cohort, **fields) -> ReviewRound:
    defaults = {
        "reviewers_per_application": 2,
        "min_load": 0,
        "max_load": 4,
        "state": RoundState.BIDDING,
    }
    return ReviewRound.objects.create(
        cohort=cohort, kind=RoundKind.WRITTEN, **{**defaults, **fields}
    )
