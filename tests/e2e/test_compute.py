"""A founder books GPUs and sees usage; staff import Slurm records and see the quotas."""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from nurture.compute.models import Booking, UsageRecord
from tests import factories
from tests.compute.conftest import lab

SHOTS = Path("/tmp/shots")


def snap(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"compute-{name}.png"), full_page=True)


def sacct(days_ago: int, job: int, gpus: int, hours: int) -> str:
    day = timezone.localdate() - timedelta(days=days_ago)
    return (
        f"{job}|alpha-vision|{day:%Y-%m-%d}T09:00:00|{day:%Y-%m-%d}T{9 + hours:02d}:00:00|"
        f"billing={gpus},cpu={gpus * 4},gres/gpu={gpus},node=1\n"
    )


def test_a_founder_books_gpus_and_sees_usage(page, tmp_path):
    from tests.e2e.conftest import log_in

    w = lab()
    log_in(page, w.founder.email, factories.PASSWORD)
    page.get_by_role("link", name="My compute").first.click()
    page.get_by_role("heading", name="Compute of Alpha Vision").wait_for()
    page.get_by_role("link", name="Book GPUs").click()
    page.locator("#id_gpu_model").select_option(label="NVIDIA A100 80GB")
    page.locator("#id_gpus").fill("2")
    page.locator("#id_day").fill(f"{timezone.localdate() + timedelta(days=1):%Y-%m-%d}")
    page.locator("#id_start_hour").select_option(label="09:00")
    page.locator("#id_hours").fill("4")
    snap(page, "book")
    page.get_by_role("button", name="Book", exact=True).click()
    page.get_by_text("Booked 2 × NVIDIA A100 80GB, 8 GPU-hours.").wait_for()
    assert Booking.objects.filter(startup=w.startup, gpus=2).count() == 1

    page.get_by_role("link", name="When GPUs are free").click()
    page.get_by_role("heading", name="GPU availability").wait_for()
    page.get_by_role("link", name="Next week").click()
    page.wait_for_url("**week=**")
    snap(page, "availability")
    page.go_back()
    page.go_back()

    # Staff import the cluster's accounting records.
    context = page.context.browser.new_context(base_url=page.url.split("/compute")[0])
    staff = context.new_page()
    log_in(staff, w.manager.email, factories.PASSWORD)
    staff.goto("/compute/manage/imports/slurm/")
    records = tmp_path / "sacct.txt"
    records.write_text(sacct(3, 5001, 4, 3) + sacct(2, 5002, 2, 5) + sacct(1, 5003, 8, 1))
    staff.locator("#id_cluster").select_option(label="Lab cluster")
    staff.locator("#id_file").set_input_files(str(records))
    staff.get_by_role("button", name="Import").click()
    staff.get_by_text("Imported: 3 new, 0 already imported").wait_for()
    snap(staff, "staff-slurm-import")
    staff.get_by_role("link", name="Import another file").click()
    bad = tmp_path / "bad.txt"
    bad.write_text(
        sacct(1, 5004, 1, 1) + "5005|nobody|2026-11-02T09:00:00|2026-11-02T10:00:00|gres/gpu=1\n"
    )
    staff.locator("#id_cluster").select_option(label="Lab cluster")
    staff.locator("#id_file").set_input_files(str(bad))
    staff.get_by_role("button", name="Import").click()
    staff.get_by_text("Line 2: the account “nobody” belongs to no startup.").wait_for()
    snap(staff, "staff-slurm-rejected")
    staff.goto("/compute/manage/quotas/")
    snap(staff, "staff-quotas")
    staff.goto("/compute/manage/")
    snap(staff, "staff-inventory")
    staff.goto(f"/compute/manage/startups/{w.startup.pk}/")
    snap(staff, "staff-startup")
    staff.goto("/compute/manage/imports/billing/")
    snap(staff, "staff-billing")
    context.close()
    assert UsageRecord.objects.filter(startup=w.startup).count() == 3

    page.reload()
    page.get_by_role("heading", name="Compute of Alpha Vision").wait_for()
    # 4 × 3 + 2 × 5 + 8 × 1 GPU-hours used.
    assert page.locator("#quota-used").inner_text() == "30"
    assert page.locator("svg rect").count() >= 4
    snap(page, "founder-usage")
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "founder-usage-phone")
