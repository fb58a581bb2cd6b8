"""Fuzzing shared by the test suite (tests/security) and the benchmark (bench/fuzz.py).

Forms: each target starts from a valid submission and lets Hypothesis replace, drop or add
fields with hostile values (NUL bytes, very long strings, odd unicode, huge numbers, invalid
dates and decimals, random files). A request must answer below 500, and a refused submission
must leave the rows it would have written exactly as they were.

API: schemathesis generates requests from /api/openapi.json and sends them, as the founder of
one startup, through the WSGI application in this process; no answer may be a 5xx or name
the other startup or its people.
"""

import importlib
import os
import pkgutil
import time as clock
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django import forms as djforms
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.forms.formsets import BaseFormSet
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from hypothesis import strategies as st

from nurture.accounts.models import User
from nurture.accounts.reauth import REAUTH_SESSION_KEY
from nurture.accounts.services import api_token_create
from nurture.applications.models import Application, ApplicationState
from nurture.compute.models import (
    BillingImport,
    BillingLine,
    Booking,
    CloudAccount,
    ComputeAccount,
    GpuModel,
    SlurmImport,
    UsageRecord,
)
from nurture.funding.models import Disbursement, TrancheRule
from nurture.platforms.models import Platform, PlatformAccess
from nurture.privacy.models import DataRequest, MarketingMessage
from nurture.programmes.models import BenefitItem, Call, Cohort
from nurture.resources.models import LedgerTransaction
from nurture.reviewers.forms import ProfileForm as ReviewerProfileForm
from nurture.reviewers.forms import StaffProfileForm
from nurture.reviewers.models import Assignment, Bid, Conflict, ReviewerProfile, ReviewRound
from nurture.reviews.models import Criterion, Review, Score
from nurture.selection.models import (
    Candidate,
    Decision,
    Mark,
    OfferResponse,
    Outcome,
    Proposal,
    ProposalState,
    SectorCap,
    SelectionSettings,
)
from nurture.startups.models import Invitation, Startup, StartupMember
from nurture.workspace.models import Allocation, RoomBooking, Space
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
    # A browser's file name reaches the view cleaned by Django's multipart parser; names that
    # parser would never hand over ("/", "..") cannot even be built here.
    if os.path.basename(name) in {"", ".", ".."}:
        name = "f"
    return SimpleUploadedFile(name, content, content_type=content_type or "text/plain")


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
    # Everything the later areas' forms act on, built as tests/authz builds it for the
    # role matrix (users by role, an admitted startup with its desk, room booking, GPU quota,
    # tranches and a disbursement request, a platform access request, review rounds with
    # assignments, a selection proposal and an offer, privacy requests; see world_build).
    ns: SimpleNamespace = field(default_factory=SimpleNamespace)

    @property
    def finance(self) -> User:
        return self.ns.users["finance"]

    @property
    def reviewer(self) -> User:
        return self.ns.users["reviewer"]


def _authz_modules():
    from tests import authz

    return [
        importlib.import_module(f"{authz.__name__}.{info.name}")
        for info in pkgutil.iter_modules(authz.__path__)
    ]


def _namespace(founder, application, other_founder, other, manager) -> SimpleNamespace:
    """The objects of the role matrix (tests/authz), around this world's founder: their
    startup's submitted application in a cohort of its own, and every area's prepare()."""
    users = {
        "anonymous": None,
        "member": founder,
        "other_founder": other_founder,
        "reviewer": factories.ReviewerFactory(full_name="Fuzz Reviewer"),
        "finance": factories.FinanceApproverFactory(full_name="Fuzz Finance"),
        "partner": factories.PartnerFactory(),
        "manager": manager,
        "admin": factories.AdministratorFactory(),
    }
    submitted = factories.submitted(startup=application.startup)
    ns = SimpleNamespace(
        users=users,
        application=submitted,
        other_application=other,
        startup=application.startup,
        cohort=submitted.cohort,
        programme=submitted.cohort.programme,
        invitation=Invitation.objects.create(
            startup=application.startup, email="invitee@example.com", invited_by=founder
        ),
    )
    for module in _authz_modules():
        if hasattr(module, "prepare"):
            module.prepare(ns)
    return ns


def _later_areas(ns: SimpleNamespace, other_startup: Startup, manager) -> None:
    """What the role matrix does not build but the forms need, and the other startup's own
    bookings, whose titles must never reach this world's founder."""
    from nurture.compute import services as compute
    from nurture.compute.models import Cluster, GpuModel
    from nurture.platforms.models import Platform
    from nurture.reviews import services as reviews
    from nurture.workspace.models import SpaceKind
    from tests.compute.conftest import grant

    ns.gpu_model = GpuModel.objects.get(slug="authz-gpu")
    ns.cluster = Cluster.objects.get(slug="authz")
    compute.compute_account_save(
        startup=ns.startup,
        slurm_account="fuzz-mine",
        namespace="fuzz-mine",
        max_gpus=4,
        actor=manager,
    )
    grant(ns.startup, ns.admitted.cohort.programme, hours=Decimal(500), credits=Decimal(1000))
    CloudAccount.objects.create(startup=ns.startup, account_id="acct-fuzz")
    ns.room = Space.objects.get(code="AZ-R")
    ns.free_desk = Space.objects.create(kind=SpaceKind.DESK, code="FZ-02", row=1, column=2)
    ns.other_platform = Platform.objects.exclude(pk=ns.platform.pk).filter(is_active=True).first()
    tomorrow = timezone.localdate() + timedelta(days=1)
    starts = datetime.combine(tomorrow, time(16), tzinfo=timezone.get_current_timezone())
    ns.other_room_booking = RoomBooking.objects.create(
        room=ns.room,
        startup=other_startup,
        title="Zyxwvut investor call",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        booked_by=ns.users["other_founder"],
    )
    ns.tomorrow = tomorrow
    # More reviewers, for the manager's pairing forms in the published written round: one to
    # add, one assigned and one to swap in.
    extra = []
    for label in ("Second", "Third", "Fourth", "Declaring"):
        reviewer = factories.ReviewerFactory(full_name=f"{label} Reviewer")
        ReviewerProfile.objects.create(user=reviewer, kind="investor", expertise="Robotics")
        extra.append(reviewer)
    ns.second_reviewer, third, ns.fourth_reviewer, ns.declaring_reviewer = extra
    # The last one finds a conflict after being assigned (reviewers:declare_assigned).
    ns.declaring_assignment = Assignment.objects.create(
        round=ns.reviews_round, application=ns.reviews_application, reviewer=ns.declaring_reviewer
    )
    ns.swap_assignment = Assignment.objects.create(
        round=ns.reviews_round, application=ns.reviews_application, reviewer=third
    )
    # The reviewer's draft of the written review, which the review form goes on editing.
    ns.draft_review = reviews.review_save(
        user=ns.users["reviewer"],
        assignment=ns.reviews_assignment,
        changes={"comment": "First thoughts.", "confidence": 2},
    )
    # A programme of its own, whose rubric no submitted review locks yet.
    ns.rubric_programme = factories.ProgrammeFactory()
    ns.rubric_criterion = reviews.rubric_ensure(programme=ns.rubric_programme)[0]
    # Selection in a cohort of its own (the role matrix's cohort has its decisions sent): a
    # finished proposal with the member's application as a candidate, and an accepted
    # application elsewhere whose offer awaits the founder's answer.
    now = timezone.now()
    ns.selection_application = factories.submitted(startup=ns.startup)
    ns.selection_cohort = ns.selection_application.cohort
    ns.selection_proposal = Proposal.objects.create(
        cohort=ns.selection_cohort, state=ProposalState.DONE
    )
    Candidate.objects.create(
        proposal=ns.selection_proposal,
        application=ns.selection_application,
        outcome=Outcome.WAITLISTED,
        rank=1,
        merit=0.5,
        reason="merit",
    )
    ns.offer = factories.ApplicationFactory(
        startup=ns.startup,
        cohort=factories.CohortFactory(),
        state=ApplicationState.ACCEPTED,
        submitted_at=now,
    )
    Decision.objects.create(
        application=ns.offer,
        outcome=Outcome.ACCEPTED,
        sent_at=now,
        offer_deadline=now + timedelta(days=14),
        response=OfferResponse.PENDING,
    )
    # An open call this founder has not applied to.
    ns.open_cohort = factories.CallFactory().cohort


def world_build() -> World:
    """A founder with a startup and a draft in an open call, and another startup whose name,
    people and answers must never reach the first founder; around them, every object the
    later areas' forms act on (see World.ns)."""
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
    token, key = api_token_create(user=founder, name="fuzz")
    manager = factories.ProgrammeManagerFactory()
    ns = _namespace(founder, application, other_founder, other, manager)
    _later_areas(ns, other.startup, manager)
    ns.member_token = token
    return World(
        founder=founder,
        startup=application.startup,
        application=application,
        other_founder=other_founder,
        other_startup=other.startup,
        other_application=other,
        manager=manager,
        token=key,
        secrets=[
            "Zyxwvut",  # the other startup's name, legal name, booking title, founder's e-mail
            "zyxwvut",
            "Qwertyuiop",  # its product text
            "Hiddenname",  # its founder's name
            "hidden.rival",  # its founder's e-mail
            other.startup.business_registration_number,
        ],
        ns=ns,
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
    view: str = ""  # the URL name (tests/security/test_every_form_is_fuzzed.py)
    # False where the valid submission is turned down by design (a wrong password), or
    # cannot succeed a first time in the world (said why at the target).
    accepts: bool = True
    before: Any = None  # (client, world) -> None, run after signing in, before the post


def form_data(form) -> dict:
    """What a browser would post for an unbound form (or formset) as it is shown: its
    initial values, with the management form of a formset."""
    data = {}
    forms = [form.management_form, *form.forms] if isinstance(form, BaseFormSet) else [form]
    for one in forms:
        for bound in one:
            value = bound.value()
            if isinstance(bound.field, djforms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
            elif value is None:
                continue
            elif isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(v) for v in value]
            else:
                shown = bound.field.widget.format_value(value)
                if isinstance(shown, list):  # a single select formats its value as a list
                    shown = shown[0] if shown else ""
                data[bound.html_name] = "" if shown is None else str(shown)
    return data


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


def _founder(w):
    return w.founder


def _manager(w):
    return w.manager


def _reviewer(w):
    return w.reviewer


def _finance(w):
    return w.finance


def _anonymous(w):
    return None


def _reset_confirm(client, w):
    """Django's reset link puts the token in the session and redirects to set-password."""
    from tests.authz import reset_args

    uid, token = reset_args(SimpleNamespace(users={"member": w.founder}))
    client.get(reverse("accounts:password_reset_confirm", args=[uid, token]))


def _code_pending(client, w):
    """Signed in with a password, the two-factor code not yet given."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = w.reviewer
    TOTPDevice.objects.get_or_create(user=user, name="Fuzzing", defaults={"confirmed": True})
    client.force_login(user)
    # Under pytest, force_login passes the code step too (tests/conftest.py): undo that.
    session = client.session
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session.save()


def _programme_fields(w):
    from nurture.programmes.forms import BenefitFormSet, ProgrammeForm

    programme = w.ns.programme
    formset = BenefitFormSet(
        instance=programme,
        prefix="benefits",
        queryset=programme.benefits.order_by("position", "id"),
    )
    return {
        **form_data(ProgrammeForm(instance=programme, prefix="rules")),
        **form_data(formset),
        "rules-description": "Edited while fuzzing.",
    }


def _free_year(programme, intake) -> int:
    """A year the forms accept (up to 2100) without a cohort of that intake yet; the
    factories' year sequence runs past 2100 in a long session."""
    taken = set(
        Cohort.objects.filter(programme=programme, intake=intake).values_list("year", flat=True)
    )
    return next(year for year in range(2100, 2026, -1) if year not in taken)


def _cohort_fields(w):
    now = timezone.localtime()
    year = _free_year(w.ns.programme, "autumn")
    return {
        "programme": str(w.ns.programme.pk),
        "year": str(year),
        "intake": "autumn",
        "name": "",
        "capacity": "10",
        "starts_on": f"{year}-09-01",
        "ends_on": f"{year + 1}-02-28",
        "title": "Autumn call",
        "title_zh_hant": "",
        "description": "",
        "description_zh_hant": "",
        "opens_at": (now + timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
        "closes_at": (now + timedelta(days=60)).strftime("%Y-%m-%d %H:%M"),
    }


def _cohort_edit_fields(w):
    from nurture.programmes.forms import CohortEditForm

    cohort = w.ns.cohort
    data = form_data(CohortEditForm(cohort=cohort))
    if cohort.year > 2100:
        year = _free_year(cohort.programme, cohort.intake)
        data.update(year=str(year), starts_on=f"{year}-03-01", ends_on=f"{year}-08-31")
    return {**data, "description": "Edited."}


def _tranche_fields(w):
    from nurture.funding.forms import TrancheRuleFormSet
    from nurture.funding.models import TrancheRule

    queryset = TrancheRule.objects.filter(programme=w.ns.programme).order_by("position")
    return form_data(TrancheRuleFormSet(queryset=queryset, prefix="tranches"))


def _due_tranche(w):
    """A tranche of the admitted startup that is due and not yet requested."""
    from nurture.funding.models import DisbursementStatus

    for tranche in w.ns.tranches:
        live = tranche.disbursements.exclude(status=DisbursementStatus.REJECTED).exists()
        if not live:
            return tranche
    return w.ns.tranches[-1]


def _platform_fields(w):
    from nurture.platforms.forms import PlatformForm

    return {**form_data(PlatformForm(instance=w.ns.platform)), "description": "Edited."}


def _node_fields(w):
    from nurture.compute.forms import NodeForm

    return form_data(NodeForm(instance=w.ns.node))


def _slurm_file(w):
    day = timezone.localdate() - timedelta(days=2)
    text = f"9001|fuzz-mine|{day}T09:00:00|{day}T10:00:00|gres/gpu=1\n"
    return SimpleUploadedFile("sacct.txt", text.encode(), content_type="text/plain")


def _billing_file(w):
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    text = f"billing_month,account_id,service,cost_usd,line_id\n{month},acct-fuzz,ECS,1.5,F1\n"
    return SimpleUploadedFile("bill.csv", text.encode(), content_type="text/csv")


def _space_fields(w):
    from nurture.workspace.forms import SpaceForm

    return {**form_data(SpaceForm(instance=w.ns.space)), "equipment": "Monitor"}


def _reviewer_profile_fields(w, form_class):
    return {**form_data(form_class(instance=w.ns.reviewer_profile)), "affiliation": "Fuzz U"}


def _round_fields(w):
    from nurture.reviewers import views as reviewer_views

    review_round = w.ns.review_round
    form = reviewer_views._round_form(review_round.kind, instance=review_round)
    return form_data(form)


def _review_fields(w):
    from nurture.reviews import services as reviews
    from nurture.reviews.forms import score_field_name

    assignment = w.ns.reviews_assignment
    criteria = reviews.rubric_ensure(programme=assignment.round.cohort.programme)
    return {
        **{score_field_name(c.pk): "3" for c in criteria},
        "recommendation": "yes",
        "confidence": "3",
        "comment": "Solid team.",
        "feedback": "Keep going.",
    }


def _criterion_fields(w):
    from nurture.reviews.forms import CriterionForm

    return {**form_data(CriterionForm(criterion=w.ns.rubric_criterion)), "description": "Edit"}


def _selection_settings_fields(w):
    from nurture.selection import selectors
    from nurture.selection.forms import SelectionSettingsForm
    from nurture.selection.models import SectorCap

    cohort = w.ns.selection_cohort
    caps = dict(SectorCap.objects.filter(cohort=cohort).values_list("sector_id", "cap"))
    instance = selectors.selection_settings(cohort)
    return form_data(SelectionSettingsForm(instance=instance, caps=caps))


def _t(view, name, url, user, valid, **kwargs) -> FormTarget:
    return FormTarget(name, url, user, valid, view=view, **kwargs)


FORM_TARGETS = [
    # --- accounts -------------------------------------------------------------------------
    _t(
        "accounts:signup",
        "signup",
        lambda w: "/accounts/signup/",
        _anonymous,
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
    # Refused by design: a wrong password, which must stay a clear 200 and never a 500.
    _t(
        "accounts:login",
        "login",
        lambda w: "/accounts/login/",
        _anonymous,
        lambda w: {"username": w.founder.email, "password": "wrong-password", "next": "/"},
        accepts=False,
    ),
    _t(
        "accounts:resend_verification",
        "resend_verification",
        lambda w: "/accounts/verify-again/",
        _anonymous,
        lambda w: {"email": "someone@example.com"},
    ),
    _t(
        "accounts:password_reset",
        "password_reset",
        lambda w: "/accounts/password/reset/",
        _anonymous,
        lambda w: {"email": w.founder.email},
    ),
    _t(
        "accounts:password_reset_confirm",
        "password_reset_confirm",
        lambda w: reverse(
            "accounts:password_reset_confirm",
            args=[_reset_confirm_uid(w), "set-password"],
        ),
        _anonymous,
        lambda w: {
            "new_password1": "another-unusual-passphrase-88",
            "new_password2": "another-unusual-passphrase-88",
        },
        rows=lambda w: [w.founder],
        before=_reset_confirm,
    ),
    _t(
        "accounts:profile",
        "profile",
        lambda w: "/accounts/profile/",
        _founder,
        lambda w: {"form": "profile", "full_name": "Mina F.", "preferred_language": "en"},
        rows=lambda w: [w.founder],
    ),
    _t(
        "accounts:profile",
        "marketing_consent",
        lambda w: "/accounts/profile/",
        _founder,
        lambda w: {"form": "marketing", "marketing_consent": "on"},
    ),
    # Refused by design: no authenticator gives "123456".
    _t(
        "accounts:reauth",
        "reauth",
        lambda w: "/accounts/confirm/",
        _manager,
        lambda w: {"password": factories.PASSWORD, "code": "123456", "next": "/dashboard/"},
        accepts=False,
    ),
    _t(
        "accounts:login_code",
        "login_code",
        lambda w: "/accounts/login/code/",
        _anonymous,
        lambda w: {"code": "123456", "next": "/dashboard/"},
        accepts=False,
        before=_code_pending,
    ),
    _t(
        "accounts:two_factor_setup",
        "two_factor_setup",
        lambda w: "/accounts/two-factor/setup/",
        _founder,
        lambda w: {"code": "123456", "next": "/accounts/profile/"},
        tables=(StaticDevice,),
        accepts=False,
    ),
    _t(
        "accounts:tokens",
        "tokens",
        lambda w: "/accounts/tokens/",
        _founder,
        lambda w: {"name": "CI", "expires_in_days": "30", "scopes": "read"},
    ),
    _t(
        "set_language",
        "set_language",
        lambda w: "/i18n/setlang/",
        _anonymous,
        lambda w: {"language": "zh-hant", "next": "/calls/"},
    ),
    # --- startups and applications -------------------------------------------------------
    _t(
        "startups:create",
        "startup_create",
        lambda w: "/startups/new/",
        _founder,
        _startup_fields,
        tables=(Startup, StartupMember),
    ),
    _t(
        "startups:edit",
        "startup_edit",
        lambda w: f"/startups/{w.startup.pk}/edit/",
        _founder,
        _startup_fields,
        rows=lambda w: [w.startup],
    ),
    _t(
        "startups:invite",
        "invitation",
        lambda w: f"/startups/{w.startup.pk}/invite/",
        _founder,
        lambda w: {"email": "cofounder@example.com"},
        tables=(Invitation,),
    ),
    _t(
        "applications:start",
        "application_start",
        lambda w: "/applications/start/",
        _founder,
        lambda w: {"startup": str(w.startup.pk), "cohort": str(w.ns.open_cohort.pk)},
        tables=(Application,),
    ),
    _t(
        "applications:edit",
        "application_edit",
        lambda w: f"/applications/{w.application.pk}/edit/",
        _founder,
        _application_fields,
        rows=lambda w: [w.application],
        files=("pitch_deck",),
    ),
    # --- programmes ----------------------------------------------------------------------
    _t(
        "programmes:programme_edit",
        "programme_edit",
        lambda w: reverse("programmes:programme_edit", args=[w.ns.programme.pk]),
        _manager,
        _programme_fields,
        tables=(BenefitItem,),
        rows=lambda w: [w.ns.programme, *w.ns.programme.benefits.all()],
    ),
    _t(
        "programmes:cohort_create",
        "cohort_create",
        lambda w: reverse("programmes:cohort_create"),
        _manager,
        _cohort_fields,
        tables=(Cohort, Call),
    ),
    _t(
        "programmes:cohort_edit",
        "cohort_edit",
        lambda w: reverse("programmes:cohort_edit", args=[w.ns.cohort.pk]),
        _manager,
        _cohort_edit_fields,
        rows=lambda w: [w.ns.cohort, w.ns.cohort.call],
    ),
    # --- privacy -------------------------------------------------------------------------
    _t(
        "privacy:my_requests",
        "data_request",
        lambda w: reverse("privacy:my_requests"),
        _founder,
        lambda w: {
            "kind": "correction",
            "field": "full_name",
            "requested_value": "Mina Q. Founder",
            "details": "My name changed.",
        },
        tables=(DataRequest,),
    ),
    _t(
        "privacy:request_export",
        "data_request_export",
        lambda w: reverse("privacy:request_export", args=[w.ns.access_request.pk]),
        _manager,
        lambda w: {"reason": ""},
        rows=lambda w: [w.ns.access_request],
    ),
    _t(
        "privacy:request_apply",
        "data_request_apply",
        lambda w: reverse("privacy:request_apply", args=[w.ns.correction_request.pk]),
        _manager,
        lambda w: {"reason": "Checked against the passport."},
        rows=lambda w: [w.ns.correction_request, w.founder],
    ),
    _t(
        "privacy:request_refuse",
        "data_request_refuse",
        lambda w: reverse("privacy:request_refuse", args=[w.ns.correction_request.pk]),
        _manager,
        lambda w: {"reason": "Not supported by any document."},
        rows=lambda w: [w.ns.correction_request],
    ),
    _t(
        "privacy:marketing_create",
        "marketing_create",
        lambda w: reverse("privacy:marketing_create"),
        _manager,
        lambda w: {
            "kind": "newsletter",
            "audience": "founders",
            "subject_en": "News",
            "subject_zh_hant": "消息",
            "body_en": "Body",
            "body_zh_hant": "內容",
        },
        tables=(MarketingMessage,),
    ),
    # --- seed funding --------------------------------------------------------------------
    _t(
        "funding:rules",
        "tranche_rules",
        lambda w: reverse("funding:rules", args=[w.ns.programme.pk]),
        _manager,
        _tranche_fields,
        tables=(TrancheRule,),
        rows=lambda w: list(TrancheRule.objects.filter(programme=w.ns.programme)),
    ),
    _t(
        "funding:disbursement_create",
        "disbursement_request",
        lambda w: reverse("funding:disbursement_create", args=[_due_tranche(w).pk]),
        _manager,
        lambda w: {
            "evidence": "Milestone report seen.",
            "bank_account_name": "Mine Robotics Limited",
            "bank_name": "Harbour Commercial Bank",
            "bank_account_number": "012-345678-902",
        },
        tables=(Disbursement,),
    ),
    _t(
        "funding:disbursement_approve",
        "disbursement_approve",
        lambda w: reverse("funding:disbursement_approve", args=[w.ns.disbursement.pk]),
        _finance,
        lambda w: {"payment_reference": "FT-2026-0001"},
        rows=lambda w: [w.ns.disbursement, *w.ns.tranches],
    ),
    _t(
        "funding:disbursement_reject",
        "disbursement_reject",
        lambda w: reverse("funding:disbursement_reject", args=[w.ns.disbursement.pk]),
        _finance,
        lambda w: {"reason": "The agreement is not signed."},
        rows=lambda w: [w.ns.disbursement, *w.ns.tranches],
    ),
    # --- platforms -----------------------------------------------------------------------
    _t(
        "platforms:request",
        "platform_request",
        lambda w: reverse("platforms:request"),
        _founder,
        lambda w: {
            "application": str(w.ns.admitted.pk),
            "platform": str(w.ns.other_platform.pk),
            "purpose": "Training vision models.",
        },
        tables=(PlatformAccess,),
    ),
    _t(
        "platforms:provision",
        "platform_provision",
        lambda w: reverse("platforms:provision", args=[w.ns.platform_access.pk]),
        _manager,
        lambda w: {"account_identifier": "acct-mine-01", "note": "Created."},
        rows=lambda w: [w.ns.platform_access],
    ),
    _t(
        "platforms:close",
        "platform_close",
        lambda w: reverse("platforms:close", args=[w.ns.platform_access.pk]),
        _manager,
        lambda w: {"note": "Programme over.", "back": "due"},
        rows=lambda w: [w.ns.platform_access],
    ),
    _t(
        "platforms:platform_list",
        "platform_create",
        lambda w: reverse("platforms:platform_list"),
        _manager,
        lambda w: {
            "name": "Fuzz Cloud",
            "slug": "fuzz-cloud",
            "provider": "Fuzz Inc.",
            "url": "https://cloud.example.com",
            "is_active": "on",
            "position": "9",
        },
        tables=(Platform,),
    ),
    _t(
        "platforms:platform_edit",
        "platform_edit",
        lambda w: reverse("platforms:platform_edit", args=[w.ns.platform.pk]),
        _manager,
        _platform_fields,
        rows=lambda w: [w.ns.platform],
    ),
    # --- GPU compute ---------------------------------------------------------------------
    _t(
        "compute:book",
        "gpu_booking",
        lambda w: reverse("compute:book", args=[w.startup.pk]),
        _founder,
        lambda w: {
            "gpu_model": str(w.ns.gpu_model.pk),
            "gpus": "1",
            "day": str(w.ns.tomorrow),
            "start_hour": "14",
            "hours": "2",
            "purpose": "Training.",
        },
        tables=(Booking,),
    ),
    _t(
        "compute:startup_manage",
        "compute_account",
        lambda w: reverse("compute:startup_manage", args=[w.startup.pk]),
        _manager,
        lambda w: {
            "action": "account",
            "account-slurm_account": "fuzz-mine",
            "account-namespace": "fuzz-mine-ns",
            "account-max_gpus": "8",
        },
        rows=lambda w: list(ComputeAccount.objects.filter(startup=w.startup)),
    ),
    _t(
        "compute:startup_manage",
        "compute_top_up",
        lambda w: reverse("compute:startup_manage", args=[w.startup.pk]),
        _manager,
        lambda w: {"action": "top_up", "top_up-hours": "10", "top_up-reason": "More training."},
        tables=(LedgerTransaction,),
    ),
    _t(
        "compute:startup_manage",
        "compute_cloud_account",
        lambda w: reverse("compute:startup_manage", args=[w.startup.pk]),
        _manager,
        lambda w: {
            "action": "cloud",
            "cloud-provider": "alibaba_cloud",
            "cloud-account_id": "acct-fuzz-2",
        },
        tables=(CloudAccount,),
    ),
    _t(
        "compute:inventory_new",
        "gpu_model_create",
        lambda w: reverse("compute:inventory_new", args=["gpu-model"]),
        _manager,
        lambda w: {"name": "Fuzz H200", "slug": "fuzz-h200", "memory_gb": "141"},
        tables=(GpuModel,),
    ),
    _t(
        "compute:inventory_edit",
        "node_edit",
        lambda w: reverse("compute:inventory_edit", args=["node", w.ns.node.pk]),
        _manager,
        _node_fields,
        rows=lambda w: [w.ns.node],
    ),
    _t(
        "compute:slurm_import",
        "slurm_import",
        lambda w: reverse("compute:slurm_import"),
        _manager,
        lambda w: {"cluster": str(w.ns.cluster.pk), "file": _slurm_file(w)},
        tables=(SlurmImport, UsageRecord, LedgerTransaction),
        files=("file",),
    ),
    _t(
        "compute:billing_import",
        "billing_import",
        lambda w: reverse("compute:billing_import"),
        _manager,
        lambda w: {"provider": "alibaba_cloud", "file": _billing_file(w)},
        tables=(BillingImport, BillingLine, LedgerTransaction),
        files=("file",),
    ),
    # --- working space -------------------------------------------------------------------
    _t(
        "workspace:book",
        "room_booking",
        lambda w: reverse("workspace:book", args=[w.startup.pk]),
        _founder,
        lambda w: {
            "room": str(w.ns.room.pk),
            "day": str(w.ns.tomorrow),
            "start": "13:00",
            "end": "14:00",
            "title": "Design review",
        },
        tables=(RoomBooking,),
    ),
    _t(
        "workspace:space_new",
        "space_create",
        lambda w: reverse("workspace:space_new"),
        _manager,
        lambda w: {
            "kind": "desk",
            "code": "FZ-09",
            "seats": "1",
            "row": "5",
            "column": "5",
            "width": "1",
            "height": "1",
            "active": "on",
        },
        tables=(Space,),
    ),
    _t(
        "workspace:space_edit",
        "space_edit",
        lambda w: reverse("workspace:space_edit", args=[w.ns.space.pk]),
        _manager,
        _space_fields,
        rows=lambda w: [w.ns.space],
    ),
    _t(
        "workspace:allocate",
        "allocate",
        lambda w: reverse("workspace:allocate", args=[w.startup.pk]),
        _manager,
        lambda w: {
            "spaces": [str(w.ns.free_desk.pk)],
            "move_in": str(w.ns.tomorrow),
            "move_out": str(w.ns.tomorrow + timedelta(days=30)),
            "note": "Near the window.",
        },
        tables=(Allocation,),
    ),
    _t(
        "workspace:allocate",
        "allocate_propose",
        lambda w: reverse("workspace:allocate", args=[w.startup.pk]),
        _manager,
        lambda w: {
            "action": "propose",
            "move_in": str(w.ns.tomorrow),
            "move_out": str(w.ns.tomorrow + timedelta(days=30)),
        },
        tables=(Allocation,),
    ),
    _t(
        "workspace:allocation_move_out",
        "allocation_move_out",
        lambda w: reverse("workspace:allocation_move_out", args=[w.ns.allocation.pk]),
        _manager,
        lambda w: {"move_out": str(w.ns.tomorrow + timedelta(days=10))},
        rows=lambda w: [w.ns.allocation],
    ),
    # --- reviewers -----------------------------------------------------------------------
    _t(
        "reviewers:profile",
        "reviewer_profile",
        lambda w: reverse("reviewers:profile"),
        _reviewer,
        lambda w: _reviewer_profile_fields(w, ReviewerProfileForm),
        rows=lambda w: [w.ns.reviewer_profile],
    ),
    _t(
        "reviewers:bid",
        "bid",
        lambda w: reverse("reviewers:bid", args=[w.ns.review_round.pk, w.ns.application.pk]),
        _reviewer,
        lambda w: {"value": "eager"},
        tables=(Bid,),
    ),
    _t(
        "reviewers:declare",
        "conflict_declare",
        lambda w: reverse("reviewers:declare", args=[w.ns.review_round.pk, w.ns.application.pk]),
        _reviewer,
        lambda w: {"reason": "I advised them last year."},
        tables=(Conflict,),
    ),
    _t(
        "reviewers:declare_assigned",
        "conflict_declare_assigned",
        lambda w: reverse("reviewers:declare_assigned", args=[w.ns.declaring_assignment.pk]),
        lambda w: w.ns.declaring_reviewer,
        lambda w: {"reason": "I found I hold their shares."},
        tables=(Conflict, Assignment),
    ),
    _t(
        "reviewers:manage_invite",
        "reviewer_invite",
        lambda w: reverse("reviewers:manage_invite"),
        _manager,
        lambda w: {
            "email": "new.reviewer@example.com",
            "full_name": "New Reviewer",
            "kind": "professor",
            "affiliation": "A University",
            "max_per_round": "5",
            "language": "en",
        },
        tables=(User, ReviewerProfile),
    ),
    _t(
        "reviewers:manage_edit",
        "reviewer_edit",
        lambda w: reverse("reviewers:manage_edit", args=[w.ns.reviewer_profile.pk]),
        _manager,
        lambda w: _reviewer_profile_fields(w, StaffProfileForm),
        rows=lambda w: [w.ns.reviewer_profile],
    ),
    _t(
        "reviewers:manage_active",
        "reviewer_active",
        lambda w: reverse("reviewers:manage_active", args=[w.ns.reviewer_profile.pk]),
        _manager,
        lambda w: {"active": "1"},
        rows=lambda w: [w.ns.reviewer_profile],
    ),
    _t(
        "reviewers:conflict_create",
        "conflict_create",
        lambda w: reverse("reviewers:conflict_create"),
        _manager,
        lambda w: {
            "reviewer": str(w.reviewer.pk),
            "startup": str(w.startup.pk),
            "reason": "Holds shares.",
        },
        tables=(Conflict,),
    ),
    _t(
        "reviewers:conflict_lift",
        "conflict_lift",
        lambda w: reverse("reviewers:conflict_lift", args=[w.ns.conflict.pk]),
        _manager,
        lambda w: {"reason": "The shares were sold."},
        rows=lambda w: [w.ns.conflict],
    ),
    _t(
        "reviewers:round_create",
        "round_create",
        lambda w: reverse("reviewers:round_create", args=[w.ns.cohort.pk, "panel"]),
        _manager,
        lambda w: {
            "pitch_at": (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%d %H:%M"),
            "deadline": (timezone.localtime() + timedelta(days=21)).strftime("%Y-%m-%d %H:%M"),
            "panel": [str(w.reviewer.pk)],
        },
        tables=(ReviewRound,),
    ),
    _t(
        "reviewers:round_edit",
        "round_edit",
        lambda w: reverse("reviewers:round_edit", args=[w.ns.review_round.pk]),
        _manager,
        _round_fields,
        rows=lambda w: [w.ns.review_round],
    ),
    _t(
        "reviewers:pair_add",
        "pair_add",
        lambda w: reverse(
            "reviewers:pair_add", args=[w.ns.reviews_round.pk, w.ns.reviews_application.pk]
        ),
        _manager,
        lambda w: {"reviewer": str(w.ns.second_reviewer.pk)},
        tables=(Assignment,),
    ),
    _t(
        "reviewers:pair_swap",
        "pair_swap",
        lambda w: reverse("reviewers:pair_swap", args=[w.ns.swap_assignment.pk]),
        _manager,
        lambda w: {"reviewer": str(w.ns.fourth_reviewer.pk)},
        tables=(Assignment,),
        rows=lambda w: list(Assignment.objects.filter(round=w.ns.reviews_round)),
    ),
    # --- reviews -------------------------------------------------------------------------
    _t(
        "reviews:save",
        "review_save",
        lambda w: reverse("reviews:save", args=[w.ns.reviews_assignment.pk]),
        _reviewer,
        _review_fields,
        tables=(Review, Score),
        rows=lambda w: [w.ns.draft_review, *Score.objects.filter(review=w.ns.draft_review)],
    ),
    _t(
        "reviews:panel_tap",
        "panel_tap",
        lambda w: reverse("reviews:panel_tap", args=[w.ns.reviews_panel_assignment.pk]),
        _reviewer,
        lambda w: {"field": "recommendation", "value": "yes"},
        tables=(Review, Score),
    ),
    _t(
        "reviews:criterion_create",
        "criterion_create",
        lambda w: reverse("reviews:criterion_create", args=[w.ns.rubric_programme.pk]),
        _manager,
        lambda w: {
            "key": "fuzz_depth",
            "label": "Technical depth",
            "weight": "1",
            "position": "9",
            **{f"anchor_{level}": f"Level {level}" for level in range(1, 6)},
        },
        tables=(Criterion,),
    ),
    _t(
        "reviews:criterion_edit",
        "criterion_edit",
        lambda w: reverse("reviews:criterion_edit", args=[w.ns.rubric_criterion.pk]),
        _manager,
        _criterion_fields,
        rows=lambda w: [w.ns.rubric_criterion],
    ),
    # --- selection -----------------------------------------------------------------------
    _t(
        "selection:settings",
        "selection_settings",
        lambda w: reverse("selection:settings", args=[w.ns.selection_cohort.pk]),
        _manager,
        _selection_settings_fields,
        tables=(SelectionSettings, SectorCap),
    ),
    _t(
        "selection:shortlist",
        "shortlist",
        lambda w: reverse("selection:shortlist", args=[w.ns.selection_cohort.pk]),
        _manager,
        lambda w: {"application": [str(w.ns.selection_application.pk)]},
        tables=(Mark,),
        rows=lambda w: [w.ns.selection_application],
    ),
    _t(
        "selection:mark",
        "selection_mark",
        lambda w: reverse("selection:mark", args=[w.ns.selection_cohort.pk]),
        _manager,
        lambda w: {
            "application": str(w.ns.selection_application.pk),
            "kind": "include",
            "reason": "Strong pilots.",
        },
        tables=(Mark,),
    ),
    _t(
        "selection:decide",
        "selection_decide",
        lambda w: reverse("selection:decide", args=[w.ns.selection_proposal.pk]),
        _manager,
        lambda w: {
            f"outcome_{w.ns.selection_application.pk}": "rejected",
            f"reason_{w.ns.selection_application.pk}": "Strong pilots.",
        },
        tables=(Decision,),
        rows=lambda w: [w.ns.selection_proposal],
    ),
    _t(
        "selection:offer",
        "offer_respond",
        lambda w: reverse("selection:offer", args=[w.ns.offer.pk]),
        _founder,
        lambda w: {"action": "confirm"},
        rows=lambda w: [
            w.ns.offer,
            *Decision.objects.filter(application=w.ns.offer),
        ],
    ),
]


def _reset_confirm_uid(w) -> str:
    return urlsafe_base64_encode(force_bytes(w.founder.pk))


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


def _plain(value):
    return value.name if isinstance(value, FieldFile) else value


def _snapshot(target: FormTarget, world: World) -> tuple:
    counts = tuple(model.objects.count() for model in target.tables)
    rows = []
    for obj in target.rows(world) if target.rows else []:
        fresh = type(obj).objects.filter(pk=obj.pk).first()
        rows.append(
            None if fresh is None else {k: _plain(v) for k, v in model_to_dict(fresh).items()}
        )
    return counts, rows


def _has_errors(value) -> bool:
    if isinstance(value, BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    if isinstance(value, djforms.BaseForm):
        return value.is_bound and bool(value.errors)
    return False


def _errors(response) -> list[str]:
    found = []
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if isinstance(value, BaseFormSet) and _has_errors(value):
                found += [str(e) for e in [value.non_form_errors(), *value.errors] if e]
            elif _has_errors(value):
                found.append(str(dict(value.errors)))
    storage = getattr(response.wsgi_request, "_messages", None)
    if storage is not None:
        found += [str(m.message) for m in storage._queued_messages]
    return sorted(set(found))


def _refused(response) -> bool:
    """The submission was turned down: a 4xx, a form (or formset) shown again with errors,
    or only error messages on the way back."""
    if 400 <= response.status_code < 500:
        return True
    for context in response.context or []:
        values = context.flatten().values() if hasattr(context, "flatten") else []
        if any(_has_errors(value) for value in values):
            return True
    storage = getattr(response.wsgi_request, "_messages", None)
    if storage is not None and response.status_code in (301, 302):
        levels = [m.level for m in storage._queued_messages]
        if levels and all(level >= message_levels.ERROR for level in levels):
            return True
    return False


def sign_in(client: Client, user) -> None:
    """force_login plus a session that has passed the two-factor code step, as staff have
    after signing in (outside pytest too, where tests/conftest.py does not do this), and
    that has just confirmed the password (nurture.accounts.reauth), so that forms behind
    `recent_auth_required` are reached rather than sent to the confirmation page."""
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
    session = client.session
    session[REAUTH_SESSION_KEY] = int(clock.time())
    session.save()


@dataclass
class FormResult:
    status: int
    refused: bool
    half_saved: bool
    leaked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # why it was refused, as far as shown


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode("utf-8", "replace") + "".join(
        f"{k}: {v}" for k, v in response.headers.items()
    )


def form_post(target: FormTarget, world: World, data: dict, *, raise_errors=True) -> FormResult:
    """Post `data` to the target as its user. A founder's answer must not name the other
    startup or its people (staff may see every startup)."""
    client = Client(raise_request_exception=raise_errors)
    user = target.user(world)
    if user is not None:
        sign_in(client, user)
    if target.before is not None:
        target.before(client, world)
    for upload in data.values():
        if isinstance(upload, SimpleUploadedFile):
            upload.seek(0)
    before = _snapshot(target, world)
    response = client.post(target.url(world), data)
    refused = _refused(response)
    half_saved = refused and _snapshot(target, world) != before
    leaked = []
    if user is not None and user.pk == world.founder.pk:
        body = _body(response)
        leaked = [secret for secret in world.secrets if secret and secret in body]
    if hasattr(response, "close"):
        response.close()
    errors = _errors(response) if refused else []
    return FormResult(response.status_code, refused, half_saved, leaked, errors)


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
    """Path parameters worth trying: this founder's objects and the other startup's, and the
    objects of the later areas (which the founder may or may not see)."""
    ns = world.ns

    def pks(*names):
        return [getattr(ns, name).pk for name in names if getattr(ns, name, None) is not None]

    return {
        "application_id": [world.application.pk, world.other_application.pk]
        + pks("application", "admitted", "offer"),
        "startup_id": [world.startup.pk, world.other_startup.pk],
        "cohort_id": [world.application.cohort_id, world.other_application.cohort_id]
        + pks("cohort", "selection_cohort"),
        "call_id": [world.application.cohort.call.pk, world.other_application.cohort.call.pk],
        "programme_id": [world.application.cohort.programme_id],
        "round_id": pks("review_round", "reviews_round", "reviews_panel"),
        "assignment_id": pks("assignment", "reviews_assignment", "swap_assignment"),
        "disbursement_id": pks("disbursement"),
        "request_id": pks("access_request", "correction_request"),
        "proposal_id": pks("proposal", "selection_proposal"),
        "booking_id": pks("booking", "room_booking", "other_room_booking"),
        "access_id": pks("platform_access"),
        "run_id": pks("run"),
    }


@st.composite
def api_case(draw, operations, world: World):
    """A schemathesis case whose path ids are, most of the time, real objects' ids."""
    operation = draw(st.sampled_from(operations))
    case = draw(operation.as_strategy())
    ids = object_ids(world)
    for name in list(case.path_parameters or {}):
        if ids.get(name) and draw(st.integers(0, 3)) > 0:
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
