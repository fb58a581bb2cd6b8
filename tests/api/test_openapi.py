"""The OpenAPI document and the interactive docs, which work without internet access."""

from django.contrib.staticfiles import finders
from django.test import Client

# The foundation's paths; later areas add theirs, each walked for every role by
# tests/api/test_permissions.py, which fails for an operation without a row.
PATHS = {
    "/api/me",
    "/api/programmes",
    "/api/programmes/{programme_id}",
    "/api/cohorts",
    "/api/cohorts/{cohort_id}",
    "/api/calls",
    "/api/calls/{call_id}",
    "/api/sectors",
    "/api/startups",
    "/api/startups/{startup_id}",
    "/api/applications",
    "/api/applications/{application_id}",
    "/api/applications/{application_id}/submit",
    "/api/applications/{application_id}/withdraw",
    "/api/applications/{application_id}/reopen",
    "/api/applications/{application_id}/pitch-deck",
}


def test_the_openapi_document_lists_the_foundations_paths(db):
    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert set(document["paths"]) >= PATHS
    assert all(path.startswith("/api/") for path in document["paths"])
    assert set(document["paths"]["/api/applications/{application_id}/pitch-deck"]) == {
        "get",
        "post",
        "put",
    }
    assert set(document["paths"]["/api/startups/{startup_id}"]) == {"get", "patch"}


def test_the_openapi_document_declares_token_and_session_auth(db):
    document = Client().get("/api/openapi.json").json()

    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"]["scheme"] == "bearer"
    assert schemes["SessionAuth"]["in"] == "cookie"
    # Public reads need no authentication.
    assert "security" not in document["paths"]["/api/calls"]["get"]
    assert "security" in document["paths"]["/api/applications"]["get"]


def test_the_docs_page_loads_its_assets_from_this_site(db):
    response = Client().get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/api/openapi.json" in html
    assert "cdn." not in html and "https://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert finders.find(f"ninja/{asset}") is not None
