from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

SELECTED = mark_safe(" selected")


@register.simple_tag
def select_options(bound_field, choices):
    """A <select>'s options in one pass; Django's widget renders a template per option,
    which is slow for the hundreds of actors and sources a large timeline has.

    `choices` are [(value, label)], e.g. a list kept in the cache (EventFilter.cached_choices).
    """
    current = str(bound_field.value() or "")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, SELECTED if str(value) == current else "", label) for value, label in choices),
    )
