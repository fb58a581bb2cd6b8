"""The privacy lists make as many queries for many rows as for one."""

import pytest
from django.urls import reverse

from nurture.privacy import services
from nurture.privacy.models import (
    Audience,
    DeliveryStatus,
    MarketingDelivery,
    MarketingKind,
    MarketingMessage,
    RequestKind,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _message() -> MarketingMessage:
    return MarketingMessage.objects.create(
        kind=MarketingKind.NEWSLETTER,
        audience=Audience.FOUNDERS,
        subject_en="News",
        subject_zh_hant="消息",
        body_en="Body",
        body_zh_hant="內容",
    )


def _queries(client, count_queries, url) -> int:
    def fetch():
        assert client.get(url).status_code == 200

    return count_queries(fetch)


def _grow(make, rows):
    for _ in range(rows):
        make()


@pytest.mark.parametrize(
    ("url", "make"),
    [
        (lambda m: reverse("privacy:marketing_list"), lambda m: _message()),
        (
            lambda m: reverse("privacy:request_queue"),
            lambda m: services.data_request_create(
                user=factories.FounderFactory(), kind=RequestKind.ACCESS
            ),
        ),
        (
            lambda m: reverse("privacy:marketing_detail", args=[m.pk]),
            lambda m: MarketingDelivery.objects.create(
                message=m, user=factories.FounderFactory(), status=DeliveryStatus.REFUSED
            ),
        ),
    ],
    ids=["marketing list", "request queue", "marketing recipients"],
)
def test_staff_lists_do_not_grow_with_rows(client, count_queries, url, make):
    message = _message()
    client.force_login(factories.ProgrammeManagerFactory())
    make(message)
    one = _queries(client, count_queries, url(message))
    _grow(lambda: make(message), 5)

    assert _queries(client, count_queries, url(message)) == one


def test_a_persons_request_list_does_not_grow_with_rows(client, count_queries):
    founder = factories.FounderFactory()
    client.force_login(founder)
    services.data_request_create(user=founder, kind=RequestKind.ACCESS)
    one = _queries(client, count_queries, reverse("privacy:my_requests"))
    for _ in range(2):
        services.data_request_create(user=founder, kind=RequestKind.ACCESS)
        services.data_request_create(
            user=founder, kind=RequestKind.CORRECTION, field="other", details="x"
        )

    assert _queries(client, count_queries, reverse("privacy:my_requests")) == one


def test_the_staff_pages_render_in_traditional_chinese(client):
    message = _message()
    founder = factories.FounderFactory()
    MarketingDelivery.objects.create(message=message, user=founder, status=DeliveryStatus.SENT)
    request = services.data_request_create(user=founder, kind=RequestKind.ACCESS)
    client.force_login(factories.ProgrammeManagerFactory())
    client.cookies["django_language"] = "zh-hant"

    for url in (
        reverse("privacy:marketing_list"),
        reverse("privacy:marketing_detail", args=[message.pk]),
        reverse("privacy:marketing_create"),
        reverse("privacy:request_queue"),
        reverse("privacy:request_detail", args=[request.pk]),
        reverse("privacy:retention"),
        reverse("privacy:my_requests"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'lang="zh-Hant"' in response.content.decode()
