from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from nurture.core.templatetags.nurture import query_replace

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, target: str = "", align: str = ""):
    """A column header that sorts the table by `key`; clicking again reverses the order.

    Carries `aria-sort` on the sorted column, and htmx attributes when `target` is given.
    Built with `format_html` rather than a template: the list page renders seven per request.
    """
    current = context.get("sort", "")
    active = current.removeprefix("-") == key
    descending = current.startswith("-")
    next_sort = (key if descending else f"-{key}") if active else key
    href = f"?{query_replace(context, sort=next_sort, page=None)}"
    cell_attrs = format_html(' class="text-{}"', align) if align else ""
    link_attrs = (
        format_html(' hx-get="{}" hx-target="{}" hx-push-url="true"', href, target)
        if target
        else ""
    )
    if not active:
        return format_html(
            '<th scope="col"{}><a class="sort-link" href="{}"{}>{}</a></th>',
            cell_attrs,
            href,
            link_attrs,
            label,
        )
    aria = "descending" if descending else "ascending"
    hint = _("sorted descending") if descending else _("sorted ascending")
    return format_html(
        '<th scope="col" aria-sort="{}"{}><a class="sort-link" href="{}"{}>{} '
        '<i class="bi bi-caret-{}-fill" aria-hidden="true"></i>'
        '<span class="visually-hidden">({})</span></a></th>',
        aria,
        cell_attrs,
        href,
        link_attrs,
        label,
        "down" if descending else "up",
        hint,
    )
