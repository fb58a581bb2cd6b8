"""A founder books a meeting room and takes the .ics file; a programme manager gives an
admitted startup desks sized to its team and sees the floor plan."""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from nurture.workspace.models import Allocation, RoomBooking
from tests import factories
from tests.workspace.conftest import admitted, build_floor, place

SHOTS = Path("/tmp/shots")


def snap(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"workspace-{name}.png"), full_page=True)


def test_a_founder_books_a_meeting_room_and_downloads_the_ics(page):
    from tests.e2e.conftest import log_in

    spaces = build_floor()
    startup, founder, _cohort = admitted("Alpha Vision", team_size=2)
    place(startup, spaces["N-01"])
    tomorrow = timezone.localdate() + timedelta(days=1)

    log_in(page, founder.email, factories.PASSWORD)
    page.goto("/workspace/")
    page.get_by_role("heading", name="Workspace of Alpha Vision").wait_for()
    assert page.get_by_text("N-01").first.is_visible()
    page.get_by_role("link", name="Book a meeting room").click()
    page.locator("#id_room").select_option(label="R-1 · Harbour")
    page.locator("#id_day").fill(f"{tomorrow:%Y-%m-%d}")
    page.locator("#id_start").select_option("10:00")
    page.locator("#id_end").select_option("10:00")
    page.locator("#id_title").fill("Investor call")
    page.get_by_role("button", name="Book", exact=True).click()
    page.get_by_text("The booking must end after it starts.").wait_for()
    page.locator("#id_end").select_option("11:30")
    snap(page, "book")
    page.get_by_role("button", name="Book", exact=True).click()
    page.get_by_text("R-1 is booked.").wait_for()
    booking = RoomBooking.objects.get(startup=startup)
    assert booking.title == "Investor call"
    snap(page, "startup")

    with page.expect_download() as download:
        page.get_by_role("link", name=".ics").first.click()
    content = Path(download.value.path()).read_text()
    assert "BEGIN:VEVENT" in content and "Investor call" in content

    page.goto(f"/workspace/rooms/?date={tomorrow:%Y-%m-%d}")
    page.get_by_role("heading", name="Meeting rooms").wait_for()
    assert page.locator("td.slot-busy.is-mine").count() == 1
    page.get_by_role("link", name="Next day").click()
    page.wait_for_url("**date=**")
    snap(page, "rooms")


def test_a_manager_gives_desks_and_sees_the_floor(page):
    from tests.e2e.conftest import log_in

    spaces = build_floor()
    resident, _founder, cohort = admitted("Alpha Vision", team_size=1)
    place(resident, spaces["N-01"])
    newcomer, _founder, _cohort = admitted("Gamma Robotics", team_size=2, cohort=cohort)
    manager = factories.ProgrammeManagerFactory()

    log_in(page, manager.email, factories.PASSWORD)
    page.goto("/workspace/manage/floor/")
    page.get_by_role("heading", name="The Lab's floor").wait_for()
    snap(page, "floor-before")
    page.get_by_role("link", name="Give space").click()
    page.get_by_role("heading", name="Space for Gamma Robotics").wait_for()
    assert page.get_by_text("The team needs 2 seats.").is_visible()
    snap(page, "allocate")
    page.get_by_role("button", name="Give these spaces").click()
    page.get_by_text("Gamma Robotics has its space.").wait_for()
    assert Allocation.objects.filter(startup=newcomer).count() == 2
    assert page.locator(".floor-cell.is-taken").count() == 3
    snap(page, "floor")
