"""Threads, each on its own connection, racing to book the last GPUs and to import a file.

On PostgreSQL the GPU model's row lock (select_for_update) serialises bookings of a model and
the cluster's row lock serialises imports; on SQLite the IMMEDIATE transactions do. Run on
PostgreSQL with DATABASE_URL=postgres://... pytest tests/compute.
"""

import io
from collections import Counter
from datetime import timedelta

import pytest

from nurture.compute.models import Booking, BookingState, SlurmImport, UsageRecord
from nurture.compute.selectors import quota_of
from nurture.compute.services import ComputeError, booking_create, peak_load, slurm_import
from nurture.resources.models import LedgerTransaction, TransactionKind
from nurture.resources.selectors import ledger_problems
from tests.compute.conftest import lab, next_hour
from tests.resources.test_concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("threaded_db")]

THREADS = 6


def test_racing_bookings_of_the_last_gpus_never_overbook():
    w = lab()
    starts = next_hour(2)
    founders = [w.founder, w.other_founder]
    startups = [w.startup, w.other]

    def book(index: int) -> str:
        try:
            booking_create(
                startup=startups[index % 2],
                gpu_model=w.a100,
                gpus=3,
                starts_at=starts + timedelta(minutes=0),
                ends_at=starts + timedelta(hours=2),
                actor=founders[index % 2],
            )
            return "booked"
        except ComputeError as error:
            return error.code

    results = race(book, THREADS)
    assert Counter(results) == Counter(booked=2, capacity=THREADS - 2)
    held = list(
        Booking.objects.filter(state=BookingState.CONFIRMED).values_list(
            "starts_at", "ends_at", "gpus"
        )
    )
    assert peak_load(held, starts, starts + timedelta(hours=2)) == 6


def test_racing_requests_under_one_idempotency_key_make_one_booking():
    w = lab()
    starts = next_hour(2)

    def book(index: int) -> int:
        return booking_create(
            startup=w.startup,
            gpu_model=w.a100,
            gpus=1,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            actor=w.founder,
            idempotency_key="retry-me",
        ).pk

    results = race(book, 4)
    assert len(set(results)) == 1, results
    assert Booking.objects.count() == 1


def test_racing_imports_of_one_file_post_each_job_once():
    w = lab()
    text = "".join(
        f"{700 + n}|alpha-vision|2026-11-0{1 + n % 3}T09:00:00|2026-11-0{1 + n % 3}T10:00:00|"
        f"gres/gpu=1\n"
        for n in range(30)
    ).encode()

    def run(index: int) -> int:
        return slurm_import(
            cluster=w.cluster, upload=io.BytesIO(text), file_name="same.txt", actor=w.manager
        ).new

    results = race(run, 4)
    assert sorted(results) == [0, 0, 0, 30], results
    assert UsageRecord.objects.count() == 30
    assert SlurmImport.objects.count() == 4
    assert LedgerTransaction.objects.filter(kind=TransactionKind.USAGE).count() == 3
    assert quota_of(w.startup).used == 30
    assert ledger_problems() == []


def test_racing_billing_imports_use_the_credits_once():
    from nurture.compute.models import BillingLine, CreditAlert
    from nurture.compute.services import billing_import, credit_usage

    w = lab()
    body = (
        "billing_month,account_id,service,cost_usd,line_id\n"
        + "".join(f"2026-10,acct-alpha-vision,ECS,90,L{n}\n" for n in range(10))
    ).encode()

    def run(index: int) -> int:
        return billing_import(
            provider="alibaba_cloud", upload=io.BytesIO(body), file_name="b.csv", actor=w.manager
        ).new

    results = race(run, 4)
    assert sorted(results) == [0, 0, 0, 10], results
    assert BillingLine.objects.count() == 10
    assert credit_usage(w.startup) == (900, 1000)
    assert list(CreditAlert.objects.values_list("threshold", flat=True)) == [80]
    assert ledger_problems() == []
