from django import template

from nurture.compute.models import CreditAlert

register = template.Library()


@register.inclusion_tag("compute/_credit_notices.html")
def credit_notices(user):
    """The cloud-credit alerts of the user's startups, for the founder's dashboard."""
    alerts = []
    if user.is_authenticated:
        alerts = list(
            CreditAlert.objects.filter(startup__memberships__user_id=user.pk)
            .select_related("startup")
            .order_by("startup__name", "-threshold")
        )
        # Only the highest threshold reached for each startup.
        seen = set()
        alerts = [a for a in alerts if not (a.startup_id in seen or seen.add(a.startup_id))]
    return {"alerts": alerts}
