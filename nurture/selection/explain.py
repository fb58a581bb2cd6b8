"""Words for the optimiser's reasons and binding constraints, shown to the committee."""

from django.utils.translation import gettext_lazy as _

REASONS = {
    "merit": _("Calibrated merit"),
    "must_include": _("Marked must include"),
    "must_exclude": _("Marked must exclude"),
    "ineligible": _("Does not meet the programme's rules"),
    "cohort_size": _("Cohort full: below the cut"),
    "yearly_cap": _("Yearly cap reached: below the cut"),
    "sector_cap": _("Sector cap reached"),
    "funding_pool": _("Seed-funding pool spent"),
    "no_reviews": _("No submitted reviews"),
    "not_shortlisted": _("Not on the shortlist"),
    "already_accepted": _("Already accepted"),
    "already_rejected": _("Decision already sent"),
}


def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))


def binding_labels(binding: list[str], sector_names: dict[str, str]) -> list[str]:
    labels = []
    for code in binding:
        if code.startswith("sector:"):
            name = sector_names.get(code.split(":", 1)[1], code)
            labels.append(str(_("Sector cap: %(sector)s") % {"sector": name}))
        elif code == "cohort_size":
            labels.append(str(_("Cohort size (most startups per cohort)")))
        elif code == "cohort_minimum":
            labels.append(str(_("Cohort size (fewest startups per cohort)")))
        elif code == "yearly_cap":
            labels.append(str(_("Yearly cap (places left this year)")))
        elif code == "funding_pool":
            labels.append(str(_("Seed-funding pool")))
        else:
            labels.append(code)
    return labels
