"""Every write to programmes, benefit packages, cohorts and calls.

One transaction and one audit entry each. The rules a cohort must meet (capacity within the
programme's range, dates in order, one cohort per intake) live in `cohort_problems`, which the
forms call for friendly messages and the services call again before writing, so no client can
save what the form would refuse.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nurture.audit.services import audit_record

from .models import BenefitItem, Call, Cohort, Programme

PROGRAMME_RULE_FIELDS = (
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
    "requires_hk_presence",
    "max_company_age_years",
    "min_team_size",
    "min_technical_share",
    "min_founder_equity",
    "is_active",
)


@dataclass(frozen=True)
class BenefitLine:
    """One line of a benefit package as the programme manager wants it; `id` for existing lines."""

    kind: str
    label: str
    label_zh_hant: str = ""
    amount: Decimal | None = None
    unit: str = ""
    details: str = ""
    details_zh_hant: str = ""
    position: int = 0
    id: int | None = None


@dataclass(frozen=True)
class CohortTerms:
    name: str
    year: int
    intake: str
    capacity: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class CallTerms:
    title: str
    opens_at: datetime
    closes_at: datetime
    title_zh_hant: str = ""
    description: str = ""
    description_zh_hant: str = ""


# --- Programmes -------------------------------------------------------------------------------


def programme_problems(*, values: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with a programme's rules; keys are field names."""
    problems: dict[str, list[str]] = {}
    low, high = values.get("min_startups_per_cohort"), values.get("max_startups_per_cohort")
    cap = values.get("yearly_cap")
    if low is not None and high is not None and low > high:
        problems.setdefault("max_startups_per_cohort", []).append(
            _("The most startups per cohort cannot be fewer than the fewest.")
        )
    if high is not None and cap is not None and high > cap:
        problems.setdefault("yearly_cap", []).append(
            _("The yearly cap cannot be smaller than one full cohort.")
        )
    for name in ("cohorts_per_year", "max_startups_per_cohort", "yearly_cap", "length_months"):
        if values.get(name) == 0:
            problems.setdefault(name, []).append(_("This must be at least 1."))
    return problems


def _benefit_values(line: BenefitLine) -> dict[str, Any]:
    return {f.name: getattr(line, f.name) for f in fields(line) if f.name not in {"id"}}


def _benefits_replace(programme: Programme, lines: list[BenefitLine]) -> dict[str, list[str]]:
    """Make the package exactly `lines`, in the order of their positions (renumbered 0, 1, …).

    Positions are renumbered from 0 like the seeded package, so saving an unchanged package
    writes nothing.
    """
    existing = {item.pk: item for item in BenefitItem.objects.filter(programme=programme)}
    unknown = {line.id for line in lines if line.id is not None} - set(existing)
    if unknown:
        raise ValidationError(_("A benefit line belongs to another programme."))
    ordered = [
        line for _index, line in sorted(enumerate(lines), key=lambda p: (p[1].position, p[0]))
    ]
    kept = {line.id for line in ordered if line.id is not None}
    previous_order = [
        item.pk
        for item in sorted(existing.values(), key=lambda i: (i.position, i.pk))
        if item.pk in kept
    ]
    report: dict[str, list[str]] = {"added": [], "changed": [], "removed": [], "order": []}
    for pk, item in existing.items():
        if pk not in kept:
            report["removed"].append(item.label)
            item.delete()
    for position, line in enumerate(ordered):
        values = {**_benefit_values(line), "position": position}
        if line.id is None:
            item = BenefitItem(programme=programme, **values)
            item.full_clean(exclude=["programme"])
            item.save()
            report["added"].append(item.label)
            continue
        item = existing[line.id]
        changed = [name for name, value in values.items() if getattr(item, name) != value]
        if changed:
            for name in changed:
                setattr(item, name, values[name])
            item.full_clean(exclude=["programme"])
            item.save(update_fields=changed)
            if set(changed) - {"position"}:
                report["changed"].append(item.label)
    if [line.id for line in ordered if line.id is not None] != previous_order:
        report["order"] = [line.label for line in ordered]
    return report


@transaction.atomic
def programme_update(
    *,
    user,
    programme: Programme,
    data: dict[str, Any],
    benefits: list[BenefitLine] | None = None,
) -> Programme:
    """Change a programme's rules and, when `benefits` is given, set its benefit package."""
    unknown = set(data) - set(PROGRAMME_RULE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    values = {name: getattr(programme, name) for name in PROGRAMME_RULE_FIELDS} | data
    problems = programme_problems(values=values)
    if problems:
        raise ValidationError(problems)
    changed = [name for name, value in data.items() if getattr(programme, name) != value]
    for name in changed:
        setattr(programme, name, data[name])
    if changed:
        programme.full_clean(exclude=["slug"])
        programme.save(update_fields=changed)
    report = _benefits_replace(programme, benefits) if benefits is not None else {}
    report = {key: labels for key, labels in report.items() if labels}
    if changed or report:
        audit_record(
            actor=user,
            action="programme.updated",
            target=programme,
            summary=programme.name,
            data={"fields": sorted(changed), "benefits": report},
        )
    return programme


# --- Cohorts and calls ------------------------------------------------------------------------


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def cohort_problems(
    *,
    programme: Programme,
    terms: CohortTerms,
    call: CallTerms,
    cohort: Cohort | None = None,
) -> dict[str, list[str]]:
    """Why a cohort and its call cannot be saved as given; keys are field names."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    low, high = programme.min_startups_per_cohort, programme.max_startups_per_cohort
    if not low <= terms.capacity <= high:
        add(
            "capacity",
            _("The programme takes %(low)d to %(high)d startups per cohort.")
            % {"low": low, "high": high},
        )
    if terms.starts_on >= terms.ends_on:
        add("ends_on", _("The programme must end after it starts."))
    if call.opens_at >= call.closes_at:
        add("closes_at", _("The call must close after it opens."))
    elif call.closes_at > _start_of_day(terms.starts_on):
        add("closes_at", _("The call must close before the programme starts."))
    duplicate = Cohort.objects.filter(
        programme=programme, year=terms.year, intake=terms.intake
    ).exclude(pk=cohort.pk if cohort is not None else None)
    if duplicate.exists():
        add(
            "intake",
            _("%(programme)s already has a cohort for this intake in %(year)d.")
            % {"programme": programme.display_name, "year": terms.year},
        )
    return problems


def _duplicate_error(programme: Programme, terms: CohortTerms) -> ValidationError:
    return ValidationError(
        {
            "intake": _("%(programme)s already has a cohort for this intake in %(year)d.")
            % {"programme": programme.display_name, "year": terms.year}
        }
    )


def _call_values(call: CallTerms) -> dict[str, Any]:
    return {f.name: getattr(call, f.name) for f in fields(call)}


def _cohort_values(terms: CohortTerms) -> dict[str, Any]:
    return {f.name: getattr(terms, f.name) for f in fields(terms)}


@transaction.atomic
def cohort_create(*, user, programme: Programme, terms: CohortTerms, call: CallTerms) -> Cohort:
    """Create a cohort together with its call for applications: both or neither."""
    problems = cohort_problems(programme=programme, terms=terms, call=call)
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            cohort = Cohort.objects.create(programme=programme, **_cohort_values(terms))
    except IntegrityError as exc:  # a concurrent request took the same intake
        raise _duplicate_error(programme, terms) from exc
    Call.objects.create(cohort=cohort, **_call_values(call))
    audit_record(
        actor=user,
        action="cohort.created",
        target=cohort,
        summary=cohort.name,
        data={
            "programme": programme.pk,
            "capacity": cohort.capacity,
            "opens_at": call.opens_at.isoformat(),
            "closes_at": call.closes_at.isoformat(),
        },
    )
    return cohort


@transaction.atomic
def cohort_update(*, user, cohort: Cohort, terms: CohortTerms, call: CallTerms) -> Cohort:
    """Change a cohort and its call (creating the call if the cohort had none)."""
    cohort = (
        Cohort.objects.select_for_update(of=("self",)).select_related("programme").get(pk=cohort.pk)
    )
    problems = cohort_problems(programme=cohort.programme, terms=terms, call=call, cohort=cohort)
    if problems:
        raise ValidationError(problems)
    values = _cohort_values(terms)
    changed = [name for name, value in values.items() if getattr(cohort, name) != value]
    for name in changed:
        setattr(cohort, name, values[name])
    if changed:
        try:
            with transaction.atomic():
                cohort.save(update_fields=changed)
        except IntegrityError as exc:
            raise _duplicate_error(cohort.programme, terms) from exc
    existing = Call.objects.filter(cohort=cohort).first()
    call_values = _call_values(call)
    if existing is None:
        Call.objects.create(cohort=cohort, **call_values)
        call_changed = sorted(call_values)
    else:
        call_changed = [n for n, v in call_values.items() if getattr(existing, n) != v]
        for name in call_changed:
            setattr(existing, name, call_values[name])
        if call_changed:
            existing.save(update_fields=call_changed)
    if changed or call_changed:
        audit_record(
            actor=user,
            action="cohort.updated",
            target=cohort,
            summary=cohort.name,
            data={"fields": sorted(changed), "call_fields": sorted(call_changed)},
        )
    return cohort


# --- Exports ----------------------------------------------------------------------------------


def application_export_record(
    *, user, cohort: Cohort, fmt: str, filters: dict[str, str], rows: int
) -> None:
    """Log an export of a cohort's applications: personal data leaving the system."""
    audit_record(
        actor=user,
        action="applications.exported",
        target=cohort,
        # Audit summaries stay in one language, whatever the actor's interface language.
        summary=f"{rows} applications of {cohort.name} as {fmt.upper()}",
        data={"format": fmt, "filters": filters, "rows": rows},
    )
