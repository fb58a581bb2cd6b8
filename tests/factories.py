"""factory_boy factories for the whole project; tests build real rows with these."""

import io
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from nurture.accounts.models import Role, User
from nurture.applications.models import Application, ApplicationState, Stage
from nurture.programmes.models import Call, Cohort, Programme, Sector
from nurture.startups.models import MemberRole, Startup, StartupMember

PASSWORD = "correct-horse-battery-42"


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "deck.pdf", pages: int = 1) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(pages), content_type="application/pdf")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.FOUNDER
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class FounderFactory(UserFactory):
    role = Role.FOUNDER


class ProgrammeManagerFactory(UserFactory):
    role = Role.PROGRAMME_MANAGER


class ReviewerFactory(UserFactory):
    role = Role.REVIEWER


class FinanceApproverFactory(UserFactory):
    role = Role.FINANCE_APPROVER


class PartnerFactory(UserFactory):
    role = Role.PARTNER


class AdministratorFactory(UserFactory):
    role = Role.ADMINISTRATOR
    is_staff = True
    is_superuser = True


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Accelerator {n}")
    slug = factory.Sequence(lambda n: f"accelerator-{n}")
    organisation = "HKAI Lab"


def programme_default() -> Programme:
    """The programme that the data migration seeds (the HKAI Lab's rules)."""
    return Programme.objects.get(slug="hkai-lab-accelerator")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    name = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.Sequence(lambda n: f"sector-{n}")


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.LazyFunction(programme_default)
    # Wraps so that a long run (thousands of cohorts) stays inside the years dates allow; a
    # test never builds 7000 cohorts, so two of one test cannot share a year.
    year = factory.Sequence(lambda n: 2030 + n % 7000)
    intake = "spring"
    name = factory.LazyAttribute(lambda o: f"{o.year} {o.intake.title()}")
    capacity = 10
    starts_on = factory.LazyAttribute(lambda o: date(o.year, 3, 1))
    ends_on = factory.LazyAttribute(lambda o: date(o.year, 8, 31))


class CallFactory(factory.django.DjangoModelFactory):
    """An open call by default: opened a week ago, closes in three weeks."""

    class Meta:
        model = Call

    cohort = factory.SubFactory(CohortFactory)
    title = factory.LazyAttribute(lambda o: f"Call for {o.cohort.name}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=21))


class StartupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Startup

    name = factory.Sequence(lambda n: f"Startup {n}")
    registered_in_hk = True
    business_registration_number = factory.Sequence(lambda n: f"{70000000 + n}")
    date_founded = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400))


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StartupMember

    startup = factory.SubFactory(StartupFactory)
    user = factory.SubFactory(FounderFactory)
    role = MemberRole.FOUNDER


def startup_with_founder(**kwargs) -> tuple[Startup, User]:
    member = MemberFactory(**kwargs)
    return member.startup, member.user


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete, eligible draft (with a pitch deck) in an open call."""

    class Meta:
        model = Application

    cohort = factory.LazyFunction(lambda: CallFactory().cohort)
    startup = factory.LazyFunction(lambda: MemberFactory().startup)
    state = ApplicationState.DRAFT
    registered_in_hk = True
    business_registration_number = "71234567"
    date_founded = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400))
    team_size = 5
    full_time_staff = 4
    technical_staff = 3
    founders_equity = Decimal("80")
    product_description = "A platform that inspects building facades from drone imagery."
    ai_description = "Convolutional networks trained on annotated facade defects."
    sector = factory.LazyFunction(lambda: Sector.objects.order_by("id").first())
    stage = Stage.MVP
    traction = "Three paying pilots with property managers."
    funding_raised_usd = Decimal("150000")
    gpu_hours_per_month = 200
    platforms = factory.LazyFunction(lambda: ["alibaba_cloud"])
    pitch_deck = factory.django.FileField(filename="deck.pdf", data=pdf_bytes())
    pitch_deck_name = "deck.pdf"
    pitch_deck_size = factory.LazyFunction(lambda: len(pdf_bytes()))


def submitted(**kwargs) -> Application:
    return ApplicationFactory(
        state=ApplicationState.SUBMITTED, submitted_at=timezone.now(), **kwargs
    )
