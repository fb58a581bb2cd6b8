from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from nurture.applications.models import ApplicationState
from nurture.audit.models import AuditEntry
from nurture.selection import selectors, services
from nurture.selection.models import (
    Decision,
    MarkKind,
    OfferResponse,
    Outcome,
    ProposalKind,
    ProposalState,
    SectorCap,
)
from tests import factories

from .conftest import cohort_with_applications, scores_for

pytestmark = pytest.mark.django_db


def _proposal(cohort, scores, manager=None, kind=ProposalKind.COHORT, replaces=None):
    from nurture.selection.models import Proposal

    proposal = Proposal.objects.create(
        cohort=cohort, kind=kind, replaces=replaces, requested_by=manager
    )
    return services.proposal_compute(proposal_id=proposal.pk, scores=scores)


def _outcomes(proposal):
    return {c.application_id: c.outcome for c in proposal.candidates.all()}


def test_proposal_takes_the_best_ten_and_waitlists_the_next_in_order():
    cohort, apps = cohort_with_applications(14)
    merits = [1 + 0.25 * i for i in range(14)]
    proposal = _proposal(cohort, scores_for(apps, merits))

    assert proposal.state == ProposalState.DONE
    outcomes = _outcomes(proposal)
    assert {a.pk for a in apps[4:]} == {pk for pk, o in outcomes.items() if o == "accepted"}
    waitlist = proposal.candidates.filter(outcome=Outcome.WAITLISTED).order_by("waitlist_position")
    assert [c.application_id for c in waitlist] == [apps[3].pk, apps[2].pk, apps[1].pk, apps[0].pk]
    assert "cohort_size" in proposal.binding
    best = proposal.candidates.get(application=apps[13])
    assert (best.rank, best.reason) == (1, "merit")
    assert best.probability == pytest.approx(1.0)
    cut = proposal.candidates.get(application=apps[3])
    assert cut.reason == "cohort_size" and cut.margin < 0


def test_sector_cap_and_marks_are_respected():
    sector_a, sector_b = factories.SectorFactory(), factories.SectorFactory()
    cohort, apps = cohort_with_applications(12, sectors=[sector_a] * 8 + [sector_b] * 4)
    SectorCap.objects.create(cohort=cohort, sector=sector_a, cap=4)
    manager = factories.ProgrammeManagerFactory()
    services.mark_set(user=manager, application=apps[0], kind=MarkKind.INCLUDE, reason="Strategic")
    services.mark_set(user=manager, application=apps[7], kind=MarkKind.EXCLUDE, reason="Conflict")
    merits = [1 + 0.3 * i for i in range(12)]
    merits[7] = 10
    proposal = _proposal(cohort, scores_for(apps, merits))

    accepted = {pk for pk, o in _outcomes(proposal).items() if o == "accepted"}
    assert apps[0].pk in accepted and apps[7].pk not in accepted
    assert sum(1 for a in apps[:8] if a.pk in accepted) <= 4
    assert f"sector:{sector_a.pk}" in proposal.binding
    assert proposal.candidates.get(application=apps[7]).reason == "must_exclude"


def test_mark_without_a_reason_is_refused():
    cohort, apps = cohort_with_applications(1)
    with pytest.raises(services.SelectionError):
        services.mark_set(
            user=factories.ProgrammeManagerFactory(),
            application=apps[0],
            kind=MarkKind.INCLUDE,
            reason="  ",
        )
    assert not hasattr(apps[0], "selection_mark") or apps[0].selection_mark is None


def test_yearly_cap_counts_the_other_cohort_of_the_same_year():
    spring = factories.CohortFactory(year=2041, intake="spring")
    autumn = factories.CohortFactory(year=2041, intake="autumn")
    factories.CallFactory(cohort=autumn)
    for _ in range(14):
        factories.ApplicationFactory(cohort=spring, state=ApplicationState.ACCEPTED)
    # Another year's acceptances do not count.
    other_year = factories.CohortFactory(year=2042)
    for _ in range(3):
        factories.ApplicationFactory(cohort=other_year, state=ApplicationState.ACCEPTED)
    cohort, apps = cohort_with_applications(12, cohort=autumn)
    proposal = _proposal(cohort, scores_for(apps, [1 + 0.2 * i for i in range(12)]))

    assert proposal.parameters["remaining_places"] == 6
    assert sum(1 for o in _outcomes(proposal).values() if o == "accepted") == 6
    assert "yearly_cap" in proposal.binding
    assert selectors.remaining_places(autumn) == 6


def test_infeasible_proposal_says_why():
    cohort, apps = cohort_with_applications(4)
    proposal = _proposal(cohort, scores_for(apps, [3, 3, 3, 3]))

    assert proposal.state == ProposalState.INFEASIBLE
    assert "at least 6" in " ".join(proposal.problems)


def _decided_cohort(n=12):
    cohort, apps = cohort_with_applications(n)
    manager = factories.ProgrammeManagerFactory()
    merits = [1 + 0.25 * i for i in range(n)]
    scores = scores_for(apps, merits)
    proposal = _proposal(cohort, scores, manager)
    return cohort, apps, manager, proposal, scores


def test_changing_the_proposal_needs_a_reason_and_is_audited():
    cohort, apps, manager, proposal, _ = _decided_cohort()
    with pytest.raises(services.SelectionError):
        services.decisions_record(
            user=manager,
            proposal=proposal,
            outcomes={apps[0].pk: Outcome.ACCEPTED, apps[11].pk: Outcome.WAITLISTED},
        )
    assert not Decision.objects.exists()

    services.decisions_record(
        user=manager,
        proposal=proposal,
        outcomes={apps[0].pk: Outcome.ACCEPTED, apps[11].pk: Outcome.WAITLISTED},
        reasons={apps[0].pk: "Board asked", apps[11].pk: "Board asked"},
    )
    assert Decision.objects.get(application=apps[0]).outcome == Outcome.ACCEPTED
    assert AuditEntry.objects.filter(action="selection.proposal_changed").count() == 2


def test_too_many_acceptances_are_refused_and_nothing_is_saved():
    cohort, apps, manager, proposal, _ = _decided_cohort()
    outcomes = {a.pk: Outcome.ACCEPTED for a in apps}
    with pytest.raises(services.SelectionError):
        services.decisions_record(
            user=manager,
            proposal=proposal,
            outcomes=outcomes,
            reasons={a.pk: "all" for a in apps},
        )
    assert not Decision.objects.exists()


def test_decision_emails_are_sent_once_and_only_after_commit(
    django_capture_on_commit_callbacks,
):
    cohort, apps, manager, proposal, _ = _decided_cohort()
    services.decisions_record(user=manager, proposal=proposal, outcomes={})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.decisions_send(user=manager, cohort=cohort) == 12
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 12
    with django_capture_on_commit_callbacks(execute=True):
        assert services.decisions_send(user=manager, cohort=cohort) == 0
    assert len(mail.outbox) == 12
    accepted_mail = next(m for m in mail.outbox if apps[11].startup.members.get().email in m.to)
    assert "confirm" in accepted_mail.body.lower()
    apps[11].refresh_from_db()
    assert apps[11].state == ApplicationState.ACCEPTED


def test_rolled_back_send_mails_nothing(django_capture_on_commit_callbacks):
    cohort, apps, manager, proposal, _ = _decided_cohort()
    services.decisions_record(user=manager, proposal=proposal, outcomes={})
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.decisions_send(user=manager, cohort=cohort)
                raise RuntimeError
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not Decision.objects.filter(sent_at__isnull=False).exists()


def test_a_decline_proposes_the_next_waitlisted_startup(
    django_capture_on_commit_callbacks, monkeypatch
):
    cohort, apps, manager, proposal, scores = _decided_cohort()
    monkeypatch.setattr(services, "round_scores", lambda _round: scores)
    services.decisions_record(user=manager, proposal=proposal, outcomes={})
    with django_capture_on_commit_callbacks(execute=True):
        services.decisions_send(user=manager, cohort=cohort)
    mail.outbox.clear()
    founder = apps[11].startup.members.get()
    decision = Decision.objects.get(application=apps[11])
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_confirm(
            user=apps[10].startup.members.get(),
            decision=Decision.objects.get(application=apps[10]),
        )
        replacement = services.offer_decline(user=founder, decision=decision)
    replacement.refresh_from_db()
    assert replacement.kind == ProposalKind.REPLACEMENT
    assert replacement.state == ProposalState.DONE
    new = {c.application_id for c in replacement.candidates.filter(outcome="accepted")}
    # The confirmed and accepted stay in; the decliner is out; the first waitlisted comes in.
    assert new == {a.pk for a in apps[2:11]} | {apps[1].pk}
    apps[11].refresh_from_db()
    assert apps[11].state == ApplicationState.WITHDRAWN

    with django_capture_on_commit_callbacks(execute=True):
        offers = services.replacement_confirm(user=manager, proposal=replacement)
    assert [d.application_id for d in offers] == [apps[1].pk]
    apps[1].refresh_from_db()
    assert apps[1].state == ApplicationState.ACCEPTED
    assert [m.to for m in mail.outbox] == [[apps[1].startup.members.get().email]]
    assert Decision.objects.get(application=apps[0]).waitlist_position == 1


def test_a_missed_deadline_lapses_and_proposes_a_replacement(
    django_capture_on_commit_callbacks, monkeypatch
):
    cohort, apps, manager, proposal, scores = _decided_cohort()
    monkeypatch.setattr(services, "round_scores", lambda _round: scores)
    services.decisions_record(user=manager, proposal=proposal, outcomes={})
    with django_capture_on_commit_callbacks(execute=True):
        services.decisions_send(user=manager, cohort=cohort)
    Decision.objects.filter(application=apps[5]).update(
        offer_deadline=timezone.now() - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        proposals = services.offers_lapse()
    assert len(proposals) == 1
    assert Decision.objects.get(application=apps[5]).response == OfferResponse.LAPSED
    proposals[0].refresh_from_db()
    assert proposals[0].candidates.filter(outcome="accepted", application=apps[1]).exists()


def test_only_founders_answer_and_only_once():
    cohort, apps, manager, proposal, _ = _decided_cohort()
    services.decisions_record(user=manager, proposal=proposal, outcomes={})
    services.decisions_send(user=manager, cohort=cohort)
    decision = Decision.objects.get(application=apps[11])
    with pytest.raises(services.SelectionError):
        services.offer_confirm(user=apps[0].startup.members.get(), decision=decision)
    founder = apps[11].startup.members.get()
    services.offer_confirm(user=founder, decision=decision)
    with pytest.raises(services.SelectionError):
        services.offer_decline(user=founder, decision=decision)
    decision.refresh_from_db()
    assert decision.response == OfferResponse.CONFIRMED


def test_confirming_a_place_opens_the_benefits_and_draws_up_the_seed_funding_schedule():
    from nurture.funding.models import Tranche
    from nurture.resources.models import LedgerTransaction

    cohort, apps, manager, proposal, _ = _decided_cohort()
    services.decisions_record(user=manager, proposal=proposal, outcomes={})
    services.decisions_send(user=manager, cohort=cohort)
    application = apps[11]
    founder = application.startup.members.get()
    services.offer_confirm(user=founder, decision=Decision.objects.get(application=application))

    tranches = list(Tranche.objects.filter(application=application).order_by("position"))
    assert [t.percent for t in tranches] == [40, 30, 30]
    opened = LedgerTransaction.objects.filter(
        idempotency_key__startswith=f"benefits-open:application-{application.pk}:"
    )
    assert opened.count() == 3  # seed funding, cloud credits, GPU-hours


def test_offer_deadlines_command_lapses_overdue_offers(django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    cohort, apps, manager, proposal, _ = _decided_cohort()
    services.decisions_record(user=manager, proposal=proposal, outcomes={})
    services.decisions_send(user=manager, cohort=cohort)
    Decision.objects.filter(application=apps[11]).update(
        offer_deadline=timezone.now() - timedelta(seconds=1)
    )
    out = StringIO()

    call_command("offer_deadlines", stdout=out)

    assert out.getvalue().startswith("Offers lapsed: 1;")
    assert Decision.objects.get(application=apps[11]).response == OfferResponse.LAPSED
    assert Decision.objects.filter(response=OfferResponse.PENDING).count() == 9


def test_programme_sector_caps_apply_unless_the_cohort_sets_its_own():
    sector_a, sector_b = factories.SectorFactory(), factories.SectorFactory()
    cohort, apps = cohort_with_applications(12, sectors=[sector_a] * 6 + [sector_b] * 6)
    manager = factories.ProgrammeManagerFactory()
    services.selection_settings_update(
        user=manager,
        cohort=cohort,
        data={"bootstrap_rounds": 0},
        caps={sector_b.pk: 5},
        programme_caps={sector_a.pk: 3, sector_b.pk: 1},
    )
    assert selectors.sector_caps(cohort) == {sector_a.pk: 3, sector_b.pk: 5}
    proposal = _proposal(cohort, scores_for(apps, [2 + 0.1 * i for i in range(12)]))

    accepted = {pk for pk, o in _outcomes(proposal).items() if o == "accepted"}
    assert sum(1 for a in apps[:6] if a.pk in accepted) <= 3
    assert sum(1 for a in apps[6:] if a.pk in accepted) <= 5
    assert len(accepted) == 8
