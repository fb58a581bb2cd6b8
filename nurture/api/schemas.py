"""Request and response shapes. Field names follow the models; ids refer to other objects."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, P, Path, Query, Schema
from pydantic import ConfigDict

from nurture.applications.models import ApplicationState, Platform, Stage

# The largest id any supported database stores; larger numbers are refused as invalid
# instead of overflowing the database driver.
MAX_ID = 2**63 - 1
SMALL_INT = 32767
INT = 2**31 - 1

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Path[int, P(ge=1, le=MAX_ID)]
QueryId = Query[int | None, P(ge=1, le=MAX_ID)]
StateName = Literal[tuple(ApplicationState.values)]
StageName = Literal[("", *Stage.values)]
PlatformName = Literal[tuple(Platform.values)]
CallStatus = Literal["open", "upcoming", "closed"]


class Problem(Schema):
    field: str | None
    message: str


class Error(Schema):
    detail: str
    code: str
    errors: list[Problem]


# --- Programmes, cohorts, calls, sectors ----------------------------------------------------


class Sector(Schema):
    id: int
    slug: str
    name: str
    name_zh_hant: str
    is_vertical: bool


class ProgrammeRules(Schema):
    cohorts_per_year: int
    min_startups_per_cohort: int
    max_startups_per_cohort: int
    yearly_cap: int
    length_months: int
    followon_name: str
    followon_months: int
    requires_hk_presence: bool
    max_company_age_years: int | None
    min_team_size: int
    min_technical_share: int
    min_founder_equity: Decimal


class Benefit(Schema):
    kind: str
    kind_display: str
    label: str
    label_zh_hant: str
    amount: Decimal | None
    unit: str
    details: str
    details_zh_hant: str

    @staticmethod
    def resolve_kind_display(obj) -> str:
        return str(obj.get_kind_display())


class Programme(Schema):
    id: int
    slug: str
    name: str
    name_zh_hant: str
    organisation: str
    description: str
    is_active: bool
    rules: ProgrammeRules

    @staticmethod
    def resolve_rules(obj) -> dict:
        return {name: getattr(obj, name) for name in ProgrammeRules.model_fields}


class ProgrammeDetail(Programme):
    benefits: list[Benefit]

    @staticmethod
    def resolve_benefits(obj):
        return obj.benefits.all()


class CallSummary(Schema):
    id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    status: CallStatus


class Cohort(Schema):
    id: int
    programme_id: int
    name: str
    year: int
    intake: str
    capacity: int
    starts_on: date
    ends_on: date
    call: CallSummary | None

    @staticmethod
    def resolve_call(obj):
        return getattr(obj, "call", None)


class Call(Schema):
    id: int
    cohort_id: int
    cohort_name: str
    programme_id: int
    title: str
    title_zh_hant: str
    description: str
    description_zh_hant: str
    opens_at: datetime
    closes_at: datetime
    status: CallStatus

    @staticmethod
    def resolve_cohort_name(obj) -> str:
        return obj.cohort.name

    @staticmethod
    def resolve_programme_id(obj) -> int:
        return obj.cohort.programme_id


# --- People and startups --------------------------------------------------------------------


class StartupRef(Schema):
    id: int
    name: str


class Me(Schema):
    id: int
    email: str
    full_name: str
    role: str
    role_display: str
    is_programme_staff: bool
    preferred_language: str
    startups: list[StartupRef]

    @staticmethod
    def resolve_role_display(obj) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_startups(obj):
        return obj.startups.order_by("name", "pk")


class Member(Schema):
    user_id: int
    full_name: str
    email: str
    role: str
    title: str

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.user.full_name

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email


class Startup(Schema):
    id: int
    name: str
    legal_name: str
    website: str
    registered_in_hk: bool
    business_registration_number: str
    date_founded: date | None
    sector_id: int | None
    summary: str
    created_at: datetime
    members: list[Member]

    @staticmethod
    def resolve_members(obj):
        return obj.memberships.all()


class _StartupFields(Schema):
    model_config = ConfigDict(extra="forbid")

    legal_name: str = Field("", max_length=200)
    website: str = Field("", max_length=200)
    registered_in_hk: bool = False
    business_registration_number: str = Field("", max_length=32)
    date_founded: date | None = None
    sector: ObjectId | None = None
    summary: str = Field("", max_length=2000)


class StartupCreate(_StartupFields):
    name: str = Field(..., min_length=1, max_length=200)


class StartupPatch(_StartupFields):
    """Only the fields sent are changed."""

    name: str = Field(None, min_length=1, max_length=200)


# --- Applications ---------------------------------------------------------------------------


class PitchDeck(Schema):
    name: str
    size: int | None


class ApplicationSummary(Schema):
    id: int
    cohort_id: int
    cohort_name: str
    startup_id: int
    startup_name: str
    state: StateName
    state_display: str
    sector_id: int | None
    stage: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    withdrawn_at: datetime | None

    @staticmethod
    def resolve_cohort_name(obj) -> str:
        return obj.cohort.name

    @staticmethod
    def resolve_startup_name(obj) -> str:
        return obj.startup.name

    @staticmethod
    def resolve_state_display(obj) -> str:
        return str(obj.get_state_display())


class Application(ApplicationSummary):
    call_closes_at: datetime | None
    registered_in_hk: bool
    hk_presence_plan: str
    business_registration_number: str
    date_founded: date | None
    team_size: int | None
    full_time_staff: int | None
    technical_staff: int | None
    founders_equity: Decimal | None
    product_description: str
    ai_description: str
    traction: str
    funding_raised_usd: Decimal | None
    gpu_hours_per_month: int | None
    platforms: list[str]
    lab_needs: str
    pitch_deck: PitchDeck | None
    problems: list[Problem] = Field(
        default_factory=list,
        description="What still stands between this draft and submission.",
    )

    @staticmethod
    def resolve_call_closes_at(obj):
        call = getattr(obj.cohort, "call", None)
        return call.closes_at if call else None

    @staticmethod
    def resolve_pitch_deck(obj):
        if not obj.pitch_deck:
            return None
        return {"name": obj.pitch_deck_filename, "size": obj.pitch_deck_size}


class ApplicationStart(Schema):
    model_config = ConfigDict(extra="forbid")

    startup: ObjectId
    cohort: ObjectId


class ApplicationAnswers(Schema):
    """A draft's answers; only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    registered_in_hk: bool = None
    hk_presence_plan: str = Field(None, max_length=5000)
    business_registration_number: str = Field(None, max_length=32)
    date_founded: date | None = None
    team_size: int | None = Field(None, ge=1, le=SMALL_INT)
    full_time_staff: int | None = Field(None, ge=0, le=SMALL_INT)
    technical_staff: int | None = Field(None, ge=0, le=SMALL_INT)
    founders_equity: Decimal | None = Field(
        None, ge=0, le=100, max_digits=5, decimal_places=2, allow_inf_nan=False
    )
    product_description: str = Field(None, max_length=5000)
    ai_description: str = Field(None, max_length=5000)
    sector: ObjectId | None = None
    stage: StageName = None
    traction: str = Field(None, max_length=3000)
    funding_raised_usd: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False
    )
    gpu_hours_per_month: int | None = Field(None, ge=0, le=INT)
    platforms: list[PlatformName] = Field(None, max_length=10)
    lab_needs: str = Field(None, max_length=3000)
