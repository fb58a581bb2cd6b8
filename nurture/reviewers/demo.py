"""Demo data for the advisory board (called by nurture.core.demo; all fictional): a reviewer
profile for each demo board member, and the open cohort's written round in bidding, with a
few bids from the printed reviewer. Idempotent: rows are created only when missing."""

import random
from collections import Counter
from datetime import timedelta

from nurture.applications.models import ApplicationState
from nurture.programmes.models import Sector

from .models import Bid, BidValue, ReviewerKind, ReviewerProfile, ReviewRound, RoundKind, RoundState

# Words in a board member's organisation line -> (expertise sentence, sector slugs).
EXPERTISE = [
    ("machine learning", "Deep learning, optimisation and evaluation of models.", []),
    (
        "computer vision",
        "Computer vision, drones and image analysis of buildings.",
        ["property-inspection", "property-management"],
    ),
    ("robotics", "Robotics, embedded AI and hardware start-ups.", ["property-inspection"]),
    ("data science", "Data science, causal inference and experimentation.", ["retail"]),
    ("health", "Medical imaging, clinical AI and health start-ups.", ["healthcare"]),
    (
        "finance",
        "Credit scoring, fraud detection and AI in financial services.",
        ["fintech", "financial-services"],
    ),
    ("logistics", "Logistics, routing and transport operations.", ["transportation"]),
    (
        "language",
        "Natural language processing, Cantonese and Chinese text, chatbots.",
        ["social-networking", "influencer-marketing"],
    ),
    ("insurance", "Insurance pricing and claims automation.", ["financial-services"]),
    (
        "retail",
        "Retail analytics, recommendation and marketing.",
        ["retail", "influencer-marketing"],
    ),
    (
        "civil engineering",
        "Urban planning, traffic and city digital twins.",
        ["urban-planning", "transportation"],
    ),
    ("hospital", "Hospital operations and medical AI.", ["healthcare"]),
    ("payments", "Payments, fintech and early-stage investing.", ["fintech"]),
    ("research", "Large language models and applied AI research.", []),
]


def _profile_terms(organisation: str, title: str) -> tuple[str, str, str, list[str]]:
    lower = organisation.lower()
    if "investor" in lower:
        kind = ReviewerKind.INVESTOR
    elif title == "Prof.":
        kind = ReviewerKind.PROFESSOR
    elif title == "Dr":
        kind = ReviewerKind.AI_SCIENTIST
    else:
        kind = ReviewerKind.ENTREPRENEUR
    sentences, slugs = [], []
    for word, sentence, sectors in EXPERTISE:
        if word in lower:
            sentences.append(sentence)
            slugs += sectors
    affiliation = organisation.split(", ", 1)[-1] if ", " in organisation else organisation
    return kind, affiliation, " ".join(sentences) or "Building and scaling AI products.", slugs


def demo_reviewers_load(*, reviewers: list, printed, open_cohort, seed: int) -> Counter:
    created: Counter = Counter()
    rng = random.Random(seed + 17)
    sectors = {s.slug: s for s in Sector.objects.all()}
    for user in reviewers:
        if ReviewerProfile.objects.filter(user=user).exists():
            continue
        title = user.full_name.split(" ", 1)[0] if user.full_name[:3] in ("Pro", "Dr ") else ""
        kind, affiliation, expertise, slugs = _profile_terms(user.organisation, title)
        profile = ReviewerProfile.objects.create(
            user=user,
            kind=kind,
            affiliation=affiliation,
            expertise=expertise,
            languages=["en", "yue"] if rng.random() < 0.7 else ["en", "cmn"],
            max_per_round=rng.choice([6, 8, 8, 10]),
        )
        profile.sectors.set([sectors[s] for s in dict.fromkeys(slugs) if s in sectors])
        created["reviewer profiles"] += 1
    call = getattr(open_cohort, "call", None) if open_cohort is not None else None
    if call is None:
        return created
    review_round, new = ReviewRound.objects.get_or_create(
        cohort=open_cohort,
        kind=RoundKind.WRITTEN,
        defaults={
            "state": RoundState.BIDDING,
            "reviewers_per_application": 3,
            "max_load": 8,
            "bidding_closes_at": call.closes_at + timedelta(days=5),
            "deadline": call.closes_at + timedelta(days=26),
        },
    )
    created["review rounds"] += new
    if new and printed is not None:
        submitted = list(
            open_cohort.applications.filter(state=ApplicationState.SUBMITTED).order_by("pk")[:4]
        )
        values = [BidValue.EAGER, BidValue.WILLING, BidValue.WILLING, BidValue.NOT_WILLING]
        for application, value in zip(submitted, values, strict=False):
            _bid, made = Bid.objects.get_or_create(
                reviewer=printed, application=application, defaults={"value": value}
            )
            created["bids"] += made
    return created
