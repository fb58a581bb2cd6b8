"""The current calls come from the cache, and every change to them shows at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nurture.programmes import selectors
from nurture.programmes.models import Call
from tests import factories

pytestmark = pytest.mark.django_db


def titles(calls):
    return [call.display_title for call in calls]


def test_a_second_read_runs_no_query(django_assert_num_queries):
    call = factories.CallFactory()
    with django_assert_num_queries(1):
        assert selectors.calls_current() == [call]
    with django_assert_num_queries(0):
        assert selectors.calls_open() == [call]
        assert selectors.calls_current()[0].cohort.programme.pk == call.cohort.programme_id


def test_new_edited_and_deleted_calls_show_at_once():
    first = factories.CallFactory(closes_at=timezone.now() + timedelta(days=3))
    assert titles(selectors.calls_current()) == [first.title]
    second = factories.CallFactory(closes_at=timezone.now() + timedelta(days=2))
    assert titles(selectors.calls_current()) == [second.title, first.title]
    first.title = "A new title"
    first.closes_at = timezone.now() + timedelta(days=1)
    first.save()
    assert titles(selectors.calls_current()) == ["A new title", second.title]
    second.delete()
    assert titles(selectors.calls_current()) == ["A new title"]


def test_a_renamed_cohort_or_programme_shows_at_once():
    call = factories.CallFactory()
    assert selectors.calls_current()[0].cohort.name == call.cohort.name
    call.cohort.name = "Renamed cohort"
    call.cohort.save()
    assert selectors.calls_current()[0].cohort.name == "Renamed cohort"
    programme = call.cohort.programme
    programme.name = "Renamed programme"
    programme.save()
    assert selectors.calls_current()[0].cohort.programme.name == "Renamed programme"


def test_calls_open_and_close_by_the_clock_without_waiting_for_the_cache(monkeypatch):
    now = timezone.now()
    closing = factories.CallFactory(closes_at=now + timedelta(minutes=5))
    opening = factories.CallFactory(
        opens_at=now + timedelta(minutes=1), closes_at=now + timedelta(days=9)
    )
    assert selectors.calls_current() == [closing, opening]
    assert selectors.calls_open() == [closing]
    later = now + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert Call.objects.count() == 2
    assert selectors.calls_current() == [opening]
    assert selectors.calls_open() == [opening]
