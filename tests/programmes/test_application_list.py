import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from nurture.applications.models import ApplicationState, Stage
from nurture.programmes.models import Sector
from tests import factories


def _url(cohort, **params):
    from urllib.parse import urlencode

    base = reverse("programmes:application_list", args=[cohort.pk])
    return f"{base}?{urlencode(params)}" if params else base


def _names(response) -> list[str]:
    """The startups in the table's rows, top to bottom."""
    rows = "".join(response.context["applications"])
    return [html.unescape(name) for name in re.findall(r'class="fw-semibold">([^<]*)</a>', rows)]


def _app(cohort, name, **kwargs):
    startup = factories.MemberFactory(startup__name=name).startup
    kwargs.setdefault("state", ApplicationState.SUBMITTED)
    kwargs.setdefault("pitch_deck", "")  # no file to write: faster, and the list never shows it
    return factories.ApplicationFactory(cohort=cohort, startup=startup, **kwargs)


@pytest.fixture
def sectors(db):
    return {s.slug: s for s in Sector.objects.all()}


def test_lists_only_the_cohorts_applications_and_leaves_drafts_out_by_default(staff_client, cohort):
    _app(cohort, "Alpha")
    _app(cohort, "Draft Co", state=ApplicationState.DRAFT)
    factories.submitted()  # another cohort
    response = staff_client.get(_url(cohort))
    assert response.status_code == 200
    assert _names(response) == ["Alpha"]
    assert response.context["state_counts"][0] == ("draft", "Draft", 1, "?state=draft")


def test_drafts_are_listed_when_asked_for(staff_client, cohort):
    _app(cohort, "Alpha")
    _app(cohort, "Draft Co", state=ApplicationState.DRAFT)
    assert _names(staff_client.get(_url(cohort, state="draft"))) == ["Draft Co"]
    assert sorted(_names(staff_client.get(_url(cohort, state="all")))) == ["Alpha", "Draft Co"]


def test_filters_by_sector_state_and_stage(staff_client, cohort, sectors):
    _app(cohort, "Fin", sector=sectors["fintech"], stage=Stage.MVP)
    _app(cohort, "Retail idea", sector=sectors["retail"], stage=Stage.IDEA)
    _app(
        cohort,
        "Retail growth",
        sector=sectors["retail"],
        stage=Stage.GROWTH,
        state=ApplicationState.WITHDRAWN,
    )
    assert _names(staff_client.get(_url(cohort, sector="fintech"))) == ["Fin"]
    assert sorted(_names(staff_client.get(_url(cohort, sector="retail")))) == [
        "Retail growth",
        "Retail idea",
    ]
    assert _names(staff_client.get(_url(cohort, sector="retail", stage="idea"))) == ["Retail idea"]
    assert _names(staff_client.get(_url(cohort, state="withdrawn"))) == ["Retail growth"]


def test_counts_per_state_follow_the_other_filters(staff_client, cohort, sectors):
    _app(cohort, "A", sector=sectors["fintech"])
    _app(cohort, "B", sector=sectors["fintech"], state=ApplicationState.WITHDRAWN)
    _app(cohort, "C", sector=sectors["retail"])
    counts = {
        state: n
        for state, _label, n, _link in staff_client.get(
            _url(cohort, sector="fintech", state="submitted")
        ).context["state_counts"]
    }
    assert counts == {
        "draft": 0,
        "submitted": 1,
        "withdrawn": 1,
        "under_review": 0,
        "shortlisted": 0,
        "accepted": 0,
        "waitlisted": 0,
        "rejected": 0,
    }


def test_search_finds_name_product_ai_and_founders_email(staff_client, cohort):
    _app(cohort, "Skyline Analytics")
    _app(cohort, "Other", product_description="Robotic street sweepers")
    _app(cohort, "Third", ai_description="Graph neural networks for supply chains")
    fourth = _app(cohort, "Fourth")
    founder = fourth.startup.members.get()
    founder.email = "ada.lovelace@engine.example"
    founder.save()
    assert _names(staff_client.get(_url(cohort, q="skyline"))) == ["Skyline Analytics"]
    assert _names(staff_client.get(_url(cohort, q="sweepers"))) == ["Other"]
    assert _names(staff_client.get(_url(cohort, q="graph neural"))) == ["Third"]
    assert _names(staff_client.get(_url(cohort, q="lovelace@engine"))) == ["Fourth"]
    assert _names(staff_client.get(_url(cohort, q="nothing-like-this"))) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("startup", ["Alpha", "Beta", "Gamma"]),
        ("-startup", ["Gamma", "Beta", "Alpha"]),
        ("funding", ["Beta", "Gamma", "Alpha"]),
        ("-funding", ["Alpha", "Gamma", "Beta"]),
        ("team", ["Gamma", "Alpha", "Beta"]),
        ("stage", ["Gamma", "Beta", "Alpha"]),
        ("-stage", ["Alpha", "Beta", "Gamma"]),
        ("state", ["Alpha", "Beta", "Gamma"]),
        ("sector", ["Beta", "Alpha", "Gamma"]),
    ],
)
def test_sorts_by_the_clicked_column(staff_client, cohort, sectors, sort, expected):
    _app(
        cohort,
        "Alpha",
        funding_raised_usd=Decimal("900000"),
        team_size=5,
        stage=Stage.GROWTH,
        sector=sectors["healthcare"],
    )
    _app(
        cohort,
        "Beta",
        funding_raised_usd=Decimal("1000"),
        team_size=9,
        stage=Stage.MVP,
        sector=sectors["fintech"],
        state=ApplicationState.WITHDRAWN,
    )
    _app(
        cohort,
        "Gamma",
        funding_raised_usd=Decimal("50000"),
        team_size=2,
        stage=Stage.IDEA,
        sector=sectors["retail"],
        state=ApplicationState.ACCEPTED,
    )
    response = staff_client.get(_url(cohort, sort=sort))
    assert _names(response) == expected
    header = 'aria-sort="descending"' if sort.startswith("-") else 'aria-sort="ascending"'
    assert response.content.decode().count(header) == 1


def test_an_unknown_sort_or_filter_value_falls_back_to_the_default(staff_client, cohort):
    _app(cohort, "Alpha")
    response = staff_client.get(_url(cohort, sort="password", state="nope", sector="nope"))
    assert response.status_code == 200
    assert _names(response) == ["Alpha"]


def test_pages_of_fifty(staff_client, cohort):
    for n in range(53):
        _app(cohort, f"Startup {n:02d}")
    first = staff_client.get(_url(cohort, sort="startup"))
    assert len(_names(first)) == 50
    assert _names(first)[0] == "Startup 00"
    second = staff_client.get(_url(cohort, sort="startup", page=2))
    assert _names(second) == ["Startup 50", "Startup 51", "Startup 52"]
    assert "Page 2 of 2" in second.content.decode()
    # The page links keep the sort and go to the neighbouring page only.
    assert first.context["next_href"] == "?sort=startup&page=2"
    assert first.context["previous_href"] == ""
    assert second.context["previous_href"] == "?sort=startup&page=1"
    assert 'href="?sort=startup&amp;page=1"' in second.content.decode()


def test_htmx_request_gets_only_the_table(staff_client, cohort):
    _app(cohort, "Alpha")
    full = staff_client.get(_url(cohort)).content.decode()
    fragment = staff_client.get(_url(cohort), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" in full and 'id="applications-table"' in full
    assert "<html" not in html
    assert "<table" in html
    assert "Alpha" in html
    assert "HX-Request" in fragment["Vary"]


def test_the_page_works_without_javascript(staff_client, cohort):
    _app(cohort, "Alpha")
    html = staff_client.get(_url(cohort)).content.decode()
    # A plain GET form with a submit button, and plain links for sorting and pages.
    assert 'method="get"' in html
    assert 'type="submit"' in html
    assert 'href="?sort=startup"' in html
    assert 'hx-get="?sort=startup"' in html
    assert 'hx-target="#applications-table"' in html
    assert 'hx-push-url="true"' in html


def test_list_query_count_does_not_grow_with_rows(staff_client, cohort, count_queries):
    fintech = Sector.objects.get(slug="fintech")
    _app(cohort, "Only one", sector=fintech)
    url = _url(cohort, q="o", sector="fintech")
    staff_client.get(url)  # warm up (session, content types)
    one = count_queries(lambda: staff_client.get(url))
    one_plain = count_queries(lambda: staff_client.get(_url(cohort)))
    for n in range(30):
        _app(cohort, f"Other {n}", sector=fintech)
    many = count_queries(lambda: staff_client.get(url))
    many_plain = count_queries(lambda: staff_client.get(_url(cohort)))
    assert one == many
    assert one_plain == many_plain


def test_submission_times_are_shown_in_hong_kong_time(staff_client, cohort):
    from datetime import UTC, datetime

    _app(cohort, "Alpha", submitted_at=datetime(2030, 1, 5, 17, 30, tzinfo=UTC))
    html = staff_client.get(_url(cohort)).content.decode()
    assert "6 Jan 2030, 01:30" in html


def test_the_list_renders_in_traditional_chinese(staff_client, cohort, settings):
    _app(cohort, "Alpha")
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    response = staff_client.get(_url(cohort))
    assert response.status_code == 200
    assert '<html lang="zh-Hant">' in response.content.decode()


def test_state_links_keep_the_other_filters_and_return_to_the_first_page(staff_client, db):
    cohort = factories.CallFactory().cohort
    _app(cohort, "A")
    response = staff_client.get(_url(cohort, sector="fintech", q="x", page="2"))
    html_text = response.content.decode()
    assert 'href="?sector=fintech&amp;q=x" aria-current="true">All but drafts' in html_text
    assert 'href="?sector=fintech&amp;q=x&amp;state=all">All states' in html_text
    assert 'href="?sector=fintech&amp;q=x&amp;state=draft">Draft' in html_text


def test_a_new_sector_appears_in_the_filter_at_once(staff_client, db):
    cohort = factories.CallFactory().cohort
    staff_client.get(_url(cohort))  # the taxonomy is now cached
    factories.SectorFactory(name="Agritech", slug="agritech")
    assert (
        '<option value="agritech">Agritech</option>'
        in staff_client.get(_url(cohort)).content.decode()
    )


def test_names_are_escaped_in_the_rows_built_in_python(staff_client, db):
    cohort = factories.CallFactory().cohort
    _app(cohort, '<script>alert("x")</script> & Co')
    body = staff_client.get(_url(cohort)).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in body


def test_dates_follow_the_language(staff_client, db):
    from datetime import UTC, datetime

    cohort = factories.CallFactory().cohort
    _app(cohort, "A", submitted_at=datetime(2030, 1, 5, 17, 30, tzinfo=UTC))
    assert "6 Jan 2030, 01:30" in staff_client.get(_url(cohort)).content.decode()
    staff_client.cookies["django_language"] = "zh-hant"
    assert "2030年1月6日 01:30" in staff_client.get(_url(cohort)).content.decode()


def test_the_usual_cohort_name_is_shown_in_the_readers_language(db):
    from django.utils import translation

    from nurture.programmes.models import Cohort

    cohort = factories.CohortFactory(year=2031, intake="spring", name="2031 Spring")
    custom = Cohort(year=2031, intake="autumn", name="Autumn pilot")
    with translation.override("zh-hant"):
        assert cohort.display_name == f"2031 {translation.gettext('Spring')}"
        assert cohort.display_name != "2031 Spring"
        assert custom.display_name == "Autumn pilot"
    assert cohort.display_name == "2031 Spring"
