from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from nurture.compute.models import Booking, BookingState, Node, UsageRecord
from nurture.compute.selectors import quota_of
from nurture.compute.services import booking_create, slurm_import
from nurture.resources.models import LedgerTransaction
from tests.compute.conftest import next_hour
from tests.compute.test_imports import GOOD, upload


def test_a_founder_books_gpus_through_the_form(client, compute):
    client.force_login(compute.founder)
    day = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("compute:book", args=[compute.startup.pk]),
        {"gpu_model": compute.a100.pk, "gpus": 2, "day": day, "start_hour": 9, "hours": 3},
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.gpus, booking.gpu_hours) == (2, Decimal(6))
    assert timezone.localtime(booking.starts_at).hour == 9
    page = client.get(reverse("compute:startup", args=[compute.startup.pk]))
    assert "NVIDIA A100 80GB" in page.content.decode()


def test_a_booking_beyond_capacity_shows_the_reason_and_saves_nothing(client, compute):
    client.force_login(compute.founder)
    day = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("compute:book", args=[compute.startup.pk]),
        {"gpu_model": compute.a100.pk, "gpus": 9, "day": day, "start_hour": 9, "hours": 1},
    )
    assert response.status_code == 200
    assert "Only 8 of 8" in response.content.decode()
    assert Booking.objects.count() == 0


def test_a_founder_cancels_their_booking(client, compute):
    start = next_hour(3)
    booking = booking_create(
        startup=compute.startup,
        gpu_model=compute.a100,
        gpus=1,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        actor=compute.founder,
    )
    client.force_login(compute.founder)
    response = client.post(reverse("compute:booking_cancel", args=[booking.pk]))
    assert response.status_code == 302
    assert Booking.objects.get().state == BookingState.CANCELLED


def test_another_founder_cannot_cancel_or_see(client, compute):
    start = next_hour(3)
    booking = booking_create(
        startup=compute.startup,
        gpu_model=compute.a100,
        gpus=1,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        actor=compute.founder,
    )
    client.force_login(compute.other_founder)
    assert client.post(reverse("compute:booking_cancel", args=[booking.pk])).status_code == 403
    assert client.get(reverse("compute:startup", args=[compute.startup.pk])).status_code == 403
    assert Booking.objects.get().state == BookingState.CONFIRMED


def test_the_startup_page_shows_usage_as_an_svg_chart(client, compute):
    slurm_import(cluster=compute.cluster, upload=upload(GOOD), file_name="f", actor=None)
    client.force_login(compute.founder)
    page = client.get(reverse("compute:startup", args=[compute.startup.pk])).content.decode()
    assert "<svg" in page
    assert 'id="quota-used">9<' in page


def test_the_availability_week_moves_with_htmx(client, compute):
    start = next_hour(1)
    booking_create(
        startup=compute.startup,
        gpu_model=compute.a100,
        gpus=3,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        actor=compute.founder,
    )
    client.force_login(compute.other_founder)
    url = reverse("compute:availability")
    page = client.get(url, {"model": compute.a100.pk}).content.decode()
    assert ">5</td>" in page
    assert "<html" in page
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    fragment = client.get(
        url, {"model": compute.a100.pk, "week": monday + timedelta(days=7)}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment
    assert "week-title" in fragment


def test_staff_import_a_bad_file_and_see_the_line(
    client, compute, django_capture_on_commit_callbacks
):
    client.force_login(compute.manager)
    bad = GOOD + "999|alpha-vision|2026-11-02T09:00:00|2026-11-02T08:00:00|gres/gpu=1\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("compute:slurm_import"),
            {"cluster": compute.cluster.pk, "file": SimpleUploadedFile("s.txt", bad.encode())},
        )
    assert response.status_code == 302
    job = client.get(response.url).content.decode()
    assert "Line 7: the job ends before it starts." in job
    assert "Rejected: nothing posted" in job
    assert UsageRecord.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        good = client.post(
            reverse("compute:slurm_import"),
            {"cluster": compute.cluster.pk, "file": SimpleUploadedFile("s.txt", GOOD.encode())},
        )
    assert "Imported: 3 new, 0 already imported" in client.get(good.url).content.decode()
    assert UsageRecord.objects.count() == 3


def test_a_queued_import_page_asks_again_until_it_has_finished(client, compute):
    from nurture.compute.models import ImportJob, ImportState
    from nurture.compute.services import import_job_create, import_job_run

    client.force_login(compute.manager)
    job = import_job_create(
        kind="slurm",
        upload=SimpleUploadedFile("s.txt", GOOD.encode()),
        actor=compute.manager,
        cluster=compute.cluster,
    )
    url = reverse("compute:import_job", args=[job.pk])
    assert 'hx-trigger="every 2s"' in client.get(url).content.decode()
    assert import_job_run(job_id=job.pk).state == ImportState.DONE
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment
    assert "<html" not in fragment
    assert not ImportJob.objects.get().file  # the stored upload is gone once read
    assert import_job_run(job_id=job.pk).new == 3  # a second run changes nothing


def test_staff_top_up_with_a_reason(client, compute):
    client.force_login(compute.manager)
    response = client.post(
        reverse("compute:startup_manage", args=[compute.startup.pk]),
        {"action": "top_up", "top_up-hours": "25", "top_up-reason": "Paper deadline"},
    )
    assert response.status_code == 302
    assert quota_of(compute.startup).left == Decimal(125)
    assert LedgerTransaction.objects.filter(memo="Paper deadline").count() == 1


def test_staff_add_a_node_and_download_the_exports(client, compute):
    client.force_login(compute.manager)
    response = client.post(
        reverse("compute:inventory_new", args=["node"]),
        {
            "cluster": compute.cluster.pk,
            "name": "gpu03",
            "gpu_model": compute.a100.pk,
            "gpu_count": 8,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Node.objects.filter(name="gpu03").exists()
    script = client.get(reverse("compute:export_sacctmgr"))
    assert script["Content-Disposition"] == 'attachment; filename="gpu-quotas-sacctmgr.sh"'
    assert b"GrpTRESMins=gres/gpu=6000" in script.content
    yaml = client.get(reverse("compute:export_resourcequota")).content.decode()
    assert "namespace: alpha-vision" in yaml


def test_the_quota_list_reads_a_fixed_number_of_queries(client, compute, count_queries):
    client.force_login(compute.manager)
    url = reverse("compute:quotas")
    few = count_queries(lambda: client.get(url))
    from tests.compute.conftest import admitted

    for number in range(4):
        admitted(None, f"Gamma {number}")
    assert count_queries(lambda: client.get(url)) == few


def test_the_founder_dashboard_shows_a_credit_alert(client, compute):
    from nurture.compute.models import CreditAlert

    CreditAlert.objects.create(
        startup=compute.startup, threshold=80, used_usd=Decimal(800), total_usd=Decimal(1000)
    )
    client.force_login(compute.founder)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Alpha Vision has used 80% of its cloud credits." in page
    client.force_login(compute.other_founder)
    assert "of its cloud credits" not in client.get(reverse("core:dashboard")).content.decode()


def test_the_startup_page_reads_a_fixed_number_of_queries(client, compute, count_queries):
    client.force_login(compute.founder)
    url = reverse("compute:startup", args=[compute.startup.pk])

    def booking(offset):
        start = next_hour(2 + offset * 2)
        booking_create(
            startup=compute.startup,
            gpu_model=compute.a100,
            gpus=1,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            actor=compute.founder,
        )

    booking(0)
    one = count_queries(lambda: client.get(url))
    for offset in range(1, 6):
        booking(offset)
    assert count_queries(lambda: client.get(url)) == one


def test_the_inventory_and_import_lists_read_a_fixed_number_of_queries(
    client, compute, count_queries
):
    client.force_login(compute.manager)
    pages = [reverse(name) for name in ("compute:inventory", "compute:slurm_import")]
    before = [count_queries(lambda url=url: client.get(url)) for url in pages]
    for number in range(5):
        Node.objects.create(
            cluster=compute.cluster, name=f"extra{number}", gpu_model=compute.a100, gpu_count=2
        )
        slurm_import(
            cluster=compute.cluster,
            upload=upload(
                f"{800 + number}|alpha-vision|2026-11-02T09:00:00|2026-11-02T10:00:00|2\n"
            ),
            file_name=f"f{number}",
            actor=compute.manager,
        )
    assert [count_queries(lambda url=url: client.get(url)) for url in pages] == before


def test_dates_at_the_ends_of_the_calendar_get_an_answer_not_an_error(client, compute):
    client.force_login(compute.founder)
    for week in ("0001-01-01", "9999-12-31", "nonsense"):
        response = client.get(reverse("compute:availability"), {"week": week})
        assert response.status_code == 200, week
    response = client.post(
        reverse("compute:book", args=[compute.startup.pk]),
        {
            "gpu_model": compute.a100.pk,
            "gpus": 1,
            "day": "9999-12-31",
            "start_hour": 23,
            "hours": 336,
        },
    )
    assert response.status_code == 200
    assert "days ahead" in response.content.decode()
    assert Booking.objects.count() == 0


def test_an_unreadable_file_is_refused_with_a_message(
    client, compute, django_capture_on_commit_callbacks
):
    client.force_login(compute.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("compute:slurm_import"),
            {
                "cluster": compute.cluster.pk,
                "file": SimpleUploadedFile("s.txt", b"\xff\xfe\x00bad"),
            },
        )
    assert "not UTF-8" in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("compute:billing_import"),
            {"provider": "alibaba_cloud", "file": SimpleUploadedFile("b.csv", b"a,b\n1,2\n")},
        )
    assert "the header lacks billing_month" in client.get(response.url).content.decode()
