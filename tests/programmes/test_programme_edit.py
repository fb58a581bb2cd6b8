from decimal import Decimal

import pytest
from django.urls import reverse

from nurture.audit.models import AuditEntry
from nurture.programmes.models import BenefitItem
from tests import factories

RULES = [
    "name",
    "name_zh_hant",
    "organisation",
    "description",
    "cohorts_per_year",
    "min_startups_per_cohort",
    "max_startups_per_cohort",
    "yearly_cap",
    "length_months",
    "followon_name",
    "followon_months",
    "max_company_age_years",
    "min_team_size",
    "min_technical_share",
    "min_founder_equity",
]


@pytest.fixture
def programme(db):
    return factories.programme_default()


def _url(programme):
    return reverse("programmes:programme_edit", args=[programme.pk])


def _post_data(programme, **rules):
    """What the browser sends back for the page as shown, with some rules changed."""
    data = {
        f"rules-{name}": "" if getattr(programme, name) is None else str(getattr(programme, name))
        for name in RULES
    }
    if programme.requires_hk_presence:
        data["rules-requires_hk_presence"] = "on"
    if programme.is_active:
        data["rules-is_active"] = "on"
    data.update({f"rules-{k}": v for k, v in rules.items()})
    items = list(programme.benefits.order_by("position", "id"))
    data |= {
        "benefits-TOTAL_FORMS": str(len(items) + 1),
        "benefits-INITIAL_FORMS": str(len(items)),
        "benefits-MIN_NUM_FORMS": "0",
        "benefits-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        data |= {
            f"benefits-{i}-id": str(item.pk),
            f"benefits-{i}-programme": str(programme.pk),
            f"benefits-{i}-position": str(item.position),
            f"benefits-{i}-kind": item.kind,
            f"benefits-{i}-label": item.label,
            f"benefits-{i}-label_zh_hant": item.label_zh_hant,
            f"benefits-{i}-amount": "" if item.amount is None else str(item.amount),
            f"benefits-{i}-unit": item.unit,
            f"benefits-{i}-details": item.details,
            f"benefits-{i}-details_zh_hant": item.details_zh_hant,
        }
    return data, items


def _labels(programme):
    return list(programme.benefits.order_by("position").values_list("label", flat=True))


def test_programme_list_shows_the_rules(staff_client, programme):
    html = staff_client.get(reverse("programmes:programme_list")).content.decode()
    assert programme.name in html
    assert "6–10" in html
    assert _url(programme) in html


def test_the_edit_page_shows_rules_and_package(staff_client, programme):
    response = staff_client.get(_url(programme))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == programme.benefits.count() + 1
    assert "Seed funding" in response.content.decode()


def test_changes_the_rules_and_records_it(staff_client, programme_manager, programme):
    data, _items = _post_data(programme, yearly_cap="24", max_startups_per_cohort="12")
    response = staff_client.post(_url(programme), data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.yearly_cap, programme.max_startups_per_cohort) == (24, 12)
    entry = AuditEntry.objects.get(action="programme.updated")
    assert entry.actor == programme_manager
    assert entry.data == {"fields": ["max_startups_per_cohort", "yearly_cap"], "benefits": {}}


@pytest.mark.parametrize(
    ("rules", "field", "message"),
    [
        (
            {"min_startups_per_cohort": "11"},
            "max_startups_per_cohort",
            "The most startups per cohort cannot be fewer than the fewest.",
        ),
        (
            {"yearly_cap": "5"},
            "yearly_cap",
            "The yearly cap cannot be smaller than one full cohort.",
        ),
        ({"cohorts_per_year": "0"}, "cohorts_per_year", "This must be at least 1."),
        (
            {"min_technical_share": "140"},
            "min_technical_share",
            "Ensure this value is less than or equal to 100.",
        ),
    ],
)
def test_refuses_inconsistent_rules(staff_client, programme, rules, field, message):
    data, _items = _post_data(programme, **rules)
    response = staff_client.post(_url(programme), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    programme.refresh_from_db()
    assert programme.min_startups_per_cohort == 6
    assert not AuditEntry.objects.filter(action="programme.updated").exists()


def test_adds_edits_reorders_and_deletes_benefit_lines(staff_client, programme):
    data, items = _post_data(programme)
    before = [item.label for item in items]
    seed, credits = items[1], items[2]
    assert (seed.label, credits.label) == ("Seed funding", "Alibaba Cloud credits")
    n = len(items)
    data |= {
        # Edit the seed funding amount.
        "benefits-1-amount": "120000",
        # Move the cloud credits first.
        "benefits-2-position": "0",
        "benefits-0-position": "5",
        # Delete the last line.
        f"benefits-{n - 1}-DELETE": "on",
        # Add a line in the extra form.
        f"benefits-{n}-position": "99",
        f"benefits-{n}-kind": "other",
        f"benefits-{n}-label": "Investor demo day",
        f"benefits-{n}-unit": "",
    }
    response = staff_client.post(_url(programme), data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    expected = [
        "Alibaba Cloud credits",
        "Seed funding",
        "GPU compute",
        "Deep-learning platform access",
        "Free working space in the Lab",
        "Investor demo day",
    ]
    assert before[-1] not in expected
    assert _labels(programme) == expected
    positions = programme.benefits.order_by("position").values_list("position", flat=True)
    assert list(positions) == [0, 1, 2, 3, 4, 5]
    assert BenefitItem.objects.get(pk=seed.pk).amount == Decimal("120000")
    entry = AuditEntry.objects.get(action="programme.updated")
    assert entry.data["benefits"]["added"] == ["Investor demo day"]
    assert entry.data["benefits"]["removed"] == [before[-1]]
    assert entry.data["benefits"]["changed"] == ["Seed funding"]
    assert entry.data["benefits"]["order"] == expected


def test_a_benefit_line_needs_a_label(staff_client, programme):
    data, items = _post_data(programme)
    data |= {"benefits-0-label": ""}
    response = staff_client.post(_url(programme), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["label"] == ["This field is required."]
    assert _labels(programme)[0] == items[0].label


def test_a_negative_amount_is_refused(staff_client, programme):
    data, _items = _post_data(programme)
    data |= {"benefits-1-amount": "-5"}
    response = staff_client.post(_url(programme), data)
    assert response.status_code == 200
    assert not response.context["formset"].is_valid()
    assert programme.benefits.get(label="Seed funding").amount == Decimal("100000")


def test_a_line_of_another_programme_cannot_be_edited_through_this_one(staff_client, programme):
    other = factories.ProgrammeFactory()
    foreign = BenefitItem.objects.create(programme=other, kind="other", label="Theirs")
    data, items = _post_data(programme)
    data |= {"benefits-0-id": str(foreign.pk), "benefits-0-label": "Mine now"}
    staff_client.post(_url(programme), data)
    # Whatever becomes of the tampered line on this programme, the other one is untouched.
    foreign.refresh_from_db()
    assert (foreign.programme, foreign.label) == (other, "Theirs")


def test_programme_list_query_count_does_not_grow(staff_client, programme, count_queries):
    url = reverse("programmes:programme_list")
    staff_client.get(url)
    one = count_queries(lambda: staff_client.get(url))
    for _n in range(4):
        other = factories.ProgrammeFactory()
        BenefitItem.objects.create(programme=other, kind="other", label="Line")
    assert count_queries(lambda: staff_client.get(url)) == one


@pytest.mark.parametrize("value", ["not-a-number", "999999999", "-1"])
def test_a_tampered_line_id_is_refused_with_the_form_shown_again(staff_client, programme, value):
    data, _items = _post_data(programme)
    data |= {"benefits-0-id": value}
    response = staff_client.post(_url(programme), data)
    assert response.status_code == 200
    assert not response.context["formset"].is_valid()
    assert programme.benefits.get(label="Seed funding").amount == Decimal("100000")
