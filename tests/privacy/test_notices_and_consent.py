import pytest
from django.urls import reverse

from nurture.privacy.models import ConsentRecord, NoticeKind, PrivacyNotice
from nurture.privacy.services import (
    consent_record,
    marketing_consent_given,
    marketing_consent_set,
    notice_current,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_collection_statement_names_purpose_recipients_and_rights(client):
    body = client.get(reverse("privacy:notice", args=["collection"])).content.decode()
    for phrase in ("Purpose.", "Who may see it.", "Your rights.", "Version 2026-11"):
        assert phrase in body


def test_the_statement_is_shown_in_traditional_chinese(client):
    client.cookies["django_language"] = "zh-hant"
    body = client.get(reverse("privacy:notice", args=["collection"])).content.decode()
    assert "收集個人資料聲明" in body


def test_an_unknown_notice_is_not_found(client):
    assert client.get(reverse("privacy:notice", args=["nothing"])).status_code == 404


def test_a_newer_version_becomes_the_current_notice_and_is_recorded_with_consent():
    newer = PrivacyNotice.objects.create(
        kind=NoticeKind.COLLECTION,
        version="2027-01",
        title_en="t",
        title_zh_hant="t",
        body_en="b",
        body_zh_hant="b",
    )
    assert notice_current(kind=NoticeKind.COLLECTION) == newer
    user = factories.FounderFactory()
    record = consent_record(user=user, kind=NoticeKind.COLLECTION, granted=True, context="test")
    assert (record.notice.version, record.granted, record.context) == ("2027-01", True, "test")


def test_marketing_consent_is_off_by_default_and_changes_are_appended():
    user = factories.FounderFactory()
    assert marketing_consent_given(user=user) is False
    marketing_consent_set(user=user, granted=True, context="profile")
    assert marketing_consent_set(user=user, granted=True, context="profile") is None
    marketing_consent_set(user=user, granted=False, context="email-link")
    assert marketing_consent_given(user=user) is False
    history = list(
        ConsentRecord.objects.filter(user=user)
        .order_by("at", "id")
        .values_list("granted", "context")
    )
    assert history == [(True, "profile"), (False, "email-link")]
