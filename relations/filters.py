"""The timeline's filter form: every query parameter is validated here."""

import django_filters
from django import forms
from django.core.cache import cache
from django.db import models
from django.http import QueryDict
from django.utils.html import format_html

from relations.models import Actor, Category, Event, Source, Status
from relations.search import search_refusal
from relations.validators import year_range

YEAR_MIN, YEAR_MAX = year_range()

NEWEST_FIRST = ("-start_date", "-slug")

CACHED_OPTIONS = ("actor", "source")


class SourceFilterForm(forms.Form):
    """The sources list's one filter: quoted texts kept here, or references."""

    KINDS = [("", "All sources"), ("text", "Texts kept here (quoted)"), ("reference", "References")]

    kind = forms.ChoiceField(
        choices=KINDS,
        required=False,
        error_messages={"invalid_choice": "There is no kind of source “%(value)s”."},
    )

    def filter(self, sources):
        kind = self.cleaned_data["kind"]
        if kind == "text":
            return sources.exclude(text="")
        if kind == "reference":
            return sources.filter(text="")
        return sources

    def links(self):
        """[(label, query, current)] for the list's filter links."""
        current = self.cleaned_data.get("kind", "") if self.is_valid() else ""
        return [
            (label, f"?kind={value}" if value else "?", value == current)
            for value, label in self.KINDS
        ]


class TimelineFilterForm(forms.Form):
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
        return cleaned


# A text box rather than type=number, so that a mistyped year stays visible beside its error.
YEAR_INPUT = forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "autocomplete": "off"})


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_text",
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Titles, summaries, quotes"}
        ),
    )
    category = django_filters.MultipleChoiceFilter(
        label="Category",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        method="filter_categories",
        error_messages={"invalid_choice": "There is no category “%(value)s”."},
    )
    actor = django_filters.ModelChoiceFilter(
        label="Actor",
        queryset=Actor.objects.all(),
        to_field_name="slug",
        empty_label="Any actor",
        method="filter_actor",
        error_messages={"invalid_choice": "There is no actor “%(value)s”."},
    )
    source = django_filters.ModelChoiceFilter(
        label="Source",
        queryset=Source.objects.public().only("slug", "title"),
        to_field_name="slug",
        empty_label="Any source",
        method="filter_source",
        error_messages={"invalid_choice": "There is no source “%(value)s”."},
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=Status.choices,
        empty_label="Any status",
        method="filter_status",
        error_messages={"invalid_choice": "There is no status “%(value)s”."},
    )
    year_from = YearFilter(
        label="From year",
        method="filter_year_from",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        widget=YEAR_INPUT,
    )
    year_to = YearFilter(
        label="To year",
        method="filter_year_to",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        widget=YEAR_INPUT,
    )
    order = django_filters.ChoiceFilter(
        label="Order",
        choices=[("-date", "Newest first")],
        empty_label="Oldest first",
        method="filter_order",
    )

    class Meta:
        model = Event
        fields = ["q", "category", "actor", "source", "status", "year_from", "year_to", "order"]
        form = TimelineFilterForm

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_categories(self, queryset, name, value):
        return queryset.in_categories(value)

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)

    def filter_actor(self, queryset, name, value):
        return queryset.with_actor(value)

    def filter_source(self, queryset, name, value):
        return queryset.cited_in(value)

    def filter_year_from(self, queryset, name, value):
        return queryset.between_years(year_from=value)

    def filter_year_to(self, queryset, name, value):
        return queryset.between_years(year_to=value)

    def filter_order(self, queryset, name, value):
        return queryset.order_by(*NEWEST_FIRST)

    def cached_options(self, version, seconds):
        """{name: [(value, "<option>…</option>")]} for the actor and source selects.

        Rendering hundreds of options from model instances is most of the work
        of a page whose result list is cached, so they are kept rendered in the
        cache, keyed by the data version. Validation still asks the database.
        """
        lists = {}
        for name in CACHED_OPTIONS:
            key = f"timeline-options:{version}:{name}"
            lists[name] = cache.get(key)
            if lists[name] is None:
                lists[name] = [
                    (str(value), format_html('<option value="{}">{}</option>', value, label))
                    for value, label in self.form.fields[name].choices
                ]
                cache.set(key, lists[name], seconds)
        return lists

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

    @property
    def is_filtered(self):
        data = self.form.cleaned_data
        return any(data.get(name) not in (None, "", []) for name in self.filters if name != "order")
