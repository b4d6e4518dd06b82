"""Add a source from pasted text, an uploaded .txt / .html / .pdf, or an address the
server fetches. The stored text is exactly what was extracted; the same text
twice is refused with a link to the source that already holds it."""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relations.anchors import text_hash
from relations.dates import DatePrecision
from relations.editing.extract import ExtractionError, extract, normalise
from relations.editing.fetch import FetchError, fetch
from relations.models import DRAFTED, Source


class SourceFromDocumentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Paste the text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 100}),
    )
    file = forms.FileField(
        label=gettext_lazy("or upload a file"),
        required=False,
        help_text=gettext_lazy(".txt, .html (the article is extracted) or .pdf"),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.html,.htm,.pdf"}),
    )
    url = forms.CharField(
        label=gettext_lazy("or give its address"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("http or https; the server fetches the page and extracts it."),
    )
    title = forms.CharField(
        max_length=300, required=False, help_text=gettext_lazy("Taken from the page if empty.")
    )
    publisher = forms.CharField(
        max_length=200, required=False, help_text=gettext_lazy("Taken from the page if empty.")
    )
    published_on = forms.DateField(
        required=False, help_text=gettext_lazy("YYYY-MM-DD; taken from the page if empty.")
    )
    language = forms.CharField(max_length=16, required=False, initial="en")
    kind = forms.ChoiceField(choices=Source.Kind.choices, initial=Source.Kind.NEWS)
    reliability = forms.ChoiceField(
        choices=Source.Reliability.choices, initial=Source.Reliability.MIXED
    )
    reliability_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 100}),
        help_text=gettext_lazy("Why this rating; required unless the source is reliable."),
    )

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("text", "file", "url") if cleaned.get(name)]
        if len(given) != 1:
            raise ValidationError(
                _("Give exactly one of: pasted text, a file or an address."), code="one_input"
            )
        upload = cleaned.get("file")
        if upload and upload.size > settings.SOURCE_FETCH_MAX_BYTES:
            self.add_error("file", _("The file is larger than the limit."))
        return cleaned

    def read_document(self):
        """(Extracted, final URL, retrieved_at) for the one input given."""
        data = self.cleaned_data
        if data.get("text"):
            text = normalise(data["text"])
            return extract(text.encode("utf-8"), content_type="text/plain"), "", None
        if data.get("file"):
            upload = data["file"]
            content = upload.read()
            return extract(content, upload.name, upload.content_type or ""), "", None
        fetched = fetch(data["url"].strip())
        extracted = extract(fetched.body, content_type=fetched.content_type, url=fetched.final_url)
        return extracted, fetched.final_url, fetched.retrieved_at


def create_source(form, user):
    """A draft Source from the form's document, or None with the form's errors set."""
    try:
        extracted, final_url, retrieved_at = form.read_document()
    except (ExtractionError, FetchError) as exc:
        form.add_error(None, str(exc))
        return None
    duplicate = Source.objects.filter(text_hash=text_hash(extracted.text)).first()
    if duplicate is not None:
        form.add_error(
            None,
            format_html(
                _('This text is already stored as the source <a href="{}">{}</a>.'),
                reverse("admin:relations_source_change", args=[duplicate.pk]),
                duplicate.title,
            ),
        )
        return None
    data = form.cleaned_data
    title = data["title"] or extracted.title or first_line(extracted.text)
    published_on = data["published_on"] or parse_date(extracted.date)
    source = Source(
        title=title[:300],
        slug=unique_slug(title),
        publisher=data["publisher"] or extracted.publisher,
        url=final_url,
        published_on=published_on,
        published_precision=DatePrecision.DAY,
        language=data["language"] or extracted.language or "en",
        kind=data["kind"],
        reliability=data["reliability"],
        reliability_note=data["reliability_note"],
        text=extracted.text,
        retrieved_at=retrieved_at,
        publication=Source.Publication.DRAFT,
    )
    if not source.publisher:
        form.add_error("publisher", _("The document does not say who published it: give it."))
        return None
    try:
        source.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return None
    source._history_user = user
    source._change_reason = DRAFTED
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        form.add_error(None, _("A source with this title was added at the same moment; retry."))
        return None
    return source


def first_line(text):
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= 120 else line[:119].rsplit(" ", 1)[0] + "…"


def parse_date(value):
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def unique_slug(title):
    base = slugify(title)[:80].strip("-") or "source"
    slug, number = base, 2
    while Source.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug
