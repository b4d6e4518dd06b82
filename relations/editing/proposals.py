"""From a stored text to cited events: the proposals page, and what an editor does
with a chosen passage — cite it for an existing event or start a new event from it.

A passage is chosen as offsets into the source text (the editor's selection, or
the whole sentence), so its quote and anchor are verbatim by construction.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relations.anchors import disambiguators
from relations.dates import EventDate, format_date
from relations.editing.candidates import propose
from relations.editing.duplicates import candidate_from, probable_duplicates
from relations.models import DRAFTED, Actor, Citation, Event, Source

TITLE_LENGTH = 120


def source_proposals(source):
    events = Event.objects.prefetch_related("actors").order_by("start_date", "slug")
    return propose(
        source.text,
        source.published_on,
        Actor.objects.all(),
        events,
        source.published_precision,
    )


class PassageForm(forms.Form):
    """A stretch of a source's text, given by offsets (code points, end exclusive)."""

    source = forms.ModelChoiceField(queryset=Source.objects.all(), widget=forms.HiddenInput)
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        source, start, end = cleaned.get("source"), cleaned.get("start"), cleaned.get("end")
        if source is None or start is None or end is None:
            return cleaned
        if not start < end <= len(source.text):
            raise ValidationError(_("The passage is not within the source text; choose it again."))
        # Whitespace at the edges of a selection is not part of the quote.
        passage = source.text[start:end]
        start += len(passage) - len(passage.lstrip())
        end -= len(passage) - len(passage.rstrip())
        if start >= end:
            raise ValidationError(_("The passage is empty; choose some text."))
        cleaned["start"], cleaned["end"] = start, end
        cleaned["quote"] = source.text[start:end]
        return cleaned


class CitePassageForm(PassageForm):
    event = forms.ModelChoiceField(
        queryset=Event.objects.all(),
        to_field_name="slug",
        error_messages={"invalid_choice": gettext_lazy("There is no event with this slug.")},
    )


def cite(event, source, quote, user, start=None):
    """A supporting citation of `quote` for `event`; raises ValidationError if refused.

    With `start` (where the selection began), a quote that occurs more than once
    gets the prefix or suffix that anchors it there.
    """
    prefix = suffix = ""
    if start is not None:
        prefix, suffix = disambiguators(source.text, start, start + len(quote))
    citation = Citation(event=event, source=source, quote=quote, prefix=prefix, suffix=suffix)
    citation.full_clean()
    citation._history_user = user
    citation.save()
    return citation


class EventFromPassageForm(forms.ModelForm):
    """A new event prefilled from a passage, saved as a draft with the passage as its citation."""

    source = forms.ModelChoiceField(queryset=Source.objects.all(), widget=forms.HiddenInput)
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    not_a_duplicate = forms.BooleanField(
        required=False,
        label=gettext_lazy("This is a different event: save it anyway"),
    )

    class Meta:
        model = Event
        fields = [
            "title", "slug", "summary", "category", "actors", "date_edtf", "date_note",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "slug": forms.TextInput(attrs={"class": "vTextField", "size": 60}),
            "summary": forms.Textarea(attrs={"rows": 3, "cols": 80, "class": "vLargeTextField"}),
            "date_note": forms.Textarea(attrs={"rows": 2, "cols": 80, "class": "vLargeTextField"}),
            "actors": forms.CheckboxSelectMultiple,
            "date_edtf": forms.TextInput(attrs={"class": "vTextField", "size": 40}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_edtf"].required = True
        self.duplicates = []

    def clean(self):
        cleaned = super().clean()
        passage = PassageForm(
            {
                "source": getattr(cleaned.get("source"), "pk", None),
                "start": cleaned.get("start"),
                "end": cleaned.get("end"),
            }
        )
        if not passage.is_valid():
            raise ValidationError(passage.non_field_errors() or _("Choose the passage again."))
        cleaned["quote"] = passage.cleaned_data["quote"]
        cleaned["start"] = passage.cleaned_data["start"]
        if not self.errors:
            actors = [actor.pk for actor in cleaned.get("actors", [])]
            self.duplicates = probable_duplicates(candidate_from(cleaned, self.instance), actors)
            if self.duplicates and not cleaned.get("not_a_duplicate"):
                raise ValidationError(duplicate_message(self.duplicates))
        return cleaned

    def save_with_citation(self, user):
        with transaction.atomic():
            event = self.save(commit=False)
            event.publication = Event.Publication.DRAFT
            event._history_user = user
            event._change_reason = DRAFTED
            event.save()
            self.save_m2m()
            cite(
                event,
                self.cleaned_data["source"],
                self.cleaned_data["quote"],
                user,
                start=self.cleaned_data.get("start"),
            )
        return event


def duplicate_message(duplicates):
    items = format_html_join(
        "",
        '<li><a href="{}">{}</a> ({}), {}</li>',
        (
            (
                f"/admin/relations/event/{event.pk}/change/",
                event.title,
                event.date_display,
                _("same dates and %(why)s") % {"why": why},
            )
            for event, why in duplicates
        ),
    )
    return format_html(
        "{}<ul>{}</ul>{}",
        _("This looks like an event already on the timeline:"),
        items,
        _("Add the quote to that event instead, or tick “This is a different event”."),
    )


def initial_from_proposal(source, proposal, start, end):
    """The new-event form's initial values for a passage of a proposal's sentence."""
    found = proposal.date
    quote = source.text[start:end]
    title = quote if len(quote) <= TITLE_LENGTH else quote[: TITLE_LENGTH - 1].rsplit(" ", 1)[0]
    note = ""
    if found.inferred:
        note = _("Inferred from “%(expression)s” in “%(source)s”, published %(published)s.") % {
            "expression": found.expression,
            "source": source.title,
            "published": source.published_display,
        }
    title = title.rstrip(" .,;:") + ("…" if len(quote) > TITLE_LENGTH else "")
    return {
        "title": title,
        "slug": unique_event_slug(title),
        "summary": quote,
        "category": proposal.category,
        "actors": [actor.pk for actor in proposal.actors],
        "date_edtf": EventDate.from_span(found.date, found.end_date, found.precision).edtf,
        "date_note": note,
        "source": source.pk,
        "start": start,
        "end": end,
    }


def unique_event_slug(title):
    base = slugify(title)[:80].strip("-") or "event"
    slug, number = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def proposal_at(source, start, end):
    """The proposal whose sentence holds the passage, if any."""
    for proposal in source_proposals(source):
        if proposal.start <= start and end <= proposal.end:
            return proposal
    return None


def describe_date(found):
    text = format_date(found.date, found.precision)
    if found.end_date:
        text += " – " + format_date(found.end_date, found.precision)
    return text
