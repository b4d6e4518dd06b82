"""The filter form's widgets written in Python (relations/form_renderer.py) against Django's."""

import pytest
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict

from relations.filters import EventFilter
from relations.form_renderer import PythonWidgets
from relations.models import Event

QUERIES = [
    "",
    "q=potash+%3Cb%3E%26%22quotes%22&category=trade&category=energy&status=disputed",
    "year_from=2001&year_to=2001&month=3&order=-date",
    "year_from=abc&year_to=1999&month=13&status=nonsense&category=nope",
    "q=" + "+".join("abcdefghijklmnopqrstuvwxyz") + "&year_from=2020&year_to=2010",
    "month=4&q=%C3%A9t%C3%A9+%D0%9C%D0%B8%D0%BD%D1%81%D0%BA",
]


@pytest.mark.parametrize("query", QUERIES)
def test_every_widget_is_written_as_django_writes_it(db, query):
    filterset = EventFilter(QueryDict(query), queryset=Event.objects.public())
    filterset.is_valid()
    form = filterset.form
    assert isinstance(form.renderer, PythonWidgets)
    python = {name: str(form[name]) for name in form.fields}
    python["category options"] = [choice.tag() for choice in form["category"]]
    python["category labelled"] = [choice.tag(wrap_label=True) for choice in form["category"]]

    form.renderer = DjangoTemplates()
    django = {name: str(form[name]) for name in form.fields}
    django["category options"] = [choice.tag() for choice in form["category"]]
    django["category labelled"] = [choice.tag(wrap_label=True) for choice in form["category"]]
    assert python == django
