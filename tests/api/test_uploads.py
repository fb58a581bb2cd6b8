"""Pitch decks through the API: PDF by content, size limit, base name only, download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories

from .conftest import drain


@pytest.fixture
def founder_api(world, as_user):
    return as_user(world["users"]["founder"])


def _deck(application):
    application.refresh_from_db()
    return application.pitch_deck.name, application.pitch_deck_name


@pytest.mark.parametrize("method", ["post", "put"])
def test_a_founder_uploads_a_pdf(world, founder_api, method):
    application = world["application"]
    pdf = factories.pdf_bytes(pages=3)

    response = founder_api.upload(
        f"/applications/{application.pk}/pitch-deck",
        SimpleUploadedFile("Our deck.pdf", pdf, content_type="application/pdf"),
        method=method,
    )

    assert response.status_code == 200, response.content
    assert response.json()["pitch_deck"] == {"name": "Our deck.pdf", "size": len(pdf)}
    download = founder_api.get(f"/applications/{application.pk}/pitch-deck")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Our deck.pdf"'
    assert drain(download) == pdf


def test_a_renamed_non_pdf_is_refused(world, founder_api):
    application = world["application"]
    before = _deck(application)
    fake = SimpleUploadedFile(
        "deck.pdf", b"PK\x03\x04" + b"\x00" * 2000, content_type="application/pdf"
    )

    response = founder_api.upload(f"/applications/{application.pk}/pitch-deck", fake)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "not_pdf"
    assert [e["field"] for e in body["errors"]] == ["pitch_deck"]
    assert _deck(application) == before


def test_a_damaged_pdf_is_refused(world, founder_api):
    application = world["application"]
    broken = SimpleUploadedFile("deck.pdf", b"%PDF-1.7\n" + b"garbage" * 100)

    response = founder_api.upload(f"/applications/{application.pk}/pitch-deck", broken)

    assert response.status_code == 422
    assert response.json()["code"] == "damaged"


def test_an_oversized_file_is_refused(world, founder_api, settings):
    settings.MAX_UPLOAD_MB = 1
    application = world["application"]
    before = _deck(application)
    pdf = factories.pdf_bytes()
    big = SimpleUploadedFile("big.pdf", pdf + b"\n%" + b"0" * (1024 * 1024))

    response = founder_api.upload(f"/applications/{application.pk}/pitch-deck", big)

    assert response.status_code == 422
    assert response.json()["code"] == "too_large"
    assert _deck(application) == before


@pytest.mark.parametrize(
    "name",
    ["../../etc/Pitch.pdf", "/var/www/Pitch.pdf", "C:\\Users\\ana\\Pitch.pdf", "..\\..\\Pitch.pdf"],
)
def test_a_file_name_with_path_parts_is_stored_as_its_base_name(world, founder_api, name):
    application = world["application"]

    response = founder_api.upload(
        f"/applications/{application.pk}/pitch-deck", factories.pdf_upload(name)
    )

    assert response.status_code == 200, response.content
    assert response.json()["pitch_deck"]["name"] == "Pitch.pdf"
    stored, given = _deck(application)
    assert given == "Pitch.pdf"
    # The stored path is chosen by the server, never by the client.
    assert stored.startswith(f"pitch-decks/{application.cohort_id}/")
    assert ".." not in stored and "Pitch" not in stored


def test_an_upload_without_the_file_field_is_refused(world, founder_api):
    application = world["application"]

    response = founder_api.upload(
        f"/applications/{application.pk}/pitch-deck", factories.pdf_upload(), field="deck"
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "pitch_deck"


def test_a_json_body_is_not_an_upload(world, founder_api):
    response = founder_api.post(f"/applications/{world['application'].pk}/pitch-deck", {"a": 1})

    assert response.status_code == 422


def test_an_application_without_a_deck_has_nothing_to_download(world, founder_api):
    application = world["application"]
    type(application).objects.filter(pk=application.pk).update(pitch_deck="")

    response = founder_api.get(f"/applications/{application.pk}/pitch-deck")

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["post", "put"])
def test_a_malformed_multipart_body_is_a_client_error(world, founder_api, method):
    response = getattr(founder_api.client, method)(
        f"/api/applications/{world['application'].pk}/pitch-deck",
        b"garbage",
        content_type="multipart/form-data",
        headers=founder_api.headers,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
