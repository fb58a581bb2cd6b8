import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from nurture.audit.models import AuditEntry
from nurture.audit.services import audit_record
from tests import factories
from tests.conftest import ALL_ROLES, STAFF_ROLES

HONG_KONG = ZoneInfo("Asia/Hong_Kong")
LIST = "audit:list"


def _entry(**kwargs):
    kwargs.setdefault("action", "application.updated")
    kwargs.setdefault("summary", "Startup → Cohort")
    return AuditEntry.objects.create(**kwargs)


def _actions(response) -> list[str]:
    return [e.action for e in response.context["entries"]]


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", ["audit:list", "audit:export"])
def test_the_audit_log_is_for_programme_staff_only(client_as, role, name):
    response = client_as(role).get(reverse(name))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif role in STAFF_ROLES:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_a_refused_export_leaves_no_entry(client_as):
    client_as("founder").get(reverse("audit:export"))
    assert not AuditEntry.objects.filter(action="audit.exported").exists()


def test_filters_by_action_actor_object_and_dates(staff_client):
    at = datetime(2030, 5, 10, 23, 30, tzinfo=HONG_KONG)  # 15:30 UTC: still 10 May in HK
    _entry(action="cohort.created", actor_label="pm@lab.example", at=at)
    _entry(
        action="application.submitted",
        actor_label="founder@startup.example",
        target_type="applications.application",
        target_id="42",
        at=at + timedelta(days=1),
    )
    _entry(
        action="application.viewed_details", actor_label="pm@lab.example", at=at - timedelta(days=3)
    )
    url = reverse(LIST)
    assert _actions(staff_client.get(url, {"action": "cohort.created"})) == ["cohort.created"]
    assert _actions(staff_client.get(url, {"actor": "founder@"})) == ["application.submitted"]
    assert _actions(
        staff_client.get(url, {"target_type": "applications.application", "target_id": "42"})
    ) == ["application.submitted"]
    assert _actions(
        staff_client.get(url, {"date_from": "2030-05-10", "date_to": "2030-05-10"})
    ) == ["cohort.created"]
    assert _actions(staff_client.get(url, {"date_from": "2030-05-08"})) == [
        "application.submitted",
        "cohort.created",
    ]


def test_dates_in_the_wrong_order_are_a_message_not_an_error_page(staff_client):
    _entry()
    response = staff_client.get(reverse(LIST), {"date_from": "2030-05-10", "date_to": "2030-05-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"] == [
        "The end date cannot be before the start date."
    ]


def test_search_looks_in_summary_action_and_actor(staff_client):
    _entry(action="cohort.updated", summary="2031 Spring", actor_label="a@lab.example")
    _entry(action="programme.updated", summary="HKAI Lab", actor_label="b@lab.example")
    url = reverse(LIST)
    assert _actions(staff_client.get(url, {"q": "spring"})) == ["cohort.updated"]
    # The staff user's own account entries (created as a programme manager, signed in) aside.
    assert _actions(staff_client.get(url, {"q": "programme"}))[:1] == ["programme.updated"]
    assert _actions(staff_client.get(url, {"q": "b@lab"})) == ["programme.updated"]


def test_pages_of_fifty_newest_first(staff_client):
    start = datetime(2030, 1, 1, tzinfo=HONG_KONG)
    for n in range(55):
        _entry(action=f"test.{n:02d}", at=start + timedelta(minutes=n))
    first = staff_client.get(reverse(LIST))
    assert len(first.context["entries"]) == 50
    assert _actions(first)[0] == "test.54"
    second = staff_client.get(reverse(LIST), {"page": 2})
    # After them, the staff user's own sign-in and account creation (the newest entries are
    # the 55 made up with dates in 2030).
    assert _actions(second)[:5] == ["test.04", "test.03", "test.02", "test.01", "test.00"]
    assert set(_actions(second)[5:]) == {"user.login", "user.created_with_permissions"}


def test_htmx_request_gets_only_the_table(staff_client):
    _entry(action="cohort.created")
    response = staff_client.get(reverse(LIST), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "<table" in html and "cohort.created" in html
    assert "<html" in staff_client.get(reverse(LIST)).content.decode()


def test_csv_export_of_the_filtered_entries_is_itself_recorded(staff_client, programme_manager):
    _entry(action="cohort.created", summary="=HYPERLINK(1)")
    _entry(action="programme.updated")
    response = staff_client.get(reverse("audit:export"), {"action": "cohort.created"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = _csv(response)
    assert header[:3] == ["When (Hong Kong time)", "Who", "Action"]
    assert [(r[2], r[5]) for r in rows] == [("cohort.created", "'=HYPERLINK(1)")]
    entry = AuditEntry.objects.get(action="audit.exported")
    assert entry.actor == programme_manager
    assert entry.data == {"format": "csv", "filters": {"action": "cohort.created"}, "rows": 1}


def test_the_export_entry_is_not_in_its_own_file(staff_client):
    _entry(action="cohort.created")
    _header, *rows = _csv(staff_client.get(reverse("audit:export")))
    assert [r[2] for r in rows if not r[2].startswith("user.")] == ["cohort.created"]
    assert "audit.exported" not in [r[2] for r in rows]


def test_entries_written_by_services_carry_the_request_origin(staff_client, programme_manager):
    application = factories.submitted()
    staff_client.get(
        reverse("programmes:application_detail", args=[application.pk]),
        headers={"User-Agent": "pytest-browser"},
    )
    entry = AuditEntry.objects.get(action="application.viewed_details")
    assert (entry.ip_address, entry.user_agent) == ("127.0.0.1", "pytest-browser")
    html = staff_client.get(reverse(LIST)).content.decode()
    assert reverse("programmes:application_detail", args=[application.pk]) in html


def test_list_query_count_does_not_grow_with_rows(staff_client, count_queries):
    audit_record(actor=None, action="cohort.created", summary="one")
    url = reverse(LIST)
    filtered = f"{url}?action=cohort.created&q=o&date_from=2000-01-01"
    staff_client.get(url)
    one = count_queries(lambda: staff_client.get(url))
    one_filtered = count_queries(lambda: staff_client.get(filtered))
    for n in range(60):
        audit_record(actor=None, action="cohort.created", summary=f"more {n}")
    assert count_queries(lambda: staff_client.get(url)) == one
    assert count_queries(lambda: staff_client.get(filtered)) == one_filtered
