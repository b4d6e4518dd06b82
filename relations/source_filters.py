"""The sources list's search, filters and order: a reader narrows 120 sources (or 1,000)
to the ones they are after, and every choice is a query parameter a link can share."""

from django import forms
from django.db.models import F
from django.utils.http import urlencode

from relations.languages import language_name
from relations.models import Reliability, Source, SourceKind

SOURCES_PER_PAGE = 50

HELD = [("", "All sources"), ("text", "Texts kept here (quoted)"), ("reference", "References")]
ORDERS = {
    "title": ("Title", [F("title").asc(), "slug"]),
    "-published": ("Newest first", [F("published_on").desc(nulls_last=True), "title", "slug"]),
    "published": ("Oldest first", [F("published_on").asc(nulls_last=True), "title", "slug"]),
    "-events": ("Most events cited", ["-event_count", "title", "slug"]),
}


def language_label(code):
    """'Russian (ru)' for a BCP 47 tag."""
    return f"{language_name(code)} ({code})"


class SourceFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=200, strip=True,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title or publisher"}),
    )  # fmt: skip
    kind = forms.ChoiceField(
        label="Kept here or referenced",
        choices=HELD,
        required=False,
        error_messages={"invalid_choice": "There is no kind of source “%(value)s”."},
    )
    type = forms.ChoiceField(
        label="Type",
        choices=[("", "Any type"), *SourceKind.choices],
        required=False,
        error_messages={"invalid_choice": "There is no type of source “%(value)s”."},
    )
    reliability = forms.ChoiceField(
        label="Reliability",
        choices=[("", "Any reliability"), *Reliability.choices],
        required=False,
        error_messages={"invalid_choice": "There is no reliability “%(value)s”."},
    )
    language = forms.ChoiceField(
        label="Language",
        required=False,
        error_messages={"invalid_choice": "No source is in the language “%(value)s”."},
    )
    order = forms.ChoiceField(
        label="Order",
        choices=[(value, label) for value, (label, _) in ORDERS.items()],
        required=False,
        error_messages={"invalid_choice": "The list cannot be ordered by “%(value)s”."},
    )

    def __init__(self, data, languages):
        super().__init__(data)
        self.fields["language"].choices = [
            ("", "Any language"),
            *sorted(((code, language_label(code)) for code in languages), key=lambda c: c[1]),
        ]

    def filter(self, sources):
        data = self.cleaned_data
        if data["q"]:
            sources = sources.filter(pk__in=matching(data["q"]))
        if data["kind"] == "text":
            sources = sources.exclude(text="")
        elif data["kind"] == "reference":
            sources = sources.filter(text="")
        for name, field in (
            ("type", "kind"),
            ("reliability", "reliability"),
            ("language", "language"),
        ):
            if data[name]:
                sources = sources.filter(**{field: data[name]})
        return sources.order_by(*ORDERS[data["order"] or "title"][1])

    @property
    def is_filtered(self):
        data = self.cleaned_data if self.is_valid() else {}
        return any(data.get(name) for name in ("q", "kind", "type", "reliability", "language"))

    def query(self):
        """The valid choices as a query string without the page, for links that keep them."""
        return urlencode(
            [(name, self.cleaned_data[name]) for name in self.fields if self.cleaned_data.get(name)]
        )


def matching(text):
    """Ids of the sources whose title, publisher or origin hold every word of `text`.

    Compared casefolded in Python: the databases' own case-insensitive matching
    leaves Cyrillic and Greek as they are on SQLite, and the titles are few.
    """
    words = text.casefold().split()
    rows = Source.objects.public().values_list("pk", "title", "publisher", "origin")
    return [
        pk for pk, *fields in rows if all(word in " ".join(fields).casefold() for word in words)
    ]


def source_languages():
    return sorted(set(Source.objects.public().values_list("language", flat=True)))
