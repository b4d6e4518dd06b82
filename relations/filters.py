"""The timeline's filter form: every query parameter is validated here."""

import copy
import functools

import django_filters
from django import forms
from django.db import models
from django.http import QueryDict
from django.utils.functional import cached_property

from relations import readmodel
from relations.dates import MONTHS
from relations.facets import SELECTS, Options, Panel
from relations.form_renderer import PythonWidgets
from relations.held import kept
from relations.models import Actor, Category, Event, Source, Status
from relations.prepared import Prepared
from relations.search import search_refusal
from relations.validators import year_range

YEAR_MIN, YEAR_MAX = year_range()


class SlugChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that finds the chosen object by slug with `lookup`, a prepared
    query (relations/prepared.py) of the same queryset: each request that filters by an
    actor or a source asks the database once, without building and compiling a query."""

    def __init__(self, *args, lookup, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookup = lookup

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        found = self.lookup(value) if isinstance(value, str) else []
        if not found:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found[0]


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SlugChoiceField


ACTORS = Actor.objects.all()
PUBLIC_SOURCES = Source.objects.public().only("slug", "title")


class TimelineFilterForm(forms.Form):
    default_renderer = PythonWidgets()

    def clean(self):
        cleaned = super().clean()
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error(
                "year_to",
                f"“To” year {year_to} is before “from” year {year_from}; "
                "swap them or widen the range.",
            )
        text = cleaned.get("q")
        refusal = search_refusal(text) if text else None
        if refusal:
            self.add_error("q", refusal)
        if cleaned.get("month") and (year_from is None or year_from != year_to):
            self.add_error(
                "month",
                "A month can be chosen only within one year: "
                "give the same year as “from” and “to”.",
            )
        return cleaned


# A text box rather than type=number, so that a mistyped year stays visible beside its error.
YEAR_INPUT = forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "autocomplete": "off"})


def shallow_copy(filter_):
    copied = copy.copy(filter_)
    copied.extra = dict(filter_.extra)  # making its field may write to it
    copied.method = filter_.method  # binds the method to the copy, not to the original
    return copied


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Titles, summaries, quotes"}
        ),
    )
    category = django_filters.MultipleChoiceFilter(
        label="Category",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "There is no category “%(value)s”."},
    )
    actor = SlugChoiceFilter(
        label="Actor",
        queryset=ACTORS,
        lookup=Prepared(lambda slug: ACTORS.filter(slug=slug).order_by(), str),
        to_field_name="slug",
        empty_label="Any actor",
        error_messages={"invalid_choice": "There is no actor “%(value)s”."},
    )
    source = SlugChoiceFilter(
        label="Source",
        queryset=PUBLIC_SOURCES,
        lookup=Prepared(lambda slug: PUBLIC_SOURCES.filter(slug=slug).order_by(), str),
        to_field_name="slug",
        empty_label="Any source",
        error_messages={"invalid_choice": "There is no source “%(value)s”."},
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=Status.choices,
        empty_label="Any status",
        error_messages={"invalid_choice": "There is no status “%(value)s”."},
    )
    year_from = YearFilter(
        label="From year",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        widget=YEAR_INPUT,
    )
    year_to = YearFilter(
        label="To year",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        widget=YEAR_INPUT,
    )
    month = django_filters.ChoiceFilter(
        label="Month",
        choices=[(str(number), name) for number, name in enumerate(MONTHS, start=1)],
        empty_label="Any month",
        error_messages={"invalid_choice": "There is no month “%(value)s”; give 1 to 12."},
    )
    order = django_filters.ChoiceFilter(
        label="Order",
        choices=[("-date", "Newest first")],
        empty_label="Oldest first",
    )

    class Meta:
        model = Event
        fields = [
            "q",
            "category",
            "actor",
            "source",
            "status",
            "year_from",
            "year_to",
            "month",
            "order",
        ]
        form = TimelineFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        """As django-filter's, but each filter a shallow copy (its own `extra`).

        django-filter deep-copies every filter, with its querysets, choices and
        widgets, for each request, then builds a form class from them: together
        about 2 ms of each result list, in every request. A filter's own state
        (its model and filterset, and the field it makes) is set on the copy;
        the form class is built once (`get_form_class`), and each form
        deep-copies its fields from it, as every Django form does.
        """
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = shallow_copy(base)
            filter_.model, filter_.parent = queryset.model, self
            self.filters[name] = filter_

    def get_form_class(self):
        return type(self).shared_form_class()

    @classmethod
    @functools.cache
    def shared_form_class(cls):
        fields = {name: shallow_copy(base).field for name, base in cls.base_filters.items()}
        return type(f"{cls.__name__}Form", (cls._meta.form,), fields)

    def filter_queryset(self, queryset):
        raise NotImplementedError(
            "The timeline's filters are answered by the read model: use matches()."
        )

    def criteria(self, order=None):
        """The validated filters as the read model's Criteria; call after is_valid()."""
        return readmodel.Criteria.from_form(self.form.cleaned_data, order)

    def matches(self, version=None, order=None):
        """The read model's result for the validated filters; call after is_valid()."""
        return readmodel.query(self.criteria(order), version)

    def panel(self, version, seconds):
        """The filter panel's categories and select options for data version `version`
        (relations/facets.py), kept in the cache under it.

        Rendering hundreds of options from model instances is most of the work of a
        page whose result list is cached, so they are written once per version; a
        request joins in its counts. Validation still asks the database.
        """

        def compute():
            everything = readmodel.summary(version)
            totals = {name: everything.option_counts(name) for name in ("category", *SELECTS)}
            choices = {
                "status": [
                    (value, label, value, totals["status"].get(value, 0))
                    for value, label in Status.choices
                ],
                **{
                    name: [
                        (
                            str(value),
                            label,
                            value.instance.pk,
                            totals[name].get(value.instance.pk, 0),
                        )
                        for value, label in self.form.fields[name].choices
                        if value
                    ]
                    for name in ("actor", "source")
                },
            }
            return Panel(
                {value: totals["category"].get(value, 0) for value in Category.values},
                {
                    name: Options(self.filters[name].extra["empty_label"], choices[name])
                    for name in SELECTS
                },
            )

        return kept("timeline-panel", version, seconds, compute)

    def chosen(self):
        """{name: the value chosen} of the counted filters as the reader sent them (valid
        or not), for the panel to show them chosen."""
        form = self.form
        return {
            "category": [str(v) for v in form["category"].value() or []],
            **{name: str(form[name].value() or "") for name in SELECTS},
        }

    def canonical_query(self):
        """The validated filters as a QueryDict, in one fixed form per meaning.

        Cache keys and every link the page generates are built from this, never
        from the raw query string: unknown parameters, repeated values and
        spelling variants never reach the cache or the HTML. Call after is_valid().
        """
        query = QueryDict(mutable=True)
        for name in self.filters:
            value = self.form.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            if isinstance(value, list):
                query.setlist(name, sorted(set(value)))
            elif isinstance(value, models.Model):
                query[name] = value.slug
            else:
                query[name] = str(value)
        return query

    @cached_property
    def chips(self):
        """The active filters as [(label, the link that removes it)], for removable chips.

        A full page reads them three times (the title, the chips, the panel's count)."""
        data, query = self.form.cleaned_data, self.canonical_query()
        query.pop("page", None)
        chips = []

        def without(*names, value=None):
            remaining = query.copy()
            for name in names:
                if value is None:
                    remaining.pop(name, None)
                else:
                    remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
            return remaining.urlencode()

        if data.get("q"):
            chips.append((f"“{data['q']}”", without("q")))
        categories = dict(Category.choices)
        for value in data.get("category") or []:
            chips.append((categories[value], without("category", value=value)))
        if data.get("actor"):
            chips.append((data["actor"].name, without("actor")))
        if data.get("source"):
            chips.append((data["source"].title, without("source")))
        if data.get("status"):
            chips.append((Status(data["status"]).label, without("status")))
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from is not None and year_from == year_to:
            if data.get("month"):
                label = f"{MONTHS[int(data['month']) - 1]} {year_from}"
            else:
                label = str(year_from)
            chips.append((label, without("year_from", "year_to", "month")))
        else:
            if year_from is not None:
                chips.append((f"From {year_from}", without("year_from")))
            if year_to is not None:
                chips.append((f"To {year_to}", without("year_to")))
        return chips

    def set_count(self):
        """How many filters are set, as the removable chips show them: one year chosen as
        its first and last year, or a month of it, is one filter (the order is none)."""
        if not self.is_valid():
            return 0
        return len(self.chips)

    def description(self):
        """What the filters select, in a few words: for the page title."""
        if not self.is_bound or not self.is_valid():
            return "Timeline" if not self.form.errors else "Filters to correct"
        labels = [label for label, _ in self.chips]
        return ", ".join(labels) if labels else "Timeline"

    @property
    def is_filtered(self):
        data = self.form.cleaned_data
        return any(data.get(name) not in (None, "", []) for name in self.filters if name != "order")
