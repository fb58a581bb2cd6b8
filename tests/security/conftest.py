import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """API rate-limit history lives in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()
