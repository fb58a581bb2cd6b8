"""What stands between a draft and submission: missing answers and the programme's rules.

Each problem names the form field it belongs to, so the founder sees it next to the answer.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Application

REQUIRED_FIELDS = (
    "date_founded",
    "team_size",
    "full_time_staff",
    "technical_staff",
    "founders_equity",
    "product_description",
    "ai_description",
    "sector",
    "stage",
    "funding_raised_usd",
)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    kind: str  # "missing" or "rule"


def _years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def check(application: Application) -> list[Problem]:
    programme = application.cohort.programme
    problems: list[Problem] = []
    for name in REQUIRED_FIELDS:
        value = getattr(application, name if name != "sector" else "sector_id")
        if value in (None, ""):
            label = Application._meta.get_field(name).verbose_name
            problems.append(
                Problem(name, _("Please answer “%(label)s”.") % {"label": label}, "missing")
            )
    if not application.pitch_deck:
        problems.append(Problem("pitch_deck", _("Please upload your pitch deck (PDF)."), "missing"))

    if (
        programme.requires_hk_presence
        and not application.registered_in_hk
        and not application.hk_presence_plan.strip()
    ):
        problems.append(
            Problem(
                "registered_in_hk",
                _(
                    "The programme needs a Hong Kong presence: the company must be registered "
                    "in Hong Kong, or tell us how and when it will be."
                ),
                "rule",
            )
        )
    if application.registered_in_hk and not application.business_registration_number.strip():
        problems.append(
            Problem(
                "business_registration_number",
                _("Please give the Hong Kong business registration number."),
                "missing",
            )
        )
    founded = application.date_founded
    if founded is not None:
        today = timezone.localdate()
        if founded > today:
            problems.append(
                Problem("date_founded", _("The founding date cannot be in the future."), "rule")
            )
        limit = programme.max_company_age_years
        if limit is not None and _years_between(founded, today) > limit:
            problems.append(
                Problem(
                    "date_founded",
                    ngettext(
                        "The programme accepts companies at most %(years)d year old.",
                        "The programme accepts companies at most %(years)d years old.",
                        limit,
                    )
                    % {"years": limit},
                    "rule",
                )
            )
    team, full_time, technical = (
        application.team_size,
        application.full_time_staff,
        application.technical_staff,
    )
    if team is not None and team < programme.min_team_size:
        problems.append(
            Problem(
                "team_size",
                ngettext(
                    "The programme needs a team of at least %(n)d person.",
                    "The programme needs a team of at least %(n)d people.",
                    programme.min_team_size,
                )
                % {"n": programme.min_team_size},
                "rule",
            )
        )
    if team is not None and full_time is not None and full_time > team:
        problems.append(
            Problem(
                "full_time_staff",
                _("Full-time staff cannot outnumber the whole team."),
                "rule",
            )
        )
    if full_time is not None and technical is not None:
        if technical > full_time:
            problems.append(
                Problem(
                    "technical_staff",
                    _("Count technical staff among the full-time staff: there cannot be more."),
                    "rule",
                )
            )
        elif full_time and 100 * technical < programme.min_technical_share * full_time:
            problems.append(
                Problem(
                    "technical_staff",
                    _("At least %(share)d%% of the full-time staff must be technical.")
                    % {"share": programme.min_technical_share},
                    "rule",
                )
            )
        elif full_time == 0:
            problems.append(
                Problem(
                    "full_time_staff",
                    _("The programme needs at least one full-time member of staff."),
                    "rule",
                )
            )
    equity = application.founders_equity
    if equity is not None and equity < programme.min_founder_equity:
        problems.append(
            Problem(
                "founders_equity",
                _("The founders must hold at least %(share)s%% of the equity.")
                % {"share": f"{programme.min_founder_equity.normalize():f}"},
                "rule",
            )
        )
    return problems
