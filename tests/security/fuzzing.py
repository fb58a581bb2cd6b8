"""Fuzzing shared by the test suite (tests/security) and the benchmark (bench/fuzz.py).

Forms: each target starts from a valid submission and lets Hypothesis replace, drop or add
fields with hostile values (NUL bytes, very long strings, odd unicode, huge numbers, invalid
dates and decimals, random files). A request must answer below 500, and a refused submission
must leave the rows it would have written exactly as they were.

API: schemathesis generates requests from /api/openapi.json and sends them, as the founder of
one startup, through the WSGI application in this process; no answer may be a 5xx or name
the other startup or its people.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from hypothesis import strategies as st

from nurture.accounts.models import User
from nurture.accounts.services import api_token_create
from nurture.applications.models import Application
from nurture.startups.models import Invitation, Startup, StartupMember
from tests import factories

# --- hostile values -------------------------------------------------------------------------

ODD_TEXT = [
    "\x00",
    "a\x00b",
    "\u202e\u2066evil\u2069",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 漢字",
    "\ufeff",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%s%n%x",
    " ",
    "",
    "ǅ" * 5000,
]
ODD_NUMBERS = [
    "-1",
    "0",
    "2147483648",
    "32768",
    "65536",
    "9223372036854775808",
    "1" + "0" * 40,
    "-" + "9" * 400,
    "1e309",
    "NaN",
    "Infinity",
    "-0",
    "0x1F",
    "1_000",
    "1.5",
    "99999999999999999999.999",
    "0.0000000000000000001",
    "١٢٣",
]
ODD_DATES = [
    "2023-02-30",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "2025-13-01",
    "2025-1-1",
    "yesterday",
    "2025-05-01T25:61",
    "-2025-05-01",
]

text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
hostile_scalar = st.one_of(
    text,
    st.sampled_from(ODD_TEXT + ODD_NUMBERS + ODD_DATES),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from([151, 201, 255, 256, 2001, 100_000, 1_000_000]).map(lambda n: "é" * n),
)
hostile_value = st.one_of(hostile_scalar, st.lists(hostile_scalar, min_size=2, max_size=3))


@st.composite
def hostile_file(draw) -> SimpleUploadedFile:
    kind = draw(st.sampled_from(["random", "pdf-head", "pdf", "empty", "truncated-pdf"]))
    if kind == "random":
        content = draw(st.binary(max_size=2048))
    elif kind == "pdf-head":
        content = b"%PDF-1.7\n" + draw(st.binary(max_size=1024))
    elif kind == "pdf":
        content = factories.pdf_bytes()
    elif kind == "truncated-pdf":
        whole = factories.pdf_bytes()
        content = whole[: draw(st.integers(0, len(whole)))]
    else:
        content = b""
    name = draw(st.one_of(st.sampled_from(["deck.pdf", "../../x.pdf", "a\x00.pdf"]), text))
    content_type = draw(st.sampled_from(["application/pdf", "text/html", "", "x/\x00"]))
    return SimpleUploadedFile(name or "f", content, content_type=content_type or "text/plain")


# --- the world being fuzzed ------------------------------------------------------------------


@dataclass
class World:
    founder: User
    startup: Startup
    application: Application
    other_founder: User
    other_startup: Startup
    other_application: Application
    manager: User
    token: str
    secrets: list[str] = field(default_factory=list)


def world_build() -> World:
    """A founder with a startup and a draft in an open call, and another startup whose name,
    people and answers must never reach the first founder."""
    application = factories.ApplicationFactory(
        startup=factories.StartupFactory(name="Mine Robotics Ltd"),
        product_description="Our own product.",
    )
    founder = factories.FounderFactory(email="me.founder@example.com", full_name="Mina Founder")
    StartupMember.objects.create(startup=application.startup, user=founder, role="founder")
    other = factories.submitted(
        startup=factories.StartupFactory(name="Zyxwvut Secret Labs", legal_name="Zyxwvut Holdings"),
        product_description="Qwertyuiop confidential product.",
    )
    other_founder = factories.FounderFactory(
        email="hidden.rival@zyxwvut.example", full_name="Rival Hiddenname"
    )
    StartupMember.objects.create(startup=other.startup, user=other_founder, role="founder")
    _token, key = api_token_create(user=founder, name="fuzz")
    return World(
        founder=founder,
        startup=application.startup,
        application=application,
        other_founder=other_founder,
        other_startup=other.startup,
        other_application=other,
        manager=factories.ProgrammeManagerFactory(),
        token=key,
        secrets=[
            "Zyxwvut",
            "zyxwvut",
            "Qwertyuiop",
            "Hiddenname",
            other.startup.business_registration_number,
        ],
    )


# --- form targets ----------------------------------------------------------------------------


@dataclass
class FormTarget:
    name: str
    url: Any  # (world) -> str
    user: Any  # (world) -> User | None
    valid: Any  # (world) -> dict
    tables: tuple = ()  # models whose rows a refused submission must leave alone
    rows: Any = None  # (world) -> objects whose values must not change on refusal
    files: tuple = ()


def _startup_fields(w):
    return {
        "name": "New Startup",
        "legal_name": "New Startup Ltd",
        "website": "https://example.com",
        "sector": "",
        "registered_in_hk": "on",
        "business_registration_number": "71234567",
        "date_founded": "2025-01-01",
        "summary": "We build things.",
    }


def _application_fields(w):
    a = w.application
    return {
        "registered_in_hk": "on",
        "business_registration_number": "71234567",
        "hk_presence_plan": "",
        "date_founded": str(timezone.localdate() - timedelta(days=300)),
        "team_size": "5",
        "full_time_staff": "4",
        "technical_staff": "3",
        "founders_equity": "80",
        "product_description": "Drone inspection.",
        "ai_description": "Vision models.",
        "sector": str(a.sector_id or ""),
        "stage": "mvp",
        "traction": "Pilots.",
        "funding_raised_usd": "150000",
        "gpu_hours_per_month": "200",
        "platforms": ["alibaba_cloud"],
        "lab_needs": "",
    }


FORM_TARGETS = [
    FormTarget(
        "signup",
        lambda w: "/accounts/signup/",
        lambda w: None,
        lambda w: {
            "full_name": "New Person",
            "email": "new.person@example.com",
            "password": "a-long-unusual-passphrase-77",
            "preferred_language": "en",
            "accept_collection_notice": "on",
            "marketing_consent": "",
        },
        tables=(User,),
    ),
    FormTarget(
        "login",
        lambda w: "/accounts/login/",
        lambda w: None,
        lambda w: {"username": w.founder.email, "password": "wrong-password", "next": "/"},
    ),
    FormTarget(
        "resend_verification",
        lambda w: "/accounts/verify-again/",
        lambda w: None,
        lambda w: {"email": "someone@example.com"},
    ),
    FormTarget(
        "password_reset",
        lambda w: "/accounts/password/reset/",
        lambda w: None,
        lambda w: {"email": w.founder.email},
    ),
    FormTarget(
        "profile",
        lambda w: "/accounts/profile/",
        lambda w: w.founder,
        lambda w: {"form": "profile", "full_name": "Mina F.", "preferred_language": "en"},
        rows=lambda w: [w.founder],
    ),
    FormTarget(
        "marketing_consent",
        lambda w: "/accounts/profile/",
        lambda w: w.founder,
        lambda w: {"form": "marketing", "marketing_consent": "on"},
    ),
    FormTarget(
        "reauth",
        lambda w: "/accounts/confirm/",
        lambda w: w.manager,
        lambda w: {"password": factories.PASSWORD, "code": "123456", "next": "/dashboard/"},
    ),
    FormTarget(
        "two_factor_setup",
        lambda w: "/accounts/two-factor/setup/",
        lambda w: w.founder,
        lambda w: {"code": "123456", "next": "/accounts/profile/"},
        tables=(StaticDevice,),
    ),
    FormTarget(
        "tokens",
        lambda w: "/accounts/tokens/",
        lambda w: w.founder,
        lambda w: {"name": "CI", "expires_in_days": "30", "scopes": "read"},
    ),
    FormTarget(
        "startup_create",
        lambda w: "/startups/new/",
        lambda w: w.founder,
        _startup_fields,
        tables=(Startup, StartupMember),
    ),
    FormTarget(
        "startup_edit",
        lambda w: f"/startups/{w.startup.pk}/edit/",
        lambda w: w.founder,
        _startup_fields,
        rows=lambda w: [w.startup],
    ),
    FormTarget(
        "invitation",
        lambda w: f"/startups/{w.startup.pk}/invite/",
        lambda w: w.founder,
        lambda w: {"email": "cofounder@example.com"},
        tables=(Invitation,),
    ),
    FormTarget(
        "application_start",
        lambda w: "/applications/start/",
        lambda w: w.founder,
        lambda w: {"startup": str(w.startup.pk), "cohort": str(w.application.cohort_id)},
        tables=(Application,),
    ),
    FormTarget(
        "application_edit",
        lambda w: f"/applications/{w.application.pk}/edit/",
        lambda w: w.founder,
        _application_fields,
        rows=lambda w: [w.application],
        files=("pitch_deck",),
    ),
]


@st.composite
def form_submission(draw, target: FormTarget, world: World) -> dict:
    data = dict(target.valid(world))
    names = sorted({*data, *target.files})
    # A few fields at a time, so that one hostile value often meets otherwise valid input
    # and reaches the service and the database.
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    for name in chosen:
        if draw(st.integers(0, 4)) == 0:
            data.pop(name, None)
        else:
            data[name] = draw(hostile_file() if name in target.files else hostile_value)
    if draw(st.booleans()):
        data[draw(text)] = draw(hostile_scalar)
    return data


def _snapshot(target: FormTarget, world: World) -> tuple:
    counts = tuple(model.objects.count() for model in target.tables)
    rows = []
    for obj in target.rows(world) if target.rows else []:
        fresh = type(obj).objects.get(pk=obj.pk)
        rows.append({k: v for k, v in model_to_dict(fresh).items() if k != "pitch_deck"})
        if hasattr(fresh, "pitch_deck"):
            rows.append(fresh.pitch_deck.name)
    return counts, rows


def _refused(response) -> bool:
    """The submission was turned down: a 4xx, a form shown again with errors, or only error
    messages on the way back."""
    if 400 <= response.status_code < 500:
        return True
    for context in response.context or []:
        form = context.get("form") if hasattr(context, "get") else None
        if form is not None and getattr(form, "is_bound", False) and form.errors:
            return True
    storage = getattr(response.wsgi_request, "_messages", None)
    if storage is not None and response.status_code in (301, 302):
        levels = [m.level for m in storage._queued_messages]
        if levels and all(level >= message_levels.ERROR for level in levels):
            return True
    return False


def sign_in(client: Client, user) -> None:
    """force_login plus a session that has passed the two-factor code step, as staff have
    after signing in (outside pytest too, where tests/conftest.py does not do this)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nurture.accounts.twofactor import must_verify

    client.force_login(user)
    if must_verify(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Fuzzing", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@dataclass
class FormResult:
    status: int
    refused: bool
    half_saved: bool


def form_post(target: FormTarget, world: World, data: dict, *, raise_errors=True) -> FormResult:
    client = Client(raise_request_exception=raise_errors)
    user = target.user(world)
    if user is not None:
        sign_in(client, user)
    for upload in data.values():
        if isinstance(upload, SimpleUploadedFile):
            upload.seek(0)
    before = _snapshot(target, world)
    response = client.post(target.url(world), data)
    refused = _refused(response)
    half_saved = refused and _snapshot(target, world) != before
    if hasattr(response, "close"):
        response.close()
    return FormResult(response.status_code, refused, half_saved)


# --- API -------------------------------------------------------------------------------------


def api_schema():
    import schemathesis

    from nurture.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def api_operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@dataclass
class ApiResult:
    status: int
    leaked: list[str]


def object_ids(world: World) -> dict[str, list[int]]:
    """Path parameters worth trying: this founder's objects and the other startup's."""
    return {
        "application_id": [world.application.pk, world.other_application.pk],
        "startup_id": [world.startup.pk, world.other_startup.pk],
        "cohort_id": [world.application.cohort_id, world.other_application.cohort_id],
        "call_id": [world.application.cohort.call.pk, world.other_application.cohort.call.pk],
        "programme_id": [world.application.cohort.programme_id],
    }


@st.composite
def api_case(draw, operations, world: World):
    """A schemathesis case whose path ids are, most of the time, real objects' ids."""
    operation = draw(st.sampled_from(operations))
    case = draw(operation.as_strategy())
    ids = object_ids(world)
    for name in list(case.path_parameters or {}):
        if name in ids and draw(st.integers(0, 3)) > 0:
            case.path_parameters[name] = draw(st.sampled_from(ids[name]))
    return case


def _wsgi_client():
    from werkzeug import Client as WerkzeugClient

    from nurture.wsgi import application

    class BufferedClient(WerkzeugClient):
        """Reads and closes every answer, as a WSGI server does (a streamed pitch deck
        would otherwise leave its file open)."""

        def open(self, *args, **kwargs):
            kwargs["buffered"] = True
            return super().open(*args, **kwargs)

    return BufferedClient(application)


def api_call(case, world: World) -> ApiResult:
    response = case.call(headers={"Authorization": f"Bearer {world.token}"}, session=_wsgi_client())
    body = response.content or b""
    if isinstance(body, str):
        body = body.encode()
    haystack = body.decode("utf-8", "replace") + "".join(
        f"{k}: {v}" for k, v in response.headers.items()
    )
    leaked = [secret for secret in world.secrets if secret and secret in haystack]
    return ApiResult(response.status_code, leaked)
