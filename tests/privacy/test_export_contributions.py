"""The export contributions of reviewers, reviews, selection, compute, funding, platforms and
workspace: each export holds every record about the person and nothing about another."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from nurture.compute.models import Booking, BookingState, CloudAccount, ComputeAccount, GpuModel
from nurture.funding.models import Disbursement, Tranche
from nurture.platforms.models import Platform, PlatformAccess
from nurture.privacy.export import REGISTRY, build_export
from nurture.reviewers.models import (
    Assignment,
    AssignmentSource,
    Bid,
    BidValue,
    Conflict,
    ConflictSource,
    ReviewerKind,
    ReviewerProfile,
    ReviewRound,
    RoundKind,
)
from nurture.reviews.models import Criterion, Review, ReviewReminder, ReviewState, Score
from nurture.selection.models import Decision, Mark, MarkKind, OfferResponse, Outcome
from nurture.workspace.models import Allocation, RoomBooking, Space, SpaceKind
from tests import factories

pytestmark = pytest.mark.django_db

APPS = ("reviewers", "reviews", "selection", "compute", "funding", "platforms", "workspace")


def _open(content: bytes) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return json.loads(archive.read("data.json"))


def _founder(name: str, staff, n: int) -> dict:
    """A founder of a startup with an accepted application and a record in every app."""
    member = factories.MemberFactory(
        user=factories.FounderFactory(full_name=f"{name} Founder", email=f"{name}@example.com"),
        startup__name=f"{name} Robotics",
    )
    user, startup = member.user, member.startup
    application = factories.submitted(startup=startup, product_description=f"{name} product")
    now = timezone.now()
    records = {"user": user, "application": application}
    records["decision"] = Decision.objects.create(
        application=application,
        outcome=Outcome.ACCEPTED,
        change_reason=f"{name} staff reasoning",
        decided_by=staff,
        decided_at=now,
        sent_at=now,
        offer_deadline=now + timedelta(days=14),
        response=OfferResponse.CONFIRMED,
        responded_at=now,
        responded_by=user,
    )
    Mark.objects.create(
        application=application, kind=MarkKind.INCLUDE, reason=f"{name} mark", created_by=staff
    )
    gpu, _ = GpuModel.objects.get_or_create(slug="h100-test", defaults={"name": "H100 test"})
    records["compute_account"] = ComputeAccount.objects.create(
        startup=startup, slurm_account=f"{name}-slurm", namespace=f"{name}-ns"
    )
    records["cloud_account"] = CloudAccount.objects.create(
        startup=startup, provider="alibaba_cloud", account_id=f"{name}-cloud"
    )
    records["booking"] = Booking.objects.create(
        startup=startup,
        gpu_model=gpu,
        gpus=2,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=3),
        gpu_hours=Decimal("6"),
        state=BookingState.CONFIRMED,
        purpose=f"{name} training run",
        created_by=user,
    )
    tranche = records["tranche"] = Tranche.objects.create(
        application=application,
        position=1,
        percent=Decimal("50"),
        amount=Decimal("50000"),
        currency="USD",
        due_on=timezone.localdate(),
        label=f"{name} first tranche",
        milestone=f"{name} milestone",
    )
    records["disbursement"] = Disbursement.objects.create(
        tranche=tranche,
        evidence=f"{name} evidence",
        bank_account_name=f"{name} Robotics Limited",
        bank_name=f"{name} Bank",
        bank_account_number=f"012-345678-{n}{n}{n}9",
        requested_by=user,
    )
    platform = Platform.objects.create(name=f"{name} platform", slug=f"{name.lower()}-platform")
    records["platform_access"] = PlatformAccess.objects.create(
        platform=platform,
        application=application,
        purpose=f"{name} platform purpose",
        requested_by=user,
        ends_on=timezone.localdate() + timedelta(days=180),
    )
    desk = Space.objects.create(kind=SpaceKind.DESK, code=f"D-{name}", seats=1, row=n, column=1)
    room = Space.objects.create(
        kind=SpaceKind.MEETING_ROOM, code=f"R-{name}", seats=6, row=n, column=5
    )
    records["allocation"] = Allocation.objects.create(
        space=desk,
        startup=startup,
        cohort=application.cohort,
        move_in=timezone.localdate(),
        move_out=timezone.localdate() + timedelta(days=90),
        note=f"{name} allocation note",
        created_by=staff,
    )
    records["room_booking"] = RoomBooking.objects.create(
        room=room,
        startup=startup,
        title=f"{name} investor meeting",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1),
        booked_by=user,
    )
    return records


def _reviewer(name: str, application, staff, n: int) -> dict:
    """A reviewer with a profile, a conflict, a bid, an assignment, a review and a reminder."""
    user = factories.ReviewerFactory(full_name=f"{name} Reviewer", email=f"{name}@example.org")
    records = {"user": user}
    records["profile"] = ReviewerProfile.objects.create(
        user=user,
        kind=ReviewerKind.INVESTOR,
        affiliation=f"{name} Capital",
        expertise=f"{name} expertise",
    )
    records["conflict"] = Conflict.objects.create(
        reviewer=user,
        startup=factories.StartupFactory(),
        source=ConflictSource.DECLARED_BY_REVIEWER,
        reason=f"{name} conflict reason",
        declared_by=user,
    )
    records["bid"] = Bid.objects.create(
        reviewer=user, application=application, value=BidValue.EAGER
    )
    round_, _ = ReviewRound.objects.get_or_create(cohort=application.cohort, kind=RoundKind.WRITTEN)
    assignment = records["assignment"] = Assignment.objects.create(
        round=round_,
        application=application,
        reviewer=user,
        source=AssignmentSource.MANUAL,
        created_by=staff,
    )
    records["review"] = Review.objects.create(
        assignment=assignment,
        state=ReviewState.SUBMITTED,
        submitted_at=timezone.now(),
        comment=f"{name} private comment",
        feedback=f"{name} founder feedback",
    )
    criterion, _ = Criterion.objects.get_or_create(
        programme=application.cohort.programme,
        key="team-test",
        defaults={"label": "Team", "weight": Decimal("1"), "position": 1},
    )
    records["score"] = Score.objects.create(
        review=records["review"], criterion=criterion, value=n + 2
    )
    records["reminder"] = ReviewReminder.objects.create(
        round=round_, reviewer=user, kind="3d", unfinished=1
    )
    return records


@pytest.fixture
def world():
    staff = factories.ProgrammeManagerFactory(full_name="Staff Person", email="staff@example.net")
    alice = _founder("alice", staff, 1)
    bobby = _founder("bobby", staff, 2)
    # Each reviewer reviews the application of one founder: the founder's export must not
    # name them.
    carol = _reviewer("carol", alice["application"], staff, 1)
    dave = _reviewer("dave", bobby["application"], staff, 2)
    return {"staff": staff, "alice": alice, "bobby": bobby, "carol": carol, "dave": dave}


def _ids(records: list[dict]) -> set:
    return {r["id"] for r in records}


def _user_ids(value) -> set[int]:
    """Every value of a key that names a user (user_id, reviewer_id, *_by_id, …)."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("user_id", "reviewer_id", "actor_id") or key.endswith("_by_id"):
                if item:
                    found.add(item)
            else:
                found |= _user_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= _user_ids(item)
    return found


def _absent(text: str, *traces: str) -> None:
    for trace in traces:
        assert trace.lower() not in text.lower(), trace


def test_every_app_registers_a_contribution():
    assert set(REGISTRY) >= set(APPS)


def test_a_founders_export_holds_their_startups_records_and_none_of_another(world):
    alice, bobby = world["alice"], world["bobby"]
    document = _open(build_export(alice["user"]))
    data = document["data"]
    text = json.dumps(document)

    decisions = data["selection"]["decisions"]
    assert _ids(decisions) == {alice["decision"].pk}
    assert decisions[0]["outcome"] == "accepted"
    assert decisions[0]["response"] == "confirmed"
    assert decisions[0]["responded_by_me"] is True
    assert _ids(data["compute"]["gpu_bookings"]) == {alice["booking"].pk}
    assert data["compute"]["gpu_bookings"][0]["purpose"] == "alice training run"
    assert [a["slurm_account"] for a in data["compute"]["compute_accounts"]] == ["alice-slurm"]
    assert [a["account_id"] for a in data["compute"]["cloud_accounts"]] == ["alice-cloud"]
    assert _ids(data["funding"]["tranches"]) == {alice["tranche"].pk}
    assert data["funding"]["tranches"][0]["label"] == "alice first tranche"
    (disbursement,) = data["funding"]["disbursements"]
    assert disbursement["id"] == alice["disbursement"].pk
    assert disbursement["evidence"] == "alice evidence"
    assert disbursement["bank_account_number"] == "****1119"
    assert disbursement["requested_by_me"] is True
    assert _ids(data["platforms"]["platform_accesses"]) == {alice["platform_access"].pk}
    assert data["platforms"]["platform_accesses"][0]["purpose"] == "alice platform purpose"
    assert _ids(data["workspace"]["allocations"]) == {alice["allocation"].pk}
    assert data["workspace"]["allocations"][0]["space"] == "D-alice"
    assert _ids(data["workspace"]["room_bookings"]) == {alice["room_booking"].pk}
    assert data["workspace"]["room_bookings"][0]["title"] == "alice investor meeting"
    # A founder is not a reviewer.
    assert all(not records for records in data["reviewers"].values())
    assert all(not records for records in data["reviews"].values())

    # Bank details beyond the last four digits, staff notes and the marks stay out.
    _absent(text, "012-345678", "Robotics Limited", "alice Bank", "staff reasoning", "alice mark")
    # Nothing of the other founder.
    _absent(text, bobby["user"].email, "bobby")
    # Nothing of the reviewers of the application, nor of staff.
    for name in ("carol", "dave"):
        _absent(text, name)
    _absent(text, world["staff"].email, "Staff Person")
    assert _user_ids(data) == {alice["user"].pk}


def test_a_reviewers_export_holds_their_reviews_and_none_of_another(world):
    carol, dave = world["carol"], world["dave"]
    document = _open(build_export(carol["user"]))
    data = document["data"]
    text = json.dumps(document)

    assert [p["affiliation"] for p in data["reviewers"]["profile"]] == ["carol Capital"]
    (conflict,) = data["reviewers"]["conflicts"]
    assert conflict["id"] == carol["conflict"].pk
    assert conflict["reason"] == "carol conflict reason"
    assert conflict["declared_by_me"] is True
    assert _ids(data["reviewers"]["bids"]) == {carol["bid"].pk}
    assert _ids(data["reviewers"]["assignments"]) == {carol["assignment"].pk}
    (review,) = data["reviews"]["reviews"]
    assert review["id"] == carol["review"].pk
    assert review["comment"] == "carol private comment"
    assert review["feedback"] == "carol founder feedback"
    assert review["scores"] == [
        {"id": carol["score"].pk, "criterion": "team-test", "value": carol["score"].value}
    ]
    assert _ids(data["reviews"]["reminders"]) == {carol["reminder"].pk}
    # A reviewer has no startup: nothing from the founders' apps.
    for app in ("selection", "compute", "funding", "platforms", "workspace"):
        assert all(not records for records in data[app].values()), app

    _absent(text, dave["user"].email, "dave")
    _absent(text, world["staff"].email, "Staff Person")
    assert _user_ids(data) == {carol["user"].pk}


def test_a_decision_not_yet_sent_is_not_in_the_export(world):
    alice = world["alice"]
    Decision.objects.filter(pk=alice["decision"].pk).update(
        sent_at=None, response=OfferResponse.PENDING, responded_at=None, responded_by=None
    )
    data = _open(build_export(alice["user"]))["data"]
    assert data["selection"]["decisions"] == []


def test_a_cofounders_booking_is_left_out_but_startup_records_are_shared(world):
    alice = world["alice"]
    startup = alice["application"].startup
    cofounder = factories.MemberFactory(
        startup=startup, user__full_name="Cofounder", user__email="co@example.com"
    ).user
    Booking.objects.filter(pk=alice["booking"].pk).update(created_by=cofounder)
    RoomBooking.objects.filter(pk=alice["room_booking"].pk).update(booked_by=cofounder)
    data = _open(build_export(alice["user"]))["data"]
    # GPU bookings are the person's own; the startup's room bookings and accounts are shared.
    assert data["compute"]["gpu_bookings"] == []
    assert [a["slurm_account"] for a in data["compute"]["compute_accounts"]] == ["alice-slurm"]
    (booking,) = data["workspace"]["room_bookings"]
    assert booking["booked_by_me"] is False
    assert cofounder.pk not in _user_ids(data)
    assert "co@example.com" not in json.dumps(data)
