from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, ExpressionWrapper, Q
from simple_history.models import HistoricalRecords

from relations.anchors import AnchorError, anchor
from relations.dates import DatePrecision, format_date, is_canonical, iso_date
from relations.models.base import (
    QUOTE_MAX_LENGTH,
    SlugManager,
    date_range_errors,
    precision_message,
)
from relations.models.choices import Reliability, SourceKind
from relations.models.citations import Citation
from relations.models.publication import Publication, PublicQuerySet, Publishable
from relations.passages import longest_common_run
from relations.paths import path
from relations.validators import RefusesControlCharacters

WIDEN_LIMIT = 40


class SourceQuerySet(PublicQuerySet):
    def with_event_counts(self):
        """Annotate `event_count`: how many published events cite the source."""
        return self.annotate(
            event_count=Count(
                "citations__event",
                distinct=True,
                filter=Q(citations__event__publication=Publication.PUBLISHED),
            )
        )

    def with_text_flag(self):
        """Annotate `stored_text`: whether the source keeps its text (so `text` can be deferred)."""
        return self.annotate(
            stored_text=ExpressionWrapper(~Q(text=""), output_field=models.BooleanField())
        )


class SourceManager(SlugManager.from_queryset(SourceQuerySet)):
    pass


class Source(RefusesControlCharacters, Publishable, models.Model):
    """A document events are cited from: a stored text kept verbatim, or a reference.

    A reference has no stored text (third-party articles are not copied into
    the project); its citations give a locator instead of a quote.
    """

    Kind = SourceKind
    Reliability = Reliability

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    origin = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "The outlet whose reporting this source reproduces, e.g. Reuters for "
            "an aggregator's rewrite. Sources with the same origin count as one "
            "independent source."
        ),
    )
    url = models.URLField(max_length=500, blank=True)
    archive_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="An archived copy (e.g. web.archive.org), in case the page changes or goes.",
    )
    published_on = models.DateField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    language = models.CharField(
        max_length=16, default="en", help_text="BCP 47 tag, e.g. en, ru, zh-Hans."
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind,
        default=Kind.NEWS,
        help_text=(
            "“Official document” means issued by a government or body taking part in the "
            "events; one such document rated reliable confirms an event on its own."
        ),
    )
    reliability = models.CharField(max_length=20, choices=Reliability, default=Reliability.MIXED)
    reliability_note = models.TextField(
        blank=True, help_text="Why this rating; required unless the source is reliable."
    )
    text = models.TextField(
        blank=True,
        help_text=(
            "The full text, exactly as published: quotes are checked against it. Leave empty "
            "for a reference, whose citations give a locator instead of a quote."
        ),
    )
    notes = models.TextField(blank=True)
    retrieved_at = models.DateTimeField(
        null=True, blank=True, help_text="When the text was fetched from the address, if it was."
    )
    # SHA-256 of the text, so the same text added twice is recognised; derived.
    text_hash = models.CharField(max_length=64, blank=True, editable=False, serialize=False)

    objects = SourceManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        permissions = [("publish_source", "Can publish sources")]
        indexes = [models.Index(fields=["text_hash"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(reliability__in=Reliability.values), name="source_reliability_valid"
            ),
            models.CheckConstraint(
                condition=Q(published_precision__in=DatePrecision.values),
                name="source_published_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(publication__in=Publication.values), name="source_publication_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return path("relations:source", self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def is_reference(self):
        """A source without stored text: cited by locator, not by quote."""
        if "stored_text" in self.__dict__:  # annotated by with_event_counts; text deferred
            return not self.stored_text
        return not self.text

    @property
    def publisher_display(self):
        """'TheWorldNews (reproducing Reuters)', or the publisher alone."""
        if self.origin:
            return f"{self.publisher} (reproducing {self.origin})"
        return self.publisher

    @property
    def published_display(self):
        if self.published_on is None:
            return "date unknown"
        return format_date(self.published_on, self.published_precision)

    @property
    def published_iso(self):
        if self.published_on is None:
            return ""
        return iso_date(self.published_on, self.published_precision)

    def clean(self):
        errors = date_range_errors(self, ["published_on"])
        if self.published_on and not is_canonical(self.published_on, self.published_precision):
            errors["published_on"] = precision_message(self.published_precision)
        if self.reliability != self.Reliability.RELIABLE and not self.reliability_note.strip():
            errors["reliability_note"] = "Say why this source is not rated reliable."
        stranded = self.citations_stranded_by(self.text) if self.pk else []
        if stranded:
            errors["text"] = [
                f"This change would break {len(stranded)} citation(s) that would no longer "
                "anchor in the text exactly once. Change or remove them first:",
                *(f"“{c.quote or c.locator}” ({c.event}): {problem}" for c, problem in stranded),
            ]
        if errors:
            raise ValidationError(errors)

    def citations_stranded_by(self, text):
        """[(citation, problem)] for citations of this source that `text` would strand."""
        stranded = []
        for citation in self.citations.select_related("event"):
            if not text:
                if citation.quote:
                    stranded.append((citation, "a reference without text cannot be quoted"))
                continue
            if not citation.quote:
                stranded.append((citation, "a stored text must be quoted"))
                continue
            try:
                anchor(text, citation.quote, citation.prefix, citation.suffix)
            except AnchorError as exc:
                stranded.append((citation, str(exc)))
        return stranded

    def reanchor_citations(self):
        """Store each citation's position in the current text (after a text edit)."""
        for citation in self.citations.all():
            found = citation.find_anchor(self.text)
            values = (found.start, found.end, found.text_hash) if found else (None, None, "")
            if values != (citation.start, citation.end, citation.text_hash):
                Citation.objects.filter(pk=citation.pk).update(
                    start=values[0], end=values[1], text_hash=values[2]
                )

    def closest_passage(self, quote):
        """The stretch of the text that looks most like `quote`, for error messages."""
        if not self.text or not quote:
            return ""
        # A longer quote is refused for its length anyway.
        run = longest_common_run(self.text, quote[:QUOTE_MAX_LENGTH])
        start = max(0, run.text_start - run.quote_start)
        end = min(len(self.text), start + len(quote))
        # Widen to whole words so the passage reads naturally (a text without
        # spaces, such as Chinese, is not widened by more than a few characters).
        floor, ceiling = max(0, start - WIDEN_LIMIT), min(len(self.text), end + WIDEN_LIMIT)
        while start > floor and not self.text[start - 1].isspace():
            start -= 1
        while end < ceiling and not self.text[end].isspace():
            end += 1
        return self.text[start:end]
