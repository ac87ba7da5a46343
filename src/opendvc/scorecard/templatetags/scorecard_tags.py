"""Formatting scorecard numbers the same way in every table: Vietnamese decimals, a dash for N/A, and a
change that says in words whether it went up or down (not only by an arrow or a colour)."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def score(value, decimals: int = 2) -> str:
    if value is None:
        return "–"
    value = float(value)
    if value.is_integer():
        return number_format(int(value), 0, force_grouping=True)
    return number_format(round(value, decimals), decimals, force_grouping=True)


@register.filter
def as_percent(rate) -> str:
    """A rate (0.8) as a percentage (80)."""
    return "–" if rate is None else score(100 * float(rate))


def _change(value):
    if value is None:
        return "–"
    if value > 0:
        return format_html(
            '<span class="change change-up"><span aria-hidden="true">▲</span> {} +{}</span>',
            _("tăng"),
            score(value),
        )
    if value < 0:
        return format_html(
            '<span class="change change-down"><span aria-hidden="true">▼</span> {} {}</span>',
            _("giảm"),
            score(-value),
        )
    return format_html('<span class="change">{}</span>', _("không đổi"))


@register.simple_tag
def cell_change(value):
    return _change(value)


@register.simple_tag
def cell(row: dict, column):
    """One table cell: the value formatted by its column's kind, a link where the row has one."""
    value = row.get(column.key)
    if column.kind == "change":
        return _change(value)
    if column.kind in ("percent", "number"):
        return score(value)
    if column.kind == "rank":
        return "–" if value is None else str(value)
    text = "–" if value in (None, "") else value
    if column.key == "name" and row.get("href"):
        return format_html('<a href="{}">{}</a>', row["href"], text)
    return text
