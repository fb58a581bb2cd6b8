"""The fictional demo programme that `nurture demo` loads.

Every person, company, organisation and application here is invented. The loader writes
rows directly with the ORM inside one transaction: it replays a history (calls that opened
and closed, decisions that were made) rather than acting for a user, so it does not go
through the services. It keeps to their rules all the same: one application per startup per
cohort, `submitted_at` on every application that was submitted, `withdrawn_at` on withdrawn
ones, decisions only in cohorts whose call has closed, consent to the collection notice
recorded for every founder.

Idempotent: every row has a natural key (e-mail, startup name, cohort intake, (cohort,
startup)) and is created only when missing, never updated. The random generator is seeded
and every date is computed from one anchor instant, the moment of the first load, which is
kept as the demo administrator's `date_joined`; a second run therefore plans exactly the
same rows and finds them all present.
"""

import base64
import functools
import random
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from nurture.accounts.models import Role, User
from nurture.applications.models import Application, ApplicationState, Platform, Stage
from nurture.privacy.models import ConsentRecord, NoticeKind
from nurture.privacy.services import consent_record, notice_current
from nurture.programmes.models import Call, Cohort, Intake, Programme, Sector
from nurture.startups.models import MemberRole, Startup, StartupMember

DEMO_NOTICE = (
    "Demo data: every person, company, organisation and application in this installation "
    "is fictional. Any resemblance to real people or companies is coincidental."
)
DEMO_NOTICE_ZH = "示範資料：本系統中的所有人物、公司、機構及申請均屬虛構，如有雷同，純屬巧合。"
DEMO_DOMAIN = "demo.nurture.example"
PROGRAMME_SLUG = "hkai-lab-accelerator"
SEED = 20261129
HK = ZoneInfo("Asia/Hong_Kong")

PASSWORDS = {
    Role.FOUNDER: "demo-founder-2026",
    Role.REVIEWER: "demo-reviewer-2026",
    Role.PROGRAMME_MANAGER: "demo-manager-2026",
    Role.FINANCE_APPROVER: "demo-finance-2026",
    Role.PARTNER: "demo-partner-2026",
    Role.ADMINISTRATOR: "demo-admin-2026",
}
# The one account per role that the command prints.
LOGIN_EMAILS = {
    Role.FOUNDER: f"founder@{DEMO_DOMAIN}",
    Role.REVIEWER: f"reviewer@{DEMO_DOMAIN}",
    Role.PROGRAMME_MANAGER: f"manager@{DEMO_DOMAIN}",
    Role.FINANCE_APPROVER: f"finance@{DEMO_DOMAIN}",
    Role.PARTNER: f"partner@{DEMO_DOMAIN}",
    Role.ADMINISTRATOR: f"admin@{DEMO_DOMAIN}",
}
# Two-factor authentication (nurture.accounts.twofactor): every demo account whose role needs
# it has an authenticator device with this one published secret, so that anyone trying the
# demo can add it to an authenticator app. The printed accounts also get one backup code,
# made anew on each load. Demo only: a real account's secret is random and never printed.
DEMO_TOTP_SECRET = "NURTUREDEMOTWOFACTORHKAILABDEMO2"
DEMO_BACKUP_DEVICE = "Demo backup code"
# A second printed founder: a co-founder of a startup admitted to the running cohort, so that
# the benefits (funding, compute, desks) can be seen from a founder's side.
RESIDENT_EMAIL = f"resident@{DEMO_DOMAIN}"
RESIDENT_LABEL = "founder in the programme"

ROLE_LABELS = {
    Role.FOUNDER: "founder",
    Role.REVIEWER: "reviewer",
    Role.PROGRAMME_MANAGER: "programme manager",
    Role.FINANCE_APPROVER: "finance approver",
    Role.PARTNER: "partner",
    Role.ADMINISTRATOR: "administrator",
}

# --- Invented names -------------------------------------------------------------------------

GIVEN_NAMES = [
    "Ada", "Bowen", "Cheuk-yin", "Dara", "Elsie", "Felix", "Ka-yan", "Wing-sze", "Hiu-tung",
    "Jun", "Kai", "Lok-hin", "Maya", "Nico", "Oona", "Pak-ho", "Quinn", "Ruby", "Sze-wan",
    "Tobias", "Uma", "Vera", "Wai-lam", "Xenia", "Yan-ting", "Zara", "Arlo", "Bonnie", "Cyrus",
    "Daphne", "Ezra", "Fion", "Gideon", "Hana", "Ivan", "Joyce", "Kelvin", "Lydia", "Marcus",
    "Nora", "Otis", "Priya", "Rafael", "Selina", "Tristan", "Wren",
]  # fmt: skip
SURNAMES = [
    "Lanternby", "Quillfeather", "Marbleton", "Tidewell", "Junkwright", "Peakmoor",
    "Ferrywood", "Harbourne", "Kitewing", "Lycheefield", "Bauhinford", "Dimsmith",
    "Egretson", "Mistvale", "Typhoonley", "Jadeholm", "Neonfield", "Trammel-Wong",
    "Sampanley", "Monsoonby", "Pearlstone", "Banyanridge", "Cloudharbour", "Starferry",
    "Mooncakeson", "Bamboohurst", "Kowlander", "Saltmarsh-Chan", "Dragonboat", "Teahouse",
]  # fmt: skip

STARTUP_PREFIXES = [
    "Harbour", "Lantern", "Junk", "Peak", "Tide", "Banyan", "Typhoon", "Jade", "Neon",
    "Ferry", "Dragonfly", "Lychee", "Bamboo", "Pearl", "Monsoon", "Mooncake", "Tram", "Egret",
    "Kite", "Sampan", "Mist", "Cloudgate", "Dimsum", "Starfruit", "Orchid", "Kingfisher",
]  # fmt: skip
STARTUP_ENDINGS = ["", "", " AI", " Labs", " Analytics", " Technologies"]

# Per sector: noun stems for names, customers, and (product, AI) pairs that belong together.
SECTOR_TEXTS: dict[str, dict] = {
    "urban-planning": {
        "stems": ["Grid", "Zoning", "Plot", "Atlas", "Civic", "Street"],
        "customers": ["planning departments", "property developers", "urban design firms"],
        "pairs": [
            (
                "{name} gives town planners a live model of how people move through a "
                "district, so that a new road layout, bus route or public space can be tested "
                "before anything is built.",
                "Graph neural networks trained on anonymised footfall counts and transport-card "
                "data predict pedestrian flows street by street; a simulator replays proposed "
                "layouts against them.",
            ),
            (
                "{name} scores development sites for walkability, shade and flood risk, and "
                "drafts the supporting statement for a planning application.",
                "A segmentation model reads satellite and drone imagery to map green cover, "
                "building heights and paved surfaces; a gradient-boosted model turns them "
                "into site scores with explanations.",
            ),
            (
                "{name} turns thousands of public consultation comments into a map of what "
                "residents want, grouped by street and theme.",
                "A bilingual (English and Cantonese) language model classifies and clusters "
                "free-text comments, with a planner reviewing every cluster label.",
            ),
        ],
    },
    "influencer-marketing": {
        "stems": ["Reach", "Buzz", "Creator", "Story", "Clout", "Spark"],
        "customers": ["consumer brands", "marketing agencies", "creator networks"],
        "pairs": [
            (
                "{name} matches consumer brands with micro-influencers whose audiences "
                "actually buy, and measures each campaign by sales rather than likes.",
                "Audience embeddings learnt from public engagement graphs, and a ranking model "
                "trained on the conversions of past campaigns.",
            ),
            (
                "{name} detects fake followers and bought engagement before a brand signs an "
                "influencer contract.",
                "Anomaly detection on follower-growth time series, and a graph model that "
                "finds rings of accounts engaging with each other.",
            ),
            (
                "{name} drafts on-brand short-video scripts in English and Traditional "
                "Chinese for creators and the agencies that manage them.",
                "A fine-tuned language model with retrieval over each brand's guidelines, and "
                "a classifier that flags unsupported product claims before publication.",
            ),
        ],
    },
    "fintech": {
        "stems": ["Ledger", "Pay", "Coin", "Quant", "Credit", "Vault"],
        "customers": ["small merchants", "virtual banks", "brokerages"],
        "pairs": [
            (
                "{name} lets small merchants accept cross-border payments and see their cash "
                "flow forecast for the next 90 days.",
                "Temporal convolutional networks forecast cash flow from transaction "
                "histories; an explainer shows what drives each forecast.",
            ),
            (
                "{name} automates know-your-customer checks for virtual banks and brokers, "
                "reading identity documents and company registry extracts.",
                "Document OCR and layout models extract the fields; a graph model flags "
                "companies linked through shared directors and addresses.",
            ),
            (
                "{name} is a robo-adviser for young professionals that explains every "
                "recommendation in plain language.",
                "Portfolio optimisation on risk models learnt from market data, and a language "
                "model that writes the explanation within compliance rules.",
            ),
        ],
    },
    "property-inspection": {
        "stems": ["Inspect", "Facade", "Survey", "Crack", "Sentinel", "Scan"],
        "customers": ["building owners' corporations", "surveyors", "property developers"],
        "pairs": [
            (
                "{name} inspects building facades with drones and produces the defect report "
                "that a mandatory building inspection needs, in days rather than weeks.",
                "Convolutional networks trained on annotated facade images detect cracks, "
                "spalling and loose tiles; a 3D reconstruction locates each defect on the "
                "building.",
            ),
            (
                "{name} finds the source of water seepage in flats from thermal images taken "
                "with a phone attachment.",
                "A segmentation model for thermal images trained on labelled seepage cases, "
                "calibrated for each camera model.",
            ),
            (
                "{name} checks new flats before handover: inspectors walk through with a "
                "tablet that logs, photographs and classifies every defect.",
                "An object-detection model that runs offline on the tablet and learns from "
                "inspectors' corrections (active learning).",
            ),
        ],
    },
    "social-networking": {
        "stems": ["Circle", "Huddle", "Kin", "Nest", "Meetup", "Village"],
        "customers": ["universities", "alumni associations", "community groups"],
        "pairs": [
            (
                "{name} is a social app for university students to find study groups and "
                "project partners by course and skills.",
                "A recommendation model learns from course enrolments and interaction graphs; "
                "posts are moderated by a multilingual text classifier.",
            ),
            (
                "{name} connects older people who live alone with volunteers and neighbours "
                "nearby, and tells family members when daily routines change.",
                "Matching on a learnt similarity of interests and availability, and an anomaly "
                "detector on daily check-ins.",
            ),
            (
                "{name} runs private online communities for alumni associations, with events "
                "and mentoring matches.",
                "A two-tower retrieval model for member matching, and a moderation model for "
                "posts in English and Chinese.",
            ),
        ],
    },
    "financial-services": {
        "stems": ["Claim", "Assure", "Advisor", "Compliance", "Insight", "Trust"],
        "customers": ["insurers", "private banks", "asset managers"],
        "pairs": [
            (
                "{name} reads insurance claims and their supporting documents and sends "
                "simple ones straight to payment.",
                "Document-understanding models extract claim details; a fraud model scores "
                "each claim; a language model drafts the adjuster's summary.",
            ),
            (
                "{name} prepares relationship managers at private banks for client meetings "
                "with a brief of news, holdings and suitability notes.",
                "Retrieval-augmented generation over research notes and portfolio data, with "
                "citations and checks against suitability rules.",
            ),
            (
                "{name} monitors trading-floor calls and chats for market-abuse risk and "
                "explains every alert to compliance officers.",
                "Speech recognition for Cantonese, English and Mandarin, and classifiers "
                "trained on labelled surveillance cases.",
            ),
        ],
    },
    "retail": {
        "stems": ["Shelf", "Basket", "Cart", "Aisle", "Stock", "Shop"],
        "customers": ["supermarket chains", "shopping malls", "fashion retailers"],
        "pairs": [
            (
                "{name} forecasts demand for every product in every shop, so that chains "
                "order less, waste less and run out less often.",
                "Hierarchical time-series forecasting with weather, holiday and promotion "
                "features.",
            ),
            (
                "{name} counts and follows the flow of shoppers with existing cameras, "
                "without identifying anyone, to help malls plan layouts and staffing.",
                "Person detection and anonymous tracking on edge devices; only counts and "
                "paths leave the shop.",
            ),
            (
                "{name} lets shoppers search a catalogue with a photo, in English or Chinese.",
                "Vision-language embeddings fine-tuned on product catalogues, served from a "
                "vector index.",
            ),
        ],
    },
    "transportation": {
        "stems": ["Route", "Fleet", "Transit", "Depot", "Minibus", "Courier"],
        "customers": ["bus operators", "logistics companies", "delivery fleets"],
        "pairs": [
            (
                "{name} plans minibus and shuttle-bus routes that follow real demand, "
                "updated every week.",
                "Demand models learnt from ridership and anonymised mobility data, feeding a "
                "vehicle-routing optimiser.",
            ),
            (
                "{name} predicts when parts of a truck fleet will fail and books the garage "
                "before they do.",
                "Gradient-boosted survival models on telematics and maintenance records.",
            ),
            (
                "{name} optimises last-mile delivery in dense, hilly streets, including stairs, "
                "lifts and loading bays.",
                "Reinforcement learning for dispatch on top of a constraint solver, trained in "
                "a simulator of the road network.",
            ),
        ],
    },
    "property-management": {
        "stems": ["Estate", "Concierge", "Facility", "Tower", "Lift", "Tenant"],
        "customers": ["estate management offices", "commercial landlords", "facility managers"],
        "pairs": [
            (
                "{name} answers residents' questions and routes repair requests for estate "
                "management offices, day and night.",
                "A bilingual assistant built on a language model with retrieval over each "
                "estate's rules and notices.",
            ),
            (
                "{name} cuts the electricity bills of commercial buildings by tuning chillers "
                "and ventilation in real time.",
                "Model-predictive control with a thermal model of each building learnt from "
                "its building-management-system data.",
            ),
            (
                "{name} predicts lift faults from vibration and door sensors and schedules "
                "maintenance before a breakdown.",
                "Sequence models on sensor streams, trained on labelled maintenance logs.",
            ),
        ],
    },
    "healthcare": {
        "stems": ["Care", "Clinic", "Vital", "Retina", "Rehab", "Pulse"],
        "customers": ["community clinics", "private hospitals", "physiotherapy practices"],
        "pairs": [
            (
                "{name} screens retinal photographs for diabetic eye disease in community "
                "clinics, so that only the patients who need it see a specialist.",
                "Convolutional networks trained on graded fundus images, validated against "
                "ophthalmologists' grading.",
            ),
            (
                "{name} turns doctor-patient consultations in Cantonese and English into "
                "structured clinical notes.",
                "Speech recognition fine-tuned for code-switched Cantonese and English, and a "
                "language model that structures the note for the doctor to check.",
            ),
            (
                "{name} helps physiotherapy patients exercise at home, with the phone camera "
                "checking their form.",
                "Pose estimation on the phone, and a model that scores each repetition "
                "against the therapist's template.",
            ),
        ],
    },
}
REGIONS = ["Singapore", "the Greater Bay Area", "Taiwan", "Malaysia", "Japan"]
LAB_NEEDS = [
    "Introductions to {customer} in Hong Kong for paid pilots.",
    "GPU time to train larger models than our current budget allows.",
    "Advice on handling personal data in our training sets under the PDPO.",
    "Help preparing for a seed round in the next twelve months.",
    "Mentoring on enterprise sales and procurement in Hong Kong.",
    "Access to the deep-learning platforms to cut our inference costs.",
]
STAGE_WEIGHTS = [
    (Stage.IDEA, 1),
    (Stage.PROTOTYPE, 3),
    (Stage.MVP, 4),
    (Stage.EARLY_REVENUE, 3),
    (Stage.GROWTH, 1),
]

BOARD = [
    # (title, organisation) of the 15 advisory board members; all organisations invented.
    ("Prof.", "Professor of Machine Learning, Harbourview University"),
    ("Dr", "Principal AI Scientist, Tidewater AI Research"),
    ("", "Founder, Lanternfly Robotics"),
    ("Prof.", "Professor of Computer Vision, Kingfisher Polytechnic"),
    ("Dr", "Research Director, Clearwater Institute of Data Science"),
    ("", "Serial entrepreneur; co-founder of Mistpeak Health"),
    ("Prof.", "Associate Professor of Finance and AI, Bauhinia Bay University"),
    ("Dr", "Staff Research Scientist, Cloudgate Labs"),
    ("", "Chief Executive, Seabreeze Logistics"),
    ("Prof.", "Professor of Natural Language Processing, Harbourview University"),
    ("Dr", "Head of Applied AI, Junkbay Insurance Group"),
    ("", "Founder and former CEO, Pearlstone Retail Technologies"),
    ("Prof.", "Professor of Civil Engineering, Kingfisher Polytechnic"),
    ("Dr", "Medical AI Lead, Egret Valley Hospital"),
    ("", "Angel investor and founder, Neonfield Payments"),
]
PARTNERS = [
    "Investment Partner, Mistpeak Ventures (venture capital)",
    "Principal, Kingfisher Capital Partners (venture capital)",
    "Head of Startup Programmes, Tidewater Cloud (strategic partner)",
    "Knowledge Transfer Office, Bauhinia Bay University (university partner)",
]


# --- The plan -------------------------------------------------------------------------------


@dataclass
class PersonPlan:
    email: str
    full_name: str
    role: str
    organisation: str = ""
    joined_at: datetime | None = None
    is_admin: bool = False


@dataclass
class StartupPlan:
    name: str
    sector: str
    pair: int
    registered_in_hk: bool
    br_number: str
    founded: date
    created_at: datetime
    founders: list[PersonPlan]
    website: str = ""


@dataclass
class ApplicationPlan:
    cohort: tuple[int, str]
    startup: StartupPlan
    state: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    answers: dict
    with_deck: bool


@dataclass
class CohortPlan:
    year: int
    intake: str
    starts_on: date
    ends_on: date
    opens_at: datetime
    closes_at: datetime
    decided_at: datetime | None  # None: the call is still open

    @property
    def key(self) -> tuple[int, str]:
        return (self.year, self.intake)

    @property
    def name(self) -> str:
        return f"{self.year} {self.intake.title()}"


@dataclass
class Plan:
    anchor: datetime
    cohorts: list[CohortPlan]
    staff: list[PersonPlan]
    startups: list[StartupPlan]
    applications: list[ApplicationPlan]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HK)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max(int((end - start).total_seconds()) // 60, 1)
    return start + timedelta(minutes=rng.randrange(span))


def _intake_containing(day: date) -> tuple[int, str]:
    if 3 <= day.month <= 8:
        return day.year, Intake.SPRING
    return (day.year, Intake.AUTUMN) if day.month >= 9 else (day.year - 1, Intake.AUTUMN)


def _step(year: int, intake: str, by: int) -> tuple[int, str]:
    index = year * 2 + (0 if intake == Intake.SPRING else 1) + by
    return index // 2, (Intake.SPRING if index % 2 == 0 else Intake.AUTUMN)


def _programme_dates(year: int, intake: str) -> tuple[date, date]:
    if intake == Intake.SPRING:
        return date(year, 3, 1), date(year, 8, 31)
    return date(year, 9, 1), date(year + 1, 3, 1) - timedelta(days=1)


def _plan_cohorts(anchor: datetime) -> list[CohortPlan]:
    """Three past cohorts, the one in the programme now, and the next, whose call is open."""
    today = timezone.localtime(anchor, HK).date()
    year, intake = _intake_containing(today)
    cohorts = []
    for by in (-3, -2, -1, 0):
        y, i = _step(year, intake, by)
        starts_on, ends_on = _programme_dates(y, i)
        closes_at = _at(starts_on - timedelta(days=75), 18)
        cohorts.append(
            CohortPlan(
                year=y,
                intake=i,
                starts_on=starts_on,
                ends_on=ends_on,
                opens_at=_at(starts_on - timedelta(days=150), 9),
                closes_at=closes_at,
                decided_at=_at(starts_on - timedelta(days=30), 17),
            )
        )
    y, i = _step(year, intake, 1)
    starts_on, ends_on = _programme_dates(y, i)
    closes_on = max(min(today + timedelta(days=27), starts_on - timedelta(days=21)), today)
    cohorts.append(
        CohortPlan(
            year=y,
            intake=i,
            starts_on=starts_on,
            ends_on=ends_on,
            opens_at=_at(today - timedelta(days=36), 9),
            closes_at=_at(closes_on + timedelta(days=1), 18),
            decided_at=None,
        )
    )
    return cohorts


class _Names:
    """Unique invented names and e-mail addresses, drawn from a seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.emails: set[str] = set(LOGIN_EMAILS.values())
        self.startups: set[str] = set()

    def person(self, role: str, **extra) -> PersonPlan:
        while True:
            given, surname = self.rng.choice(GIVEN_NAMES), self.rng.choice(SURNAMES)
            local = f"{given}.{surname}".lower().replace("-", "")
            email = f"{local}@{DEMO_DOMAIN}"
            if email not in self.emails:
                self.emails.add(email)
                return PersonPlan(email=email, full_name=f"{given} {surname}", role=role, **extra)

    def startup(self, sector: str) -> str:
        stems = SECTOR_TEXTS[sector]["stems"]
        while True:
            name = (
                self.rng.choice(STARTUP_PREFIXES)
                + self.rng.choice(stems).lower()
                + self.rng.choice(STARTUP_ENDINGS)
            )
            if name not in self.startups:
                self.startups.add(name)
                return name


def _plan_staff(names: _Names, anchor: datetime) -> list[PersonPlan]:
    staff = [
        PersonPlan(
            LOGIN_EMAILS[Role.ADMINISTRATOR],
            "Morgan Kitewing",
            Role.ADMINISTRATOR,
            "HKAI Lab, IT and administration",
            anchor,
            is_admin=True,
        ),
        PersonPlan(
            LOGIN_EMAILS[Role.PROGRAMME_MANAGER],
            "Priya Harbourne",
            Role.PROGRAMME_MANAGER,
            "HKAI Lab, Programme office",
        ),
        names.person(Role.PROGRAMME_MANAGER, organisation="HKAI Lab, Programme office"),
        PersonPlan(
            LOGIN_EMAILS[Role.FINANCE_APPROVER],
            "Felix Pearlstone",
            Role.FINANCE_APPROVER,
            "HKAI Lab, Finance",
        ),
    ]
    for index, (title, organisation) in enumerate(BOARD):
        if index == 0:
            person = PersonPlan(
                LOGIN_EMAILS[Role.REVIEWER], "Orla Quillfeather", Role.REVIEWER, organisation
            )
        else:
            person = names.person(Role.REVIEWER, organisation=organisation)
        if title:
            person.full_name = f"{title} {person.full_name}"
        staff.append(person)
    for index, organisation in enumerate(PARTNERS):
        if index == 0:
            staff.append(
                PersonPlan(LOGIN_EMAILS[Role.PARTNER], "Dara Mistvale", Role.PARTNER, organisation)
            )
        else:
            staff.append(names.person(Role.PARTNER, organisation=organisation))
    return staff


def _weighted_stage(rng: random.Random) -> str:
    stages, weights = zip(*STAGE_WEIGHTS, strict=True)
    return rng.choices(stages, weights=weights)[0]


def _plan_startup(
    rng: random.Random, names: _Names, sector: str, first_call: CohortPlan, hero: bool = False
) -> StartupPlan:
    created_at = first_call.opens_at - timedelta(days=rng.randrange(1, 200))
    founded = timezone.localtime(created_at, HK).date() - timedelta(days=rng.randrange(60, 700))
    founders = []
    for index in range(rng.choice([1, 2, 2, 2, 3, 3])):
        if hero and index == 0:
            person = PersonPlan(LOGIN_EMAILS[Role.FOUNDER], "Ka-yan Lanternby", Role.FOUNDER)
            names.emails.add(person.email)
        else:
            person = names.person(Role.FOUNDER)
        person.joined_at = created_at + timedelta(hours=index * rng.randrange(2, 200))
        founders.append(person)
    if hero and len(founders) == 1:
        person = names.person(Role.FOUNDER)
        person.joined_at = created_at + timedelta(days=2)
        founders.append(person)
    name = names.startup(sector)
    registered = rng.random() < 0.7
    slug = name.lower().replace(" ", "")
    return StartupPlan(
        name=name,
        sector=sector,
        pair=rng.randrange(3),
        registered_in_hk=registered,
        br_number=f"{rng.randrange(60_000_000, 79_999_999)}" if registered else "",
        founded=founded,
        created_at=created_at,
        founders=founders,
        website=f"https://{slug}.{DEMO_DOMAIN}" if rng.random() < 0.6 else "",
    )


def application_answers(rng: random.Random, startup: StartupPlan, complete: bool) -> dict:
    texts = SECTOR_TEXTS[startup.sector]
    product, ai = texts["pairs"][startup.pair]
    customer = rng.choice(texts["customers"])
    stage = _weighted_stage(rng)
    team = rng.randrange(2, 13)
    full_time = rng.randrange(max(2, team // 2), team + 1)
    technical = rng.randrange((full_time + 1) // 2, full_time + 1)
    n = rng.randrange(3, 25)
    traction = {
        Stage.IDEA: f"Interviews with {n} potential customers; a waiting list of {n * 9}.",
        Stage.PROTOTYPE: f"A working prototype tested with {n} {customer}.",
        Stage.MVP: f"{max(n // 4, 2)} pilots with {customer}; {n * 40} active users.",
        Stage.EARLY_REVENUE: (
            f"{n} paying customers among {customer}; monthly recurring revenue of about "
            f"US${rng.randrange(4, 60)},000."
        ),
        Stage.GROWTH: (
            f"{n * 3} paying customers in Hong Kong and {rng.choice(REGIONS)}; revenue growing "
            f"{rng.randrange(15, 60)}% a quarter."
        ),
    }[stage]
    answers = {
        "registered_in_hk": startup.registered_in_hk,
        "business_registration_number": startup.br_number,
        "hk_presence_plan": (
            ""
            if startup.registered_in_hk
            else "The company will register a Hong Kong subsidiary before the programme starts "
            "and move two engineers to the Lab."
        ),
        "date_founded": startup.founded,
        "team_size": team,
        "full_time_staff": full_time,
        "technical_staff": technical,
        "founders_equity": Decimal(rng.randrange(55, 96)),
        "product_description": product.format(name=startup.name),
        "ai_description": ai,
        "stage": stage,
        "traction": traction,
        "funding_raised_usd": Decimal(rng.choice([0, 0, 50, 120, 250, 400, 800]) * 1000),
        "gpu_hours_per_month": rng.randrange(1, 17) * 50,
        "platforms": rng.choice(
            [[Platform.ALIBABA_CLOUD], [Platform.SENSETIME], list(Platform.values), []]
        ),
        "lab_needs": " ".join(
            need.format(customer=customer) for need in rng.sample(LAB_NEEDS, rng.randrange(1, 3))
        ),
    }
    if not complete:
        # A draft in progress: the later parts of the form are still empty.
        for name in rng.sample(
            ["traction", "funding_raised_usd", "ai_description", "founders_equity", "lab_needs"],
            rng.randrange(1, 4),
        ):
            answers[name] = "" if isinstance(answers[name], str) else None
        if not startup.registered_in_hk and rng.random() < 0.5:
            answers["hk_presence_plan"] = ""
    return answers


# How many applications each closed cohort receives and how its call ended.
CLOSED_OUTCOMES = {
    ApplicationState.WAITLISTED: (2, 3),
    ApplicationState.WITHDRAWN: (1, 2),
}
CLOSED_TOTAL = (19, 22)
OPEN_STATES = [(ApplicationState.DRAFT, 13), (ApplicationState.SUBMITTED, 20)]
OPEN_WITHDRAWN = 3
RETRY_STATES = frozenset(
    {ApplicationState.REJECTED, ApplicationState.WAITLISTED, ApplicationState.WITHDRAWN}
)


def plan_build(anchor: datetime) -> Plan:
    """The whole demo as plain data: the same anchor always gives the same plan."""
    rng = random.Random(SEED)
    names = _Names(rng)
    cohorts = _plan_cohorts(anchor)
    staff = _plan_staff(names, anchor)
    sectors = list(SECTOR_TEXTS)
    startups: list[StartupPlan] = []
    applications: list[ApplicationPlan] = []
    # Startups that may apply again after a rejection, a waitlist or a withdrawal.
    returning: list[StartupPlan] = []
    hero = None

    for cohort in cohorts:
        is_open = cohort.decided_at is None
        if is_open:
            states = [s for s, n in OPEN_STATES for _ in range(n)]
            states += [ApplicationState.WITHDRAWN] * OPEN_WITHDRAWN
        else:
            total = rng.randint(*CLOSED_TOTAL)
            states = [ApplicationState.ACCEPTED] * rng.randint(6, 10)
            for state, (low, high) in CLOSED_OUTCOMES.items():
                states += [state] * rng.randint(low, high)
            states += [ApplicationState.REJECTED] * max(total - len(states), 0)
        rng.shuffle(states)
        # The printed founder: not selected in the current cohort, drafting again in the open
        # call, so that the account shows both a decision and a draft ready to submit.
        hero_index = None
        if cohort is cohorts[-2]:
            hero_index = states.index(ApplicationState.REJECTED)
        elif is_open:
            hero_index = states.index(ApplicationState.DRAFT)
        this_cohort: set[str] = set()
        for index, state in enumerate(states):
            if index == hero_index:
                if hero is None:
                    hero = _plan_startup(rng, names, "property-inspection", cohort, hero=True)
                    startups.append(hero)
                startup = hero
            else:
                candidates = [s for s in returning if s.name not in this_cohort]
                if candidates and rng.random() < 0.2:
                    startup = rng.choice(candidates)
                    returning.remove(startup)
                else:
                    startup = _plan_startup(rng, names, rng.choice(sectors), cohort)
                    startups.append(startup)
            this_cohort.add(startup.name)
            applications.append(
                _plan_application(rng, anchor, cohort, startup, state, hero=startup is hero)
            )
            if not is_open and state in RETRY_STATES and startup is not hero:
                returning.append(startup)
    return Plan(anchor, cohorts, staff, startups, applications)


def _plan_application(
    rng: random.Random,
    anchor: datetime,
    cohort: CohortPlan,
    startup: StartupPlan,
    state: str,
    hero: bool,
) -> ApplicationPlan:
    # In the open call, everything so far happened before the anchor (the first load).
    end = cohort.closes_at if cohort.decided_at is not None else min(cohort.closes_at, anchor)
    start = max(cohort.opens_at, startup.created_at)
    created_at = _between(rng, start, end - timedelta(hours=6))
    submitted_at = withdrawn_at = None
    if state == ApplicationState.DRAFT:
        updated_at = _between(rng, created_at, end)
    elif state == ApplicationState.WITHDRAWN:
        if rng.random() < 0.5:
            submitted_at = _between(rng, created_at, end)
        limit = cohort.decided_at or end
        withdrawn_at = _between(rng, submitted_at or created_at, limit)
        updated_at = withdrawn_at
    else:
        submitted_at = _between(rng, created_at, end)
        updated_at = submitted_at
        if cohort.decided_at is not None:
            updated_at = cohort.decided_at + timedelta(minutes=rng.randrange(0, 240))
    complete = state != ApplicationState.DRAFT or hero or rng.random() < 0.3
    return ApplicationPlan(
        cohort=cohort.key,
        startup=startup,
        state=state,
        created_at=created_at,
        updated_at=updated_at,
        submitted_at=submitted_at,
        withdrawn_at=withdrawn_at,
        answers=application_answers(rng, startup, complete=complete),
        with_deck=submitted_at is not None or hero,
    )


# --- Pitch decks ----------------------------------------------------------------------------


def _pdf_escape(text: str) -> str:
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_document(pages: list[list[str]]) -> bytes:
    """A small valid PDF (A4 landscape, Helvetica): the first line of each page is its title."""
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    page_ids = [4 + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode()
    for pid, lines in zip(page_ids, pages, strict=True):
        ops = ["BT", "/F1 26 Tf", "56 500 Td", f"({_pdf_escape(lines[0])}) Tj", "/F1 13 Tf"]
        ops.append("0 -40 Td")
        for line in lines[1:]:
            for part in textwrap.wrap(line, 100) or [""]:
                ops += [f"({_pdf_escape(part)}) Tj", "0 -19 Td"]
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects[pid] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {pid + 1} 0 R >>"
        ).encode()
        objects[pid + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def pitch_deck(plan: ApplicationPlan, sector_name: str) -> bytes:
    startup, answers = plan.startup, plan.answers
    founders = ", ".join(p.full_name for p in startup.founders)
    return pdf_document(
        [
            [
                startup.name,
                f"Pitch deck for the HKAI Lab accelerator, {plan.cohort[0]} "
                f"{plan.cohort[1].title()}",
                f"Sector: {sector_name}",
                f"Founders: {founders}",
                "",
                "FICTIONAL DEMO DOCUMENT: this company and these people do not exist.",
            ],
            ["The product", answers["product_description"], "", answers["traction"] or ""],
            [
                "The AI",
                answers["ai_description"] or "",
                "",
                f"Team: {answers['team_size']} people, {answers['technical_staff']} technical.",
                f"GPU-hours needed a month: {answers['gpu_hours_per_month']}",
            ],
        ]
    )


# --- Loading --------------------------------------------------------------------------------


@dataclass
class DemoResult:
    created: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.created.values())


def demo_anchor() -> datetime:
    """The instant of the first load, kept as the demo administrator's `date_joined`."""
    joined = (
        User.objects.filter(email=LOGIN_EMAILS[Role.ADMINISTRATOR])
        .values_list("date_joined", flat=True)
        .first()
    )
    return joined or timezone.now().replace(second=0, microsecond=0)


def demo_load() -> DemoResult:
    """Create whatever part of the demo programme is missing; change nothing that exists.

    The e-mails that loading causes (payments, credit alerts, decisions) would go to fictional
    addresses: they are kept in memory, not sent, nor printed by the console backend.
    """
    quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    with quiet, transaction.atomic():
        return _Loader(plan_build(demo_anchor())).run()


@functools.cache
def _password_hash(password: str) -> str:
    # One hash per role password: hashing 200 founders one by one takes half a minute.
    return make_password(password)


class _Loader:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.result = DemoResult()
        self.programme = Programme.objects.get(slug=PROGRAMME_SLUG)
        self.sectors = {s.slug: s for s in Sector.objects.filter(slug__in=SECTOR_TEXTS)}
        missing = set(SECTOR_TEXTS) - set(self.sectors)
        if missing:
            raise LookupError(f"Sectors missing (seeded by migration): {sorted(missing)}")
        self.notice = notice_current(kind=NoticeKind.COLLECTION)
        # What exists already, in a few queries rather than one per planned row.
        emails = {p.email for p in plan.staff} | {
            p.email for s in plan.startups for p in s.founders
        }
        self.users = {u.email: u for u in User.objects.filter(email__in=emails)}
        self.consented = set(
            ConsentRecord.objects.filter(
                user__email__in=emails, notice__kind=NoticeKind.COLLECTION
            ).values_list("user_id", flat=True)
        )
        names = [s.name for s in plan.startups]
        self.startups = {s.name: s for s in Startup.objects.filter(name__in=names)}
        self.memberships = set(
            StartupMember.objects.filter(startup__name__in=names).values_list(
                "startup_id", "user_id"
            )
        )
        self.cohorts: dict[tuple[int, str], Cohort] = {}
        self.applied: set[tuple[int, int]] = set()

    def run(self) -> DemoResult:
        for cohort in self.plan.cohorts:
            self._cohort(cohort)
        self.applied = set(
            Application.objects.filter(cohort__in=self.cohorts.values()).values_list(
                "cohort_id", "startup_id"
            )
        )
        for person in self.plan.staff:
            self._user(person)
        self._two_factor()
        for startup in self.plan.startups:
            self._startup(startup)
        for application in self.plan.applications:
            self._application(application)
        self._resident()
        self._reviewers()
        self._reviews()
        self._selection()
        self._funding()
        self._compute()
        self._workspace()
        return self.result

    def _workspace(self) -> None:
        # The Lab's floor with the admitted startups placed on it, and room bookings
        # (nurture.workspace.demo).
        from nurture.workspace.demo import demo_workspace_load

        manager = self.users.get(LOGIN_EMAILS[Role.PROGRAMME_MANAGER])
        if manager is not None:
            self.result.created.update(demo_workspace_load(manager=manager))

    def _compute(self) -> None:
        # The fictional GPU cluster, the admitted startups' use of it and their cloud bills
        # (nurture.compute.demo).
        from nurture.compute.demo import demo_compute_load

        manager = self.users.get(LOGIN_EMAILS[Role.PROGRAMME_MANAGER])
        if manager is not None:
            self.result.created.update(demo_compute_load(manager=manager))

    def _funding(self) -> None:
        # Seed-funding schedules of the admitted startups, one tranche paid and one waiting
        # for finance (nurture.funding.demo).
        from nurture.funding.demo import demo_funding_load

        manager = self.users.get(LOGIN_EMAILS[Role.PROGRAMME_MANAGER])
        finance = self.users.get(LOGIN_EMAILS[Role.FINANCE_APPROVER])
        if manager is not None and finance is not None:
            self.result.created.update(demo_funding_load(manager=manager, finance=finance))
        if manager is not None:
            from nurture.platforms.demo import demo_platforms_load

            self.result.created.update(demo_platforms_load(manager=manager))

    def _reviewers(self) -> None:
        # Reviewer profiles of the board and the open cohort's written round in bidding
        # (nurture.reviewers.demo).
        from nurture.reviewers.demo import demo_reviewers_load

        board = sorted(p.email for p in self.plan.staff if p.role == Role.REVIEWER)
        open_plans = [c for c in self.plan.cohorts if c.decided_at is None]
        self.result.created.update(
            demo_reviewers_load(
                reviewers=[self.users[email] for email in board if email in self.users],
                printed=self.users.get(LOGIN_EMAILS[Role.REVIEWER]),
                open_cohort=self.cohorts.get(open_plans[-1].key) if open_plans else None,
                seed=SEED,
            )
        )

    def _reviews(self) -> None:
        # The written review of the most recently decided cohort (nurture.reviews.demo).
        from nurture.reviews.demo import demo_reviews_load

        decided = [c for c in self.plan.cohorts if c.decided_at is not None]
        board = sorted(p.email for p in self.plan.staff if p.role == Role.REVIEWER)
        reviewers = [self.users[email] for email in board if email in self.users]
        if decided and decided[-1].key in self.cohorts:
            self.result.created.update(
                demo_reviews_load(
                    cohort=self.cohorts[decided[-1].key], reviewers=reviewers, seed=SEED
                )
            )

    def _selection(self) -> None:
        # The proposal and decisions of the reviewed cohort (nurture.selection.demo).
        from nurture.selection.demo import demo_selection_load

        decided = [c for c in self.plan.cohorts if c.decided_at is not None]
        manager = self.users.get(LOGIN_EMAILS[Role.PROGRAMME_MANAGER])
        if decided and decided[-1].key in self.cohorts and manager is not None:
            self.result.created.update(
                demo_selection_load(
                    cohort=self.cohorts[decided[-1].key],
                    manager=manager,
                    decided_at=decided[-1].decided_at,
                )
            )

    def _cohort(self, plan: CohortPlan) -> None:
        cohort = Cohort.objects.filter(
            programme=self.programme, year=plan.year, intake=plan.intake
        ).first()
        if cohort is None:
            cohort = Cohort.objects.create(
                programme=self.programme,
                name=plan.name,
                year=plan.year,
                intake=plan.intake,
                capacity=self.programme.max_startups_per_cohort,
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
            )
            self.result.created["cohorts"] += 1
        self.cohorts[plan.key] = cohort
        if not Call.objects.filter(cohort=cohort).exists():
            season_zh = "春季" if plan.intake == Intake.SPRING else "秋季"
            Call.objects.create(
                cohort=cohort,
                title=f"Call for applications: {plan.name}",
                title_zh_hant=f"{plan.year}年{season_zh}招募",
                description=(
                    f"Six months in the HKAI Lab from {plan.starts_on:%-d %B %Y}: working space, "
                    "US$100,000 seed funding, US$10,000 cloud credits, GPU compute and advice "
                    f"from the advisory board. {DEMO_NOTICE}"
                ),
                description_zh_hant=(
                    f"由 {plan.starts_on:%Y年%-m月%-d日} 起在 HKAI Lab 進行六個月的計劃："
                    "工作空間、10 萬美元種子基金、1 萬美元雲端額度、GPU 運算資源及顧問委員會指導。"
                    f"{DEMO_NOTICE_ZH}"
                ),
                opens_at=plan.opens_at,
                closes_at=plan.closes_at,
            )
            self.result.created["calls"] += 1

    def _user(self, person: PersonPlan) -> User:
        user = self.users.get(person.email)
        if user is None:
            joined = person.joined_at or self.plan.anchor
            user = User.objects.create(
                email=person.email,
                full_name=person.full_name,
                role=person.role,
                organisation=person.organisation,
                password=_password_hash(PASSWORDS[person.role]),
                is_staff=person.is_admin,
                is_superuser=person.is_admin,
                date_joined=joined,
                email_verified_at=joined + timedelta(minutes=7),
            )
            self.result.created["users"] += 1
        if person.role == Role.FOUNDER and user.pk not in self.consented:
            consent_record(
                user=user, kind=NoticeKind.COLLECTION, granted=True, context="demo:signup"
            )
            self.consented.add(user.pk)
        self.users[person.email] = user
        return user

    def _resident(self) -> None:
        """The printed co-founder of an admitted startup of the cohort running now (or of the
        latest decided one)."""
        today = timezone.localdate()
        if StartupMember.objects.filter(user__email=RESIDENT_EMAIL).exists():
            return
        # A team with room for one more (demo teams have at most three members).
        admitted = (
            Application.objects.filter(
                state=ApplicationState.ACCEPTED, cohort__programme=self.programme
            )
            .annotate(members=Count("startup__memberships"))
            .filter(members__lt=3)
            .select_related("startup", "cohort")
        )
        application = (
            admitted.filter(cohort__starts_on__lte=today, cohort__ends_on__gte=today)
            .order_by("startup__name")
            .first()
            or admitted.order_by("-cohort__starts_on", "startup__name").first()
        )
        if application is None:
            return
        existing = User.objects.filter(email=RESIDENT_EMAIL).first()
        if existing is not None:
            self.users[RESIDENT_EMAIL] = existing
            if ConsentRecord.objects.filter(
                user=existing, notice__kind=NoticeKind.COLLECTION
            ).exists():
                self.consented.add(existing.pk)
        person = PersonPlan(RESIDENT_EMAIL, "Wing-sze Emberfield", Role.FOUNDER)
        user = self._user(person)
        startup = application.startup
        if (startup.pk, user.pk) not in self.memberships:
            StartupMember.objects.get_or_create(
                startup=startup,
                user=user,
                defaults={"role": MemberRole.COFOUNDER, "title": "CTO"},
            )
            self.memberships.add((startup.pk, user.pk))
            self.result.created["memberships"] += 1

    def _two_factor(self) -> None:
        """A device with the demo secret for every staff account that lacks one; a new backup
        code for each printed account whose role requires two-factor authentication."""
        from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from nurture.accounts.twofactor import two_factor_required

        key = base64.b32decode(DEMO_TOTP_SECRET).hex()
        needing = [u for u in self.users.values() if two_factor_required(u)]
        have = set(
            TOTPDevice.objects.filter(user__in=needing, confirmed=True).values_list(
                "user_id", flat=True
            )
        )
        missing = [
            TOTPDevice(user=u, name="Demo authenticator", key=key, confirmed=True)
            for u in needing
            if u.pk not in have
        ]
        if missing:
            TOTPDevice.objects.bulk_create(missing)
            self.result.created["two-factor devices"] += len(missing)
        printed = [u for u in needing if u.email in LOGIN_EMAILS.values()]
        StaticDevice.objects.filter(user__in=printed, name=DEMO_BACKUP_DEVICE).delete()
        for user in printed:
            device = StaticDevice.objects.create(user=user, name=DEMO_BACKUP_DEVICE, confirmed=True)
            device.token_set.create(token=StaticToken.random_token())

    def _startup(self, plan: StartupPlan) -> None:
        founders = [self._user(person) for person in plan.founders]
        startup = self.startups.get(plan.name)
        if startup is None:
            startup = Startup.objects.create(
                name=plan.name,
                legal_name=f"{plan.name} Limited" if plan.registered_in_hk else "",
                website=plan.website,
                registered_in_hk=plan.registered_in_hk,
                business_registration_number=plan.br_number,
                date_founded=plan.founded,
                sector=self.sectors[plan.sector],
                summary=SECTOR_TEXTS[plan.sector]["pairs"][plan.pair][0].format(name=plan.name),
                created_by=founders[0],
                created_at=plan.created_at,
            )
            self.result.created["startups"] += 1
        for index, (person, user) in enumerate(zip(plan.founders, founders, strict=True)):
            if (startup.pk, user.pk) not in self.memberships:
                StartupMember.objects.create(
                    startup=startup,
                    user=user,
                    role=MemberRole.FOUNDER if index == 0 else MemberRole.COFOUNDER,
                    title=["CEO", "CTO", "Head of AI"][index],
                    joined_at=person.joined_at,
                )
                self.result.created["memberships"] += 1
        self.startups[plan.name] = startup

    def _application(self, plan: ApplicationPlan) -> None:
        cohort = self.cohorts[plan.cohort]
        startup = self.startups[plan.startup.name]
        if (cohort.pk, startup.pk) in self.applied:
            return
        creator = self.users[plan.startup.founders[0].email]
        application = Application(
            cohort=cohort,
            startup=startup,
            state=plan.state,
            sector=self.sectors[plan.startup.sector],
            created_by=creator,
            created_at=plan.created_at,
            updated_at=plan.updated_at,
            submitted_at=plan.submitted_at,
            withdrawn_at=plan.withdrawn_at,
            collection_notice=self.notice,
            **plan.answers,
        )
        if plan.with_deck:
            data = pitch_deck(plan, self.sectors[plan.startup.sector].name)
            filename = f"{startup.name.lower().replace(' ', '-')}-pitch-deck.pdf"
            application.pitch_deck_name = filename
            application.pitch_deck_size = len(data)
            application.pitch_deck.save(filename, ContentFile(data), save=False)
            self.result.created["pitch decks"] += 1
        application.save()
        self.result.created["applications"] += 1
        consent_record(
            user=creator,
            kind=NoticeKind.COLLECTION,
            granted=True,
            context=f"application:{application.pk}",
        )


def demo_two_factor() -> dict[str, str]:
    """For each printed account that signs in with a code: how to get one."""
    from django_otp.plugins.otp_static.models import StaticToken

    from nurture.accounts.twofactor import two_factor_required

    secret = " ".join(DEMO_TOTP_SECRET[i : i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4))
    users = User.objects.filter(email__in=LOGIN_EMAILS.values())
    backup = dict(
        StaticToken.objects.filter(
            device__user__in=users, device__name=DEMO_BACKUP_DEVICE
        ).values_list("device__user__email", "token")
    )
    hints = {}
    for user in users:
        if two_factor_required(user):
            code = backup.get(user.email)
            once = f"or backup code {code} (one use)" if code else "(backup code used up)"
            hints[user.email] = f"2FA: authenticator key {secret} {once}"
    return hints


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of the printed demo accounts that exist in this database."""
    existing = set(
        User.objects.filter(email__in=LOGIN_EMAILS.values()).values_list("email", flat=True)
    )
    logins = [
        (ROLE_LABELS[role], email, PASSWORDS[role])
        for role, email in LOGIN_EMAILS.items()
        if email in existing
    ]
    if User.objects.filter(email=RESIDENT_EMAIL).exists():
        logins.insert(1, (RESIDENT_LABEL, RESIDENT_EMAIL, PASSWORDS[Role.FOUNDER]))
    return logins
