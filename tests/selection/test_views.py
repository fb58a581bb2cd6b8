import re

import pytest
from django.core import mail
from django.urls import reverse

from nurture.applications.models import ApplicationState
from nurture.selection.models import (
    Decision,
    MarkKind,
    OfferResponse,
    Outcome,
    Proposal,
    ProposalState,
    SectorCap,
)
from nurture.selection.scores import round_scores
from tests import factories

from .conftest import cohort_with_applications, real_reviews

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    cohort, apps = cohort_with_applications(12)
    merits = [1.5 + 0.25 * i for i in range(12)]
    review_round, reviewers = real_reviews(cohort, apps, merits, leniency=[0.8, 0, 0, -0.5, 0])
    return cohort, apps, review_round, reviewers


def test_round_scores_reads_only_submitted_complete_reviews(scored):
    from nurture.reviews.models import Review, ReviewState

    cohort, apps, review_round, _ = scored
    Review.objects.filter(pk=Review.objects.first().pk).update(state=ReviewState.DRAFT)
    Review.objects.filter(pk=Review.objects.last().pk).update(weighted_total=None)

    assert len(round_scores(review_round)) == 12 * 3 - 2


def test_calibration_page_shows_raw_beside_calibrated_and_reviewer_effects(client, scored):
    cohort, apps, review_round, reviewers = scored
    client.force_login(factories.ProgrammeManagerFactory())

    response = client.get(reverse("selection:calibration", args=[review_round.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Raw mean" in body and "Calibrated" in body
    assert reviewers[0].full_name in body  # staff see who is lenient
    result = response.context["result"]
    effect = {e.reviewer_id: e.leniency for e in result.reviewers}
    assert effect[reviewers[0].pk] > 0 > effect[reviewers[3].pk]


def test_disagreement_is_flagged_for_discussion(client):
    cohort, apps = cohort_with_applications(10)
    review_round, reviewers = real_reviews(cohort, apps, [3] * 10)
    from nurture.reviews.models import Review

    first = Review.objects.filter(assignment__application=apps[0]).order_by("pk")
    Review.objects.filter(pk=first[0].pk).update(weighted_total=1)
    Review.objects.filter(pk=first[1].pk).update(weighted_total=5)
    client.force_login(factories.ProgrammeManagerFactory())

    response = client.get(reverse("selection:calibration", args=[review_round.pk]))

    flagged = {row.application_id for row in response.context["result"].applications if row.flagged}
    assert flagged == {apps[0].pk}


def test_the_whole_journey_through_the_pages(client, scored, django_capture_on_commit_callbacks):
    cohort, apps, review_round, reviewers = scored
    manager = factories.ProgrammeManagerFactory()
    client.force_login(manager)
    page = client.get(reverse("selection:cohort", args=[cohort.pk]))
    assert page.status_code == 200
    # Shortlist the top ten by calibrated score.
    top = [row["application"].pk for row in page.context["rows"][:11]]
    response = client.post(reverse("selection:shortlist", args=[cohort.pk]), {"application": top})
    assert response.status_code == 302
    assert cohort.applications.filter(state=ApplicationState.SHORTLISTED).count() == 11

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("selection:proposal_run", args=[cohort.pk]))
    proposal = Proposal.objects.get()
    assert response.url == reverse("selection:proposal", args=[proposal.pk])
    assert proposal.state == ProposalState.DONE
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"Proposed for a place" in page.content and b"Binding constraints" in page.content

    response = client.post(reverse("selection:decide", args=[proposal.pk]), {})
    assert response.status_code == 302
    assert Decision.objects.filter(outcome=Outcome.ACCEPTED).count() == 10
    # Nothing is visible to founders before sending.
    founder = apps[-1].startup.members.get()
    client.force_login(founder)
    assert (
        b"selection committee"
        not in client.get(reverse("applications:detail", args=[apps[-1].pk])).content
    )

    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("selection:send", args=[cohort.pk]))
    assert len(mail.outbox) == 12

    client.force_login(founder)
    page = client.get(reverse("applications:detail", args=[apps[-1].pk]))
    body = page.content.decode()
    assert "is offered a place" in body
    assert "Feedback for the founders" in body
    # No reviewer identities, staff comments or scores.
    for reviewer in reviewers:
        assert reviewer.full_name not in body and reviewer.email not in body
    assert "Staff-only remark" not in body
    assert not re.search(r"\b\d\.\d{3}\b", body)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("selection:offer", args=[apps[-1].pk]), {"action": "confirm"}
        )
    assert response.status_code == 302
    assert Decision.objects.get(application=apps[-1]).response == OfferResponse.CONFIRMED


def test_changed_decision_without_reason_is_refused_and_nothing_saved(client, scored):
    cohort, apps, *_ = scored
    manager = factories.ProgrammeManagerFactory()
    client.force_login(manager)
    client.post(reverse("selection:proposal_run", args=[cohort.pk]))
    proposal = Proposal.objects.get()
    proposal.refresh_from_db()
    if proposal.state == ProposalState.QUEUED:  # on_commit did not run inside the test
        from nurture.selection.services import proposal_compute

        proposal = proposal_compute(proposal_id=proposal.pk)
    rejected = proposal.candidates.filter(outcome=Outcome.WAITLISTED).first()

    response = client.post(
        reverse("selection:decide", args=[proposal.pk]),
        {f"outcome_{rejected.application_id}": "rejected"},
        follow=True,
    )

    assert b"Give a reason" in response.content
    assert not Decision.objects.exists()
    response = client.post(
        reverse("selection:decide", args=[proposal.pk]), {"outcome_x": "accepted"}, follow=True
    )
    assert b"unknown application" in response.content
    response = client.post(
        reverse("selection:decide", args=[proposal.pk]),
        {f"outcome_{rejected.application_id}": "maybe", f"reason_{rejected.application_id}": "x"},
        follow=True,
    )
    assert b"Unknown decision" in response.content
    assert not Decision.objects.exists()


def test_settings_refuse_bad_values_and_save_caps(client):
    cohort, _ = cohort_with_applications(1)
    sector = factories.SectorFactory()
    client.force_login(factories.ProgrammeManagerFactory())
    url = reverse("selection:settings", args=[cohort.pk])
    base = {
        "funding_pool_usd": "",
        "offer_days": "14",
        "disagreement_threshold": "1.00",
        "bootstrap_rounds": "50",
        "waitlist_size": "5",
    }

    bad = client.post(url, {**base, "offer_days": "0", f"cap_{sector.pk}": "-1"})
    assert bad.status_code == 200
    assert bad.context["form"].errors.keys() == {"offer_days", f"cap_{sector.pk}"}
    assert not SectorCap.objects.exists()

    good = client.post(
        url,
        {**base, f"cap_{sector.pk}": "2", f"pcap_{sector.pk}": "3", "funding_pool_usd": "500000"},
    )
    assert good.status_code == 302
    assert SectorCap.objects.get(cohort=cohort, sector=sector).cap == 2
    assert cohort.programme.sector_caps.get(sector=sector).cap == 3
    assert cohort.selection_settings.funding_pool_usd == 500000


def test_mark_needs_a_reason(client):
    cohort, apps = cohort_with_applications(2)
    client.force_login(factories.ProgrammeManagerFactory())
    url = reverse("selection:mark", args=[cohort.pk])

    client.post(url, {"application": apps[0].pk, "kind": MarkKind.INCLUDE, "reason": ""})
    assert (
        not hasattr(apps[0], "selection_mark")
        or not type(apps[0]).objects.filter(pk=apps[0].pk, selection_mark__isnull=False).exists()
    )
    client.post(url, {"application": apps[0].pk, "kind": MarkKind.INCLUDE, "reason": "Fit"})
    apps[0].refresh_from_db()
    assert apps[0].selection_mark.reason == "Fit"
    # An application of another cohort cannot be marked here.
    other = factories.submitted()
    client.post(url, {"application": other.pk, "kind": MarkKind.EXCLUDE, "reason": "x"})
    assert not type(other).objects.filter(pk=other.pk, selection_mark__isnull=False).exists()


def test_another_founder_cannot_answer_an_offer(client, scored):
    cohort, apps, *_ = scored
    decision_app = apps[0]
    Decision.objects.create(
        application=decision_app,
        outcome=Outcome.ACCEPTED,
        sent_at="2030-01-01T00:00Z",
        offer_deadline="2099-01-01T00:00Z",
        response=OfferResponse.PENDING,
    )
    client.force_login(apps[1].startup.members.get())
    response = client.post(
        reverse("selection:offer", args=[decision_app.pk]), {"action": "decline"}
    )
    assert response.status_code == 403
    assert Decision.objects.get(application=decision_app).response == OfferResponse.PENDING


def test_founder_dashboard_reminds_of_a_pending_offer(client):
    application = factories.ApplicationFactory(state=ApplicationState.ACCEPTED)
    Decision.objects.create(
        application=application,
        outcome=Outcome.ACCEPTED,
        sent_at="2030-01-01T00:00Z",
        offer_deadline="2099-01-01T00:00Z",
        response=OfferResponse.PENDING,
    )
    client.force_login(application.startup.members.get())

    response = client.get(reverse("core:dashboard"))

    assert b"A place is offered: confirm it before" in response.content
