import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from nurture.applications.models import ApplicationState
from nurture.audit.models import AuditEntry
from tests import factories


def _export(client, cohort, fmt, **params):
    url = reverse("programmes:application_export", args=[cohort.pk, fmt])
    return client.get(url, params)


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def _xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _app(cohort, name, **kwargs):
    startup = factories.MemberFactory(startup__name=name).startup
    kwargs.setdefault("state", ApplicationState.SUBMITTED)
    kwargs.setdefault("pitch_deck", "")
    return factories.ApplicationFactory(cohort=cohort, startup=startup, **kwargs)


@pytest.fixture
def two_applications(cohort):
    alpha = _app(
        cohort,
        "Alpha",
        product_description="Drone facade inspection",
        funding_raised_usd=Decimal("150000"),
    )
    beta = _app(cohort, "Beta", state=ApplicationState.WITHDRAWN)
    _app(cohort, "Still a draft", state=ApplicationState.DRAFT)
    return alpha, beta


def test_csv_has_every_answer_of_the_filtered_applications(staff_client, cohort, two_applications):
    alpha, _beta = two_applications
    response = _export(staff_client, cohort, "csv", state="submitted")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="applications-')
    header, *rows = _csv_rows(response)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Application id"] == str(alpha.pk)
    assert row["Startup"] == "Alpha"
    assert row["State"] == "Submitted"
    assert row["Product"] == "Drone facade inspection"
    assert row["Funding raised (USD)"] == "150000.00"
    assert row["Founders' e-mail addresses"] == alpha.startup.members.get().email
    assert row["Registered in Hong Kong"] == "yes"
    assert {"The AI it uses", "Traction", "GPU-hours a month", "Deep-learning platforms"} <= set(
        header
    )


def test_export_without_filters_leaves_drafts_out_like_the_list(
    staff_client, cohort, two_applications
):
    _header, *rows = _csv_rows(_export(staff_client, cohort, "csv"))
    assert sorted(r[1] for r in rows) == ["Alpha", "Beta"]
    _header, *rows = _csv_rows(_export(staff_client, cohort, "csv", state="all"))
    assert len(rows) == 3


def test_xlsx_opens_with_openpyxl_and_holds_the_same_rows(staff_client, cohort, two_applications):
    response = _export(staff_client, cohort, "xlsx", sort="startup")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    header, *rows = _xlsx_rows(response)
    assert header[:2] == ["Application id", "Startup"]
    assert [r[1] for r in rows] == ["Alpha", "Beta"]
    alpha = dict(zip(header, rows[0], strict=True))
    assert alpha["Funding raised (USD)"] == 150000
    assert alpha["Registered in Hong Kong"] is True


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_guards_against_formula_injection(staff_client, cohort, payload):
    _app(cohort, payload, traction=payload)
    header, row = _csv_rows(_export(staff_client, cohort, "csv"))
    values = dict(zip(header, row, strict=True))
    assert values["Startup"] == "'" + payload
    assert values["Traction"] == "'" + payload


def test_xlsx_keeps_formula_like_answers_as_text(staff_client, cohort):
    _app(cohort, "=1+1", traction="=cmd|' /C calc'!A0")
    header, row = _xlsx_rows(_export(staff_client, cohort, "xlsx"))
    values = dict(zip(header, row, strict=True))
    assert values["Startup"] == "=1+1"
    assert values["Traction"] == "=cmd|' /C calc'!A0"
    sheet = openpyxl.load_workbook(io.BytesIO(_export(staff_client, cohort, "xlsx").content)).active
    assert sheet.cell(row=2, column=2).data_type == "s"


@pytest.mark.parametrize("fmt", ["pdf", "xls", "CSV", "json"])
def test_unknown_formats_are_not_found(staff_client, cohort, fmt):
    assert _export(staff_client, cohort, fmt).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_export_is_recorded_in_the_audit_log(
    staff_client, programme_manager, cohort, two_applications, fmt
):
    response = _export(staff_client, cohort, fmt, state="submitted", q="alpha")
    if fmt == "csv":
        b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action="applications.exported")
    assert entry.actor == programme_manager
    assert (entry.target_type, entry.target_id) == ("programmes.cohort", str(cohort.pk))
    assert entry.data == {
        "format": fmt,
        "filters": {"state": "submitted", "q": "alpha"},
        "rows": 1,
    }


def test_export_query_count_does_not_grow_with_rows(staff_client, cohort, count_queries):
    _app(cohort, "First")

    def run():
        b"".join(_export(staff_client, cohort, "csv").streaming_content)
        _export(staff_client, cohort, "xlsx")

    run()
    one = count_queries(run)
    for n in range(20):
        _app(cohort, f"More {n}")
    assert count_queries(run) == one
