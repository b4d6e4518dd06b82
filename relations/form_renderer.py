"""The timeline filter form's widgets written in Python: the same markup as Django's templates.

A full timeline page renders a dozen widgets (the search box, seven category
checkboxes, the years, the month and the order); through Django's widget
templates, each an include of an include, they cost about a third of the
page's rendering at 100,000 events. The plain inputs and selects are written
here with `html.escape`, exactly as those templates write them (a test renders
every widget of the form both ways and compares them); any other template goes
to Django's renderer.
"""

from html import escape

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeData, mark_safe


def _text(value):
    """`{{ value|stringformat:'s' }}` with autoescaping: safe strings stay as they are."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    """django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget):
    """django/forms/widgets/input_option.html."""
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    label_for = f' for="{_text(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(widget)} {_text(widget['label'])}</label>\n"


def _select_option(widget):
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{_text(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_text(widget['label'])}</option>\n"
    )


def _select(widget):
    """django/forms/widgets/select.html, its options from select_option.html."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                return None
            parts.append("\n  " + _select_option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


WRITERS = {
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/text.html": lambda widget: _input(widget) + "\n",
    "django/forms/widgets/search.html": lambda widget: _input(widget) + "\n",
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/checkbox_option.html": lambda widget: _input_option(widget) + "\n",
}


class PythonWidgets(DjangoTemplates):
    """Django's default form renderer, with the widgets above written in Python."""

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        html = writer(context["widget"]) if writer and set(context) == {"widget"} else None
        if html is None:
            return super().render(template_name, context, request)
        return mark_safe(html.strip())  # every value above is escaped; stripped as Django does
