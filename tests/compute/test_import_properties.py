"""Properties of the Slurm import over random files: each job debited once, exactly, and a
file with a bad row anywhere posts nothing and names that row."""

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db.transaction import atomic, set_rollback
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nurture.compute.models import UsageRecord
from nurture.compute.selectors import quota_of
from nurture.compute.services import ImportRejected, slurm_import
from nurture.resources.models import LedgerTransaction
from nurture.resources.selectors import ledger_problems
from tests.compute.conftest import grant, lab

BASE = datetime(2026, 11, 1)
jobs = st.lists(
    st.tuples(
        st.sampled_from(["alpha-vision", "beta-speech"]),
        st.integers(0, 10 * 24 * 3600),  # start, seconds after BASE
        st.integers(0, 6 * 3600),  # duration in seconds
        st.integers(1, 8),  # GPUs
    ),
    min_size=1,
    max_size=30,
)
BAD = [
    "oops",
    "9999999|alpha-vision|2026-13-01T00:00:00|2026-11-01T01:00:00|gres/gpu=1",
    "9999999|nobody|2026-11-01T00:00:00|2026-11-01T01:00:00|gres/gpu=1",
    "9999999|alpha-vision|2026-11-01T02:00:00|2026-11-01T01:00:00|gres/gpu=1",
]


def line(number, job):
    account, start, duration, gpus = job
    begins = BASE + timedelta(seconds=start)
    ends = begins + timedelta(seconds=duration)
    return f"{number}|{account}|{begins:%Y-%m-%dT%H:%M:%S}|{ends:%Y-%m-%dT%H:%M:%S}|gres/gpu={gpus}"


def expected_hours(selected) -> Decimal:
    return sum(
        (
            Decimal((gpus * duration * 10_000 + 1800) // 3600).scaleb(-4)
            for _a, _s, duration, gpus in selected
        ),
        Decimal(0),
    )


@settings(max_examples=10, deadline=None)
@given(batch=jobs, bad=st.sampled_from(BAD), where=st.integers(0, 30))
# The largest batch: 30 jobs of 6 hours on 8 GPUs each, all one startup's.
@example(batch=[("alpha-vision", 0, 6 * 3600, 8)] * 30, bad=BAD[0], where=0)
@pytest.mark.django_db
def test_each_job_is_debited_once_and_a_bad_row_anywhere_posts_nothing(batch, bad, where):
    with atomic():
        w = lab()
        # Enough GPU-hours for the largest batch (30 jobs × 6 h × 8 GPUs): this property is
        # about debiting once; a batch beyond the quota is refused, as tested elsewhere.
        for startup in (w.startup, w.other):
            grant(startup, startup.applications.get().cohort.programme, hours=Decimal("1500"))
        lines = [line(1000 + n, job) for n, job in enumerate(batch)]
        position = min(where, len(lines))
        broken = [*lines[:position], bad, *lines[position:]]
        postings = LedgerTransaction.objects.count()
        with pytest.raises(ImportRejected) as rejected:
            slurm_import(
                cluster=w.cluster,
                upload=io.BytesIO(("\n".join(broken) + "\n").encode()),
                file_name="bad",
                actor=None,
            )
        assert rejected.value.problems[0].line == position + 1
        assert (LedgerTransaction.objects.count(), UsageRecord.objects.count()) == (postings, 0)

        body = ("\n".join(lines) + "\n").encode()
        first = slurm_import(cluster=w.cluster, upload=io.BytesIO(body), file_name="f", actor=None)
        after_first = LedgerTransaction.objects.count()
        again = slurm_import(cluster=w.cluster, upload=io.BytesIO(body), file_name="f", actor=None)

        used = batch  # a job of no duration is recorded too, and debits nothing
        assert (first.new, again.new, again.known) == (len(used), 0, len(used))
        assert LedgerTransaction.objects.count() == after_first
        for startup, account in ((w.startup, "alpha-vision"), (w.other, "beta-speech")):
            mine = [job for job in used if job[0] == account]
            assert quota_of(startup).used == expected_hours(mine)
        assert ledger_problems() == []
        set_rollback(True)
