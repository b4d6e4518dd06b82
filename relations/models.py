from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, ExtractYear, NullIf
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from simple_history.models import HistoricalRecords

from relations.dates import DatePrecision, format_date, format_date_range, is_canonical, iso_date

QUOTE_MAX_LENGTH = 1000


class ActorKind(models.TextChoices):
    COUNTRY = "country", "Country"
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class SourceKind(models.TextChoices):
    NEWS = "news", "News report"
    OFFICIAL = "official", "Official document"
    ANALYSIS = "analysis", "Analysis"
    AGGREGATOR = "aggregator", "Aggregator rewrite"
    GENERATED = "generated", "Machine-generated content"
    OTHER = "other", "Other"


class Reliability(models.TextChoices):
    RELIABLE = "reliable", "Reliable"
    MIXED = "mixed", "Mixed"
    UNRELIABLE = "unreliable", "Unreliable"


class Category(models.TextChoices):
    DIPLOMACY = "diplomacy", "Diplomacy"
    TRADE = "trade", "Trade & economy"
    SECURITY = "security", "Security & defence"
    ENERGY = "energy", "Energy"
    FINANCE = "finance", "Finance"
    INFRASTRUCTURE = "infrastructure", "Infrastructure & BRI"
    MULTILATERAL = "multilateral", "Multilateral"


class Status(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    REPORTED = "reported", "Reported"
    DISPUTED = "disputed", "Disputed"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    DISPUTES = "disputes", "Disputes"


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Actor(models.Model):
    """A country, person or organisation that takes part in events."""

    Kind = ActorKind

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.COUNTRY)

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ActorKind.values), name="actor_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Source(models.Model):
    """A document events are cited from, with its full text kept verbatim."""

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
    published_on = models.DateField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    language = models.CharField(
        max_length=16, default="en", help_text="BCP 47 tag, e.g. en, ru, zh-Hans."
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.NEWS)
    reliability = models.CharField(max_length=20, choices=Reliability, default=Reliability.MIXED)
    reliability_note = models.TextField(
        blank=True, help_text="Why this rating; required unless the source is reliable."
    )
    text = models.TextField(
        help_text="The full text, exactly as published: citations are checked against it."
    )
    notes = models.TextField(blank=True)

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
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
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("relations:source", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def independence_key(self):
        return self.origin or self.publisher

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
        errors = {}
        if self.published_on and not is_canonical(self.published_on, self.published_precision):
            errors["published_on"] = _precision_message(self.published_precision)
        if self.reliability != self.Reliability.RELIABLE and not self.reliability_note.strip():
            errors["reliability_note"] = "Say why this source is not rated reliable."
        orphaned = self.citations_missing_from(self.text) if self.pk else []
        if orphaned:
            errors["text"] = [
                f"This change would break {len(orphaned)} citation(s) whose quote would no longer "
                "be in the text. Change or remove them first:",
                *(f"“{c.quote}” ({c.event})" for c in orphaned),
            ]
        if errors:
            raise ValidationError(errors)

    def citations_missing_from(self, text):
        """Citations of this source whose quote does not occur in `text`."""
        return [c for c in self.citations.select_related("event") if c.quote not in text]

    def closest_passage(self, quote):
        """The stretch of the text that looks most like `quote`, for error messages."""
        if not self.text or not quote:
            return ""
        matcher = SequenceMatcher(None, self.text, quote, autojunk=False)
        match = matcher.find_longest_match(0, len(self.text), 0, len(quote))
        start = max(0, match.a - match.b)
        end = min(len(self.text), start + len(quote))
        # Widen to whole words so the passage reads naturally.
        while start > 0 and not self.text[start - 1].isspace():
            start -= 1
        while end < len(self.text) and not self.text[end].isspace():
            end += 1
        return self.text[start:end]


class EventQuerySet(models.QuerySet):
    def in_categories(self, categories):
        return self.filter(category__in=categories)

    def with_actor(self, actor):
        return self.filter(actors=actor)

    def with_status(self, status):
        return self.filter(status=status)

    def cited_in(self, source):
        return self.filter(
            models.Exists(Citation.objects.filter(event=models.OuterRef("pk"), source=source))
        )

    def between_years(self, year_from=None, year_to=None):
        """Events whose span touches the years from `year_from` to `year_to`."""
        qs = self
        if year_from is not None:
            qs = qs.filter(
                Q(start_date__year__gte=year_from)
                | Q(end_date__isnull=False, end_date__year__gte=year_from)
            )
        if year_to is not None:
            qs = qs.filter(start_date__year__lte=year_to)
        return qs

    def search(self, text):
        """Events whose title, summary or a citation quote contains every word of `text`."""
        qs = self
        for word in text.split():
            quoted = Citation.objects.filter(event=models.OuterRef("pk"), quote__icontains=word)
            qs = qs.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | models.Exists(quoted)
            )
        return qs

    def year_counts(self):
        """[(year, number of events starting that year)], in year order."""
        rows = (
            self.order_by()
            .annotate(year=ExtractYear("start_date"))
            .values("year")
            .annotate(count=Count("pk"))
            .order_by("year")
        )
        return [(row["year"], row["count"]) for row in rows]

    def for_display(self):
        """What a list of events shows: actors and the independent-source count."""
        return self.with_source_counts().prefetch_related("actors")

    def with_source_counts(self):
        """Annotate `independent_sources`: distinct origins of supporting citations."""
        origin = Coalesce(
            NullIf("citations__source__origin", Value("")), "citations__source__publisher"
        )
        return self.annotate(
            independent_sources=Count(
                origin, distinct=True, filter=Q(citations__stance=Citation.Stance.SUPPORTS)
            )
        )


class EventManager(SlugManager.from_queryset(EventQuerySet)):
    pass


class Event(models.Model):
    """Something that happened between the two countries, on a date known to some precision."""

    Category = Category

    Status = Status

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    summary = models.TextField()
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty for a single date.")
    precision = models.CharField(
        max_length=5,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="How exactly the dates are known; applies to both ends of a range.",
    )
    date_note = models.TextField(
        blank=True, help_text="Where the date comes from when the sources only imply it."
    )
    category = models.CharField(max_length=20, choices=Category)
    actors = models.ManyToManyField(Actor, related_name="events", blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.REPORTED)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventManager()
    history = HistoricalRecords(m2m_fields=[actors])

    class Meta:
        ordering = ["start_date", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="event_end_not_before_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="event_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="event_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(precision__in=DatePrecision.values), name="event_precision_valid"
            ),
        ]
        indexes = [models.Index(fields=["category", "start_date"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("relations:event", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def date_display(self):
        return format_date_range(self.start_date, self.end_date, self.precision)

    @property
    def start_iso(self):
        return iso_date(self.start_date, self.precision)

    @property
    def end_iso(self):
        return iso_date(self.end_date, self.precision) if self.end_date else ""

    def clean(self):
        errors = {}
        if self.start_date and not is_canonical(self.start_date, self.precision):
            errors["start_date"] = _precision_message(self.precision)
        if self.end_date and not is_canonical(self.end_date, self.precision):
            errors["end_date"] = _precision_message(self.precision)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if errors:
            raise ValidationError(errors)


class CitationManager(models.Manager):
    def get_by_natural_key(self, event_slug, source_slug, quote):
        return self.get(event__slug=event_slug, source__slug=source_slug, quote=quote)


class Citation(models.Model):
    """A verbatim quote from a source that supports or disputes an event."""

    Stance = Stance

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(
        validators=[MaxLengthValidator(QUOTE_MAX_LENGTH)],
        help_text="Copied exactly from the source text, apostrophes and dashes included.",
    )
    locator = models.CharField(max_length=100, blank=True, help_text="e.g. paragraph 4, page 2.")
    stance = models.CharField(max_length=10, choices=Stance, default=Stance.SUPPORTS)
    note = models.TextField(blank=True)

    objects = CitationManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "source", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "source", "quote"],
                name="citation_unique_quote",
                violation_error_message="This event already cites this quote from this source.",
            ),
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values), name="citation_stance_valid"
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="citation_quote_not_empty"),
        ]

    def __str__(self):
        return f"{self.source.slug}: “{self.quote[:60]}”"

    def natural_key(self):
        return (*self.event.natural_key(), *self.source.natural_key(), self.quote)

    natural_key.dependencies = ["relations.event", "relations.source"]

    @property
    def position(self):
        """Where the quote starts in its source text, or -1."""
        return self.source.text.find(self.quote)

    def clean(self):
        if self.source_id is None or not self.quote:
            return
        self.check_quote_is_verbatim()

    def check_quote_is_verbatim(self):
        if self.quote not in self.source.text:
            closest = self.source.closest_passage(self.quote)
            message = f"The quote is not found verbatim in the text of “{self.source}”."
            if closest:
                message += f" Closest passage: “{closest}”."
            message += " Quotes must match exactly, including apostrophes, dashes and spaces."
            raise ValidationError({"quote": message})


def _precision_message(precision):
    if precision == DatePrecision.YEAR:
        return "With year precision, give 1 January of the year."
    return "With month precision, give the first day of the month."


@receiver(pre_save, sender=Citation)
def refuse_quote_not_in_source(sender, instance, **kwargs):
    """The last line of defence, for saves that skip validation (loaddata, scripts)."""
    instance.check_quote_is_verbatim()
