from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def select_options(bound_field, options):
    """A <select>'s options, the field's current value selected.

    `options` are [(value, rendered <option>)] (EventFilter.cached_options):
    joining them is far quicker than Django's widget, which renders a template
    per option, for the hundreds of actors and sources of a large timeline.
    """
    current = str(bound_field.value() or "")
    return mark_safe(
        "".join(
            html.replace("<option ", "<option selected ", 1) if value == current else html
            for value, html in options
        )
    )
