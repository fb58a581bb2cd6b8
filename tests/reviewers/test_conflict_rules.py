"""The automatic conflict rules and their recomputation."""

import pytest

from nurture.reviewers import services
from nurture.reviewers.conflicts import find, is_telling_domain, normalise_organisation
from nurture.reviewers.models import Conflict, ConflictSource
from tests import factories

from .helpers import reviewer


def test_organisation_names_agree_across_case_punctuation_and_legal_suffixes():
    assert normalise_organisation("Harbour Vision Co., Ltd.") == "harbour vision"
    assert normalise_organisation("HARBOUR-VISION LIMITED") == "harbour vision"
    assert normalise_organisation("Café Robotics Inc") == "cafe robotics"
    assert normalise_organisation("港灣視覺有限公司") == "港灣視覺"
    assert normalise_organisation("Ltd") == "ltd"


@pytest.mark.parametrize(
    ("domain", "telling"),
    [
        ("gmail.com", False),
        ("yahoo.com.hk", False),
        ("example.com", False),
        ("demo.nurture.example", False),
        ("hku.hk", True),
        ("harbourvision.hk", True),
    ],
)
def test_public_and_reserved_domains_say_nothing(domain, telling):
    assert is_telling_domain(domain) is telling


def _startup(**extra):
    return {"id": 1, "name": "Harbour Vision", "legal_name": "", "founders": [], **extra}


def _reviewer(**extra):
    return {
        "id": 7,
        "email": "r@lab.hk",
        "organisation": "",
        "affiliation": "",
        "past_companies": [],
        "holdings": set(),
        **extra,
    }


def test_affiliation_naming_the_startup_is_a_conflict():
    found = find([_reviewer(affiliation="Harbour Vision Limited")], [_startup()])
    assert found == {(7, 1, "organisation"): "Harbour Vision Limited"}


def test_affiliation_naming_a_founders_organisation_is_a_conflict():
    startup = _startup(founders=[{"email": "f@gmail.com", "organisation": "Kowloon University"}])
    found = find([_reviewer(affiliation="kowloon university")], [startup])
    assert found == {(7, 1, "organisation"): "kowloon university"}


def test_same_email_domain_as_a_founder_is_a_conflict_but_not_webmail():
    startup = _startup(founders=[{"email": "ceo@harbour.hk", "organisation": ""}])
    assert find([_reviewer(email="prof@harbour.hk")], [startup]) == {
        (7, 1, "email_domain"): "harbour.hk"
    }
    webmail = _startup(founders=[{"email": "ceo@gmail.com", "organisation": ""}])
    assert find([_reviewer(email="prof@gmail.com")], [webmail]) == {}


def test_equity_holding_is_a_conflict():
    assert find([_reviewer(holdings={1, 99})], [_startup()]) == {(7, 1, "equity"): ""}


def test_shared_past_company_is_a_conflict():
    startup = _startup(
        legal_name="HV Technologies Ltd",
        founders=[{"email": "a@b.hk", "organisation": "Old Robotics Co"}],
    )
    found = find([_reviewer(past_companies=["Nothing Inc", "old robotics"])], [startup])
    assert found == {(7, 1, "past_company"): "old robotics"}
    found = find([_reviewer(past_companies=["HV Technologies"])], [startup])
    assert found == {(7, 1, "past_company"): "HV Technologies"}


def test_unrelated_reviewer_has_no_conflict():
    startup = _startup(founders=[{"email": "ceo@harbour.hk", "organisation": "Harbour"}])
    assert find([_reviewer(affiliation="Peak University", past_companies=["X"])], [startup]) == {}


def _active(profile):
    return set(
        Conflict.objects.filter(reviewer=profile.user, lifted_at__isnull=True).values_list(
            "startup_id", "source"
        )
    )


def test_profile_save_finds_conflicts_and_lifts_those_that_no_longer_apply(db):
    startup, founder = factories.startup_with_founder(startup__name="Harbour Vision")
    manager = factories.ProgrammeManagerFactory()
    profile = reviewer()
    services.profile_update(
        user=profile.user, profile=profile, data={"affiliation": "Harbour Vision Ltd"}
    )
    assert _active(profile) == {(startup.pk, ConflictSource.SAME_ORGANISATION)}

    services.profile_update(user=manager, profile=profile, data={"affiliation": "Peak U"})
    assert _active(profile) == set()
    lifted = Conflict.objects.get(reviewer=profile.user)
    assert lifted.lifted_at is not None and lifted.lifted_by is None


def test_holdings_set_by_staff_make_an_equity_conflict(db):
    startup, _ = factories.startup_with_founder()
    profile = reviewer()
    manager = factories.ProgrammeManagerFactory()
    services.profile_update(user=manager, profile=profile, data={}, holdings=[startup])
    assert _active(profile) == {(startup.pk, ConflictSource.EQUITY)}


def test_submitting_an_application_runs_detection(db, django_capture_on_commit_callbacks):
    profile = reviewer(email="prof@harbour-labs.hk")
    startup, founder = factories.startup_with_founder(user__email="ceo@harbour-labs.hk")
    with django_capture_on_commit_callbacks(execute=True):
        factories.submitted(startup=startup)
    assert _active(profile) == {(startup.pk, ConflictSource.SAME_EMAIL_DOMAIN)}


def test_a_conflict_lifted_by_staff_is_not_found_again(db):
    startup, _ = factories.startup_with_founder(startup__name="Harbour Vision")
    profile = reviewer()
    profile.affiliation = "Harbour Vision"
    profile.save()
    services.conflicts_detect(reviewers=[profile.user])
    conflict = Conflict.objects.get(reviewer=profile.user)
    manager = factories.ProgrammeManagerFactory()
    services.conflict_lift(user=manager, conflict=conflict, reason="Left the company years ago.")

    assert services.conflicts_detect(reviewers=[profile.user]) == (0, 0)
    assert _active(profile) == set()


def test_lifting_needs_a_reason_and_staff(db):
    startup, _ = factories.startup_with_founder()
    profile = reviewer()
    conflict = services.conflict_declare(
        user=profile.user, reviewer=profile.user, startup=startup, reason="Former employer."
    )
    with pytest.raises(services.ReviewerError):
        services.conflict_lift(user=profile.user, conflict=conflict, reason="No longer.")
    manager = factories.ProgrammeManagerFactory()
    with pytest.raises(services.ReviewerError):
        services.conflict_lift(user=manager, conflict=conflict, reason="  ")
    conflict.refresh_from_db()
    assert conflict.lifted_at is None


def test_a_reviewer_cannot_declare_for_someone_else(db):
    startup, _ = factories.startup_with_founder()
    one, other = reviewer(), reviewer()
    with pytest.raises(services.ReviewerError):
        services.conflict_declare(user=one.user, reviewer=other.user, startup=startup)
    assert not Conflict.objects.exists()
