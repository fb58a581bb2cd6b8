from django import template

from nurture.selection import selectors
from nurture.selection.permissions import can_view_decision

register = template.Library()


@register.inclusion_tag("selection/_founder_decision.html", takes_context=True)
def founder_decision(context, application):
    """The decision as the founders see it, once sent: the outcome, the offer and its
    deadline with the confirm/decline action, and the reviewers' anonymous feedback. No
    reviewer names, scores or staff comments."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_view_decision(user, application):
        return {"decision": None}
    decision = selectors.founder_decision(application)
    return {
        "decision": decision,
        "application": application,
        "feedback": selectors.founder_feedback(application) if decision else [],
        "csrf_token": context.get("csrf_token"),
        "can_answer": decision is not None
        and decision.awaits_response
        and not user.is_programme_staff,
    }


@register.inclusion_tag("selection/_offer_reminder.html")
def offer_reminder(application):
    """A line for the founder's dashboard while an offer awaits the startup's answer."""
    decision = selectors.founder_decision(application)
    return {"decision": decision if decision and decision.awaits_response else None}
