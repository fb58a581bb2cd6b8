from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (for sorting and pages)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag
def state_badge(application):
    return format_html(
        '<span class="badge badge-state-{}">{}</span>',
        application.state,
        application.get_state_display(),
    )


@register.filter
def money(value, currency="USD"):
    if value is None:
        return "—"
    return f"{currency} {value:,.0f}"
