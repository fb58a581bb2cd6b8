from django import template
from django.utils.translation import gettext as _

from nurture.core.templatetags.nurture import query_replace

register = template.Library()


@register.inclusion_tag("programmes/_sort_header.html", takes_context=True)
def sort_header(context, key: str, label: str, target: str = "", align: str = ""):
    """A column header that sorts the table by `key`; clicking again reverses the order.

    Carries `aria-sort` on the sorted column, and htmx attributes when `target` is given.
    """
    current = context.get("sort", "")
    active = current.removeprefix("-") == key
    descending = current.startswith("-")
    next_sort = (key if descending else f"-{key}") if active else key
    if active:
        aria = "descending" if descending else "ascending"
        hint = _("sorted descending") if descending else _("sorted ascending")
    else:
        aria, hint = "", ""
    return {
        "label": label,
        "query": query_replace(context, sort=next_sort, page=None),
        "aria_sort": aria,
        "hint": hint,
        "active": active,
        "descending": descending,
        "target": target,
        "align": align,
    }
