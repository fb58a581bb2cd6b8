import io
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from nurture.accounts.models import Role, User
from nurture.applications.models import Application, ApplicationState
from nurture.applications.services import application_submit
from nurture.applications.uploads import validate_pitch_deck
from nurture.audit.models import AuditEntry
from nurture.core import demo
from nurture.privacy.models import ConsentRecord
from nurture.programmes.models import Call, Cohort, Sector
from nurture.startups.models import Startup, StartupMember

pytestmark = pytest.mark.django_db

MODELS = [User, Startup, StartupMember, Cohort, Call, Application, ConsentRecord, AuditEntry]


def snapshot() -> dict[str, list[dict]]:
    rows = {}
    for model in MODELS:
        rows[model.__name__] = [
            {**model_to_dict(obj), "pk": obj.pk, "str": str(obj)}
            for obj in model.objects.order_by("pk")
        ]
    return rows


def test_demo_loads_about_120_applications_across_sectors_and_states():
    demo.demo_load()

    applications = Application.objects.select_related("cohort__call")
    assert 110 <= applications.count() <= 130
    assert set(applications.values_list("sector__slug", flat=True)) == set(
        Sector.objects.values_list("slug", flat=True)
    )
    assert set(applications.values_list("state", flat=True)) == {
        ApplicationState.DRAFT,
        ApplicationState.SUBMITTED,
        ApplicationState.WITHDRAWN,
        ApplicationState.ACCEPTED,
        ApplicationState.REJECTED,
        ApplicationState.WAITLISTED,
    }


def test_demo_cohorts_keep_the_programme_rules():
    demo.demo_load()
    now = timezone.now()

    cohorts = list(Cohort.objects.select_related("call").order_by("starts_on"))
    assert len(cohorts) == 5
    assert [c.call.is_open(now) for c in cohorts] == [False, False, False, False, True]
    current = cohorts[-2]
    assert current.starts_on <= timezone.localdate() <= current.ends_on
    accepted = Counter(
        Application.objects.filter(state=ApplicationState.ACCEPTED).values_list(
            "cohort__name", flat=True
        )
    )
    assert all(6 <= accepted[c.name] <= 10 for c in cohorts[:-1])
    per_year = Counter()
    for cohort in cohorts[:-1]:
        per_year[cohort.year] += accepted[cohort.name]
    assert max(per_year.values()) <= 20
    open_states = set(cohorts[-1].applications.values_list("state", flat=True))
    assert open_states == {
        ApplicationState.DRAFT,
        ApplicationState.SUBMITTED,
        ApplicationState.WITHDRAWN,
    }


def test_demo_applications_carry_consistent_timestamps_and_decks():
    demo.demo_load()

    for application in Application.objects.select_related("cohort__call"):
        call = application.cohort.call
        assert call.opens_at <= application.created_at <= application.updated_at
        if application.state in {ApplicationState.DRAFT}:
            assert application.submitted_at is None
        if application.state == ApplicationState.WITHDRAWN:
            assert application.withdrawn_at == application.updated_at
        else:
            assert application.withdrawn_at is None
        if application.state not in {ApplicationState.DRAFT, ApplicationState.WITHDRAWN}:
            assert application.submitted_at is not None
        if application.submitted_at is not None:
            assert application.submitted_at < call.closes_at
            assert application.pitch_deck
        assert application.collection_notice is not None
    deck = Application.objects.exclude(pitch_deck="").first()
    with deck.pitch_deck.open("rb") as pdf:
        validate_pitch_deck(SimpleUploadedFile("deck.pdf", pdf.read()))


def test_every_role_has_a_demo_user_with_the_printed_password(client):
    demo.demo_load()

    assert Counter(User.objects.values_list("role", flat=True)) >= Counter(
        {
            Role.REVIEWER: 15,
            Role.PROGRAMME_MANAGER: 2,
            Role.FINANCE_APPROVER: 1,
            Role.PARTNER: 4,
            Role.ADMINISTRATOR: 1,
        }
    )
    assert all(u.email.endswith("@demo.nurture.example") for u in User.objects.all())
    logins = demo.demo_logins()
    assert [role for role, _, _ in logins] == [
        "founder",
        "founder in the programme",
        "reviewer",
        "programme manager",
        "finance approver",
        "partner",
        "administrator",
    ]
    for _, email, password in logins:
        assert client.login(username=email, password=password)
    admin = User.objects.get(email=demo.LOGIN_EMAILS[Role.ADMINISTRATOR])
    assert (admin.is_staff, admin.is_superuser) == (True, True)


def test_founders_have_one_to_three_members_and_a_collection_consent():
    demo.demo_load()

    sizes = Counter(StartupMember.objects.values_list("startup_id", flat=True)).values()
    assert min(sizes) >= 1
    assert max(sizes) <= 3
    founders = User.objects.filter(role=Role.FOUNDER)
    assert founders.filter(email_verified_at__isnull=True).count() == 0
    assert founders.exclude(consent_records__notice__kind="collection").count() == 0
    assert Startup.objects.filter(registered_in_hk=True).exists()
    assert Startup.objects.filter(registered_in_hk=False).exists()


def test_the_printed_founder_can_submit_the_demo_draft():
    demo.demo_load()
    founder = User.objects.get(email=demo.LOGIN_EMAILS[Role.FOUNDER])
    draft = Application.objects.get(startup__members=founder, state=ApplicationState.DRAFT)

    submitted = application_submit(user=founder, application=draft)

    assert submitted.state == ApplicationState.SUBMITTED


def test_running_the_demo_twice_changes_no_row():
    demo.demo_load()
    before = snapshot()

    result = demo.demo_load()

    assert result.total == 0
    assert snapshot() == before


def test_demo_command_says_the_data_is_fictional_and_prints_one_login_per_role():
    out = io.StringIO()

    call_command("demo", stdout=out)

    text = out.getvalue()
    assert "fictional" in text
    for role, email in demo.LOGIN_EMAILS.items():
        assert email in text
        assert demo.PASSWORDS[role] in text
