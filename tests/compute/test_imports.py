import io
from decimal import Decimal

import pytest
from django.core import mail

from nurture.compute.models import CreditAlert, CreditCharge, UsageRecord
from nurture.compute.selectors import quota_of, resource_quotas_yaml, sacctmgr_script
from nurture.compute.services import (
    ComputeError,
    ImportRejected,
    billing_import,
    credit_usage,
    quota_top_up,
    slurm_import,
)
from nurture.compute.slurm import gpus_from_tres
from nurture.resources.models import LedgerTransaction
from nurture.resources.selectors import ledger_problems

GOOD = (
    "101|alpha-vision|2026-11-02T09:00:00|2026-11-02T11:30:00|billing=8,cpu=8,gres/gpu=2,node=1\n"
    "101.batch|alpha-vision|2026-11-02T09:00:00|2026-11-02T11:30:00|cpu=8,gres/gpu=2\n"
    "102|beta-speech|2026-11-02T10:00:00|2026-11-02T10:20:00|gres/gpu=1\n"
    "103|alpha-vision|2026-11-03T08:00:00|2026-11-03T09:00:00|gres/gpu:a100=4\n"
    "104|alpha-vision|2026-11-03T08:00:00|Unknown|gres/gpu=4\n"
    "105|alpha-vision|2026-11-03T08:00:00|2026-11-03T09:00:00|cpu=4\n"
)


def upload(text: str):
    return io.BytesIO(text.encode())


def run(w, text, name="sacct.txt"):
    return slurm_import(cluster=w.cluster, upload=upload(text), file_name=name, actor=w.manager)


def test_each_job_is_debited_once_and_a_reimport_posts_nothing(compute):
    result = run(compute, GOOD)
    assert (result.new, result.known, result.record.jobs_skipped) == (3, 0, 3)
    # 2 GPUs × 2.5 h + 4 GPUs × 1 h for Alpha; 1 GPU × 20 min for Beta.
    assert quota_of(compute.startup).used == Decimal("9")
    assert quota_of(compute.other).used == Decimal("0.3333")
    assert result.record.postings == 3  # Alpha on two days, Beta on one
    postings = LedgerTransaction.objects.count()

    again = run(compute, GOOD)

    assert (again.new, again.known) == (0, 3)
    assert LedgerTransaction.objects.count() == postings
    assert UsageRecord.objects.count() == 3
    assert quota_of(compute.startup).used == Decimal("9")
    assert ledger_problems() == []


def test_a_file_with_one_bad_row_posts_nothing_and_names_the_row(compute):
    bad = GOOD + "106|nobody|2026-11-03T08:00:00|2026-11-03T09:00:00|gres/gpu=1\n"
    before = LedgerTransaction.objects.count()
    with pytest.raises(ImportRejected) as rejected:
        run(compute, bad)
    assert [problem.line for problem in rejected.value.problems] == [7]
    assert "nobody" in str(rejected.value.problems[0])
    assert LedgerTransaction.objects.count() == before
    assert UsageRecord.objects.count() == 0


@pytest.mark.parametrize(
    "line, words",
    [
        ("x y|alpha-vision|2026-11-02T09:00:00|2026-11-02T10:00:00|gres/gpu=1", "job id"),
        ("201|alpha-vision|yesterday|2026-11-02T10:00:00|gres/gpu=1", "Start and End"),
        ("201|alpha-vision|2026-11-02T11:00:00|2026-11-02T10:00:00|gres/gpu=1", "ends before"),
        ("201|alpha-vision|2026-11-02T09:00:00|2026-11-02T10:00:00|gres/gpu=many", "GPUs"),
        ("201|alpha-vision|2026-11-02T09:00:00", "fields"),
        ("101|alpha-vision|2026-11-02T09:00:00|2026-11-02T10:00:00|gres/gpu=1", "line 1"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_line(compute, line, words):
    text = GOOD.splitlines(keepends=True)[0] + line + "\n"
    with pytest.raises(ImportRejected) as rejected:
        run(compute, text)
    (problem,) = rejected.value.problems
    assert problem.line == 2
    assert words in str(problem)
    assert UsageRecord.objects.count() == 0


def test_a_header_names_the_columns_in_any_order(compute):
    text = (
        "State|End|JobID|AllocGPUs|Account|Start\n"
        "COMPLETED|2026-11-02T10:00:00|301|3|alpha-vision|2026-11-02T09:00:00\n"
    )
    assert run(compute, text).new == 1
    assert quota_of(compute.startup).used == Decimal("3")


def test_usage_beyond_the_quota_rejects_the_file(compute):
    text = "401|alpha-vision|2026-11-01T00:00:00|2026-11-02T00:00:00|gres/gpu=8\n"
    with pytest.raises(ImportRejected) as rejected:
        run(compute, text)
    assert rejected.value.problems[0].line == 1
    quota_top_up(
        startup=compute.startup, hours=Decimal(100), reason="Thesis run", actor=compute.manager
    )
    assert run(compute, text).new == 1
    assert quota_of(compute.startup).left == Decimal(8)


def test_gpus_from_tres():
    assert gpus_from_tres("billing=8,cpu=8,gres/gpu=2,mem=64G") == 2
    assert gpus_from_tres("gres/gpu:a100=2,gres/gpu:v100=1") == 3
    assert gpus_from_tres("cpu=4") == 0
    assert gpus_from_tres("gres/gpu=x") is None


def test_top_up_needs_a_reason(compute):
    with pytest.raises(ComputeError):
        quota_top_up(startup=compute.startup, hours=Decimal(5), reason=" ", actor=compute.manager)
    txn = quota_top_up(
        startup=compute.startup,
        hours=Decimal(5),
        reason="Conference deadline",
        actor=compute.manager,
    )
    assert txn.memo == "Conference deadline"
    assert quota_of(compute.startup).left == Decimal(105)


def test_exports_name_each_account_with_its_limits(compute):
    script = sacctmgr_script([compute.cluster])
    assert (
        "sacctmgr --immediate modify account where name=alpha-vision cluster=hkai "
        "set GrpTRESMins=gres/gpu=6000"
    ) in script
    manifests = resource_quotas_yaml()
    assert manifests.count("kind: ResourceQuota") == 2
    assert "namespace: beta-speech" in manifests
    assert 'requests.nvidia.com/gpu: "8"' in manifests


BILLING = (
    "billing_month,account_id,service,cost_usd,line_id,extra\n"
    "2026-10,acct-alpha-vision,ECS,500.004,L1,x\n"
    "2026-10,acct-alpha-vision,OSS,300.001,L2,x\n"
)


def bill(w, text):
    return billing_import(
        provider="alibaba_cloud", upload=upload(text), file_name="bill.csv", actor=w.manager
    )


def test_billing_uses_credits_once_and_alerts_at_80_percent_once(
    compute, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = bill(compute, BILLING)
    assert (result.new, result.known) == (2, 0)
    assert credit_usage(compute.startup) == (Decimal("800.01"), Decimal("1000.00"))
    assert list(CreditAlert.objects.values_list("threshold", flat=True)) == [80]
    assert len(mail.outbox) == 1
    assert "80%" in mail.outbox[0].subject
    assert compute.founder.email in mail.outbox[0].to

    with django_capture_on_commit_callbacks(execute=True):
        again = bill(compute, BILLING)

    assert (again.new, again.known) == (0, 2)
    assert credit_usage(compute.startup)[0] == Decimal("800.01")
    assert len(mail.outbox) == 1


def test_billing_beyond_the_credits_is_recorded_and_alerts_at_100_percent(
    compute, django_capture_on_commit_callbacks
):
    more = (
        "billing_month,account_id,service,cost_usd,line_id\n2026-11,acct-alpha-vision,ECS,400,L3\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        bill(compute, BILLING)
        bill(compute, more)
    assert credit_usage(compute.startup) == (Decimal("1000.00"), Decimal("1000.00"))
    charge = CreditCharge.objects.get(billing_month__month=11)
    assert (charge.debited_usd, charge.beyond_usd) == (Decimal("199.99"), Decimal("200.01"))
    assert sorted(CreditAlert.objects.values_list("threshold", flat=True)) == [80, 100]
    assert len(mail.outbox) == 2
    assert ledger_problems() == []


def test_a_billing_file_with_one_bad_row_posts_nothing(compute):
    text = BILLING + "2026-10,acct-alpha-vision,ECS,-3,L4,x\n"
    with pytest.raises(ImportRejected) as rejected:
        bill(compute, text)
    assert [problem.line for problem in rejected.value.problems] == [4]
    assert credit_usage(compute.startup)[0] == Decimal(0)
    assert mail.outbox == []
