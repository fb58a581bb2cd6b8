"""Inputs that once answered 500, found by the fuzzers; each must now be a clear 4xx."""

import pytest

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/programmes", "/cohorts", "/calls", "/sectors"])
def test_a_page_number_past_the_database_integer_range_is_refused(path):
    response = ApiClient().get(f"{path}?page={10**20}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page"


def test_the_last_allowed_page_is_simply_empty():
    response = ApiClient().get("/sectors?page=1000000&page_size=100")
    assert response.status_code == 200
    assert response.json()["items"] == []
