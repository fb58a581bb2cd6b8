"""Security headers on every kind of response, and the production settings."""

import base64
import os
import secrets
import subprocess
import sys

import pytest

from nurture.accounts.services import api_token_create
from tests import factories

STRICT_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "font-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, str]:
    parts = (part.strip() for part in response["Content-Security-Policy"].split(";"))
    return dict(part.split(" ", 1) for part in parts if part)


def assert_page_headers(response) -> None:
    assert policy(response) == STRICT_CSP
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_home_page_has_the_strict_policy_and_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_page_headers(response)


def test_a_signed_in_page_has_the_strict_policy_and_headers(client, founder):
    client.force_login(founder)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert_page_headers(response)


@pytest.mark.django_db
def test_the_api_docs_need_no_relaxation_of_the_policy(client):
    """Ninja's packaged Swagger UI loads its settings from a JSON block and its code from
    static files: nothing inline runs, so the docs page keeps the site's policy."""
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert_page_headers(response)
    html = response.content.decode()
    assert '<script type="application/json" id="swagger-settings">' in html
    assert "<style" not in html and " style=" not in html


@pytest.mark.django_db
def test_api_responses_have_the_headers():
    from tests.api.conftest import ApiClient

    founder = factories.FounderFactory()
    _token, key = api_token_create(user=founder, name="t")
    response = ApiClient(key).get("/me")
    assert response.status_code == 200
    assert_page_headers(response)


@pytest.mark.django_db
def test_a_pitch_deck_download_is_sandboxed(client):
    application = factories.submitted()
    client.force_login(application.startup.members.get())
    response = client.get(f"/applications/{application.pk}/pitch-deck/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Frame-Options"] == "DENY"
    response.close()


def test_no_template_carries_an_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "nurture"
    offenders = []
    for template in root.glob("**/templates/**/*.html"):
        html = template.read_text()
        for needle in ("<style", " style=", " onclick=", " onload=", " onchange=", "javascript:"):
            if needle in html:
                offenders.append(f"{template.relative_to(root)}: {needle.strip()}")
        for line in html.splitlines():
            if "<script" in line and "src=" not in line and "application/json" not in line:
                offenders.append(f"{template.relative_to(root)}: {line.strip()}")
    assert offenders == []


def production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_"))
        and key not in {"DEBUG", "SECRET_KEY", "SITE_URL", "ALLOWED_HOSTS", "SECURE_COOKIES"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        # Production keeps the field-encryption keys apart from SECRET_KEY (funding.W001).
        FIELD_ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        SITE_URL="https://nurture.example.org",
        ALLOWED_HOSTS="nurture.example.org",
        NURTURE_VAR_DIR=str(tmp_path),
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nurture.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_is_clean_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_turn_on_https_protections(tmp_path):
    script = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    result = manage(production_env(tmp_path), "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    # Django's shell may first say how many models it imported.
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "True", "31536000", "True"]


def test_production_refuses_to_start_with_the_development_key(tmp_path):
    result = manage(production_env(tmp_path, SECRET_KEY=None), "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "development key is public" in result.stderr


def test_the_development_key_still_serves_development(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=None, SITE_URL="http://127.0.0.1:8000")
    result = manage(env, "check")
    assert result.returncode == 0, result.stderr
