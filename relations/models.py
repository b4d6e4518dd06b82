import datetime as dt
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, connections, models, transaction
from django.db.models import Count, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, ExtractYear, NullIf
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_save,
)
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from relations.dates import DatePrecision, SpanDates, format_date, is_canonical, iso_date
from relations.extract import text_hash
from relations.passages import longest_common_run
from relations.publication import Publication, PublicQuerySet, Publishable
from relations.search import split_search
from relations.validators import (
    RefusesControlCharacters,
    control_character_errors,
    validate_timeline_date,
)

QUOTE_MAX_LENGTH = 1000
WIDEN_LIMIT = 40
FTS_MATCH = "SELECT rowid FROM relations_event_fts WHERE relations_event_fts MATCH %s"


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


class Actor(RefusesControlCharacters, models.Model):
    """A country, person or organisation that takes part in events."""

    Kind = ActorKind

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.COUNTRY)
    aliases = models.TextField(
        blank=True,
        help_text=(
            "Other names, one per line: spellings, abbreviations and the Russian and "
            "Chinese forms (e.g. Лукашенко, 卢卡申科), so the actor is found by any of them."
        ),
    )

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

    @property
    def alias_list(self):
        """The aliases as a list, blank lines and surrounding spaces dropped."""
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def names(self):
        """The name and every alias: what the actor may be called in a text."""
        return [self.name, *self.alias_list]

    def clean(self):
        # One alias a line, no duplicates, none repeating the name: what editors' tools match on.
        self.aliases = "\n".join(dict.fromkeys(a for a in self.alias_list if a != self.name))


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


class SourceManager(SlugManager.from_queryset(SourceQuerySet)):
    pass


class Source(RefusesControlCharacters, Publishable, models.Model):
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
        return reverse("relations:source", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def independence_key(self):
        return self.origin or self.publisher

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


class EventQuerySet(PublicQuerySet):
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
        """Events whose title, summary or a citation quote contains every word of `text`.

        Case-insensitive substring matching, as `icontains` does; which words
        count, and which the indexes serve, is relations.search's rule.
        """
        words = split_search(text)
        qs = self
        if connection.vendor != "sqlite":
            # PostgreSQL's pg_trgm index serves icontains on words of three or more characters.
            for word in words.indexed:
                qs = qs.filter(search_document__icontains=word)
        elif words.indexed:
            match = " AND ".join('"' + word.replace('"', '""') + '"' for word in words.indexed)
            qs = qs.filter(pk__in=RawSQL(FTS_MATCH, [match]))
        for word in words.scanned:
            qs = qs.filter(search_document__icontains=word)
        return qs

    def year_counts(self):
        """[(year, number of events starting that year)], in year order."""
        rows = (
            self.order_by().values("start_year").annotate(count=Count("pk")).order_by("start_year")
        )
        return [(row["start_year"], row["count"]) for row in rows]

    # Writes that send no signals keep the counts table (relations/tally.py) in step.
    def update(self, **kwargs):
        if set(kwargs) <= tally.UNTALLIED_FIELDS:
            return super().update(**kwargs)
        rederive = None
        if "start_date" in kwargs and "start_year" not in kwargs:
            # start_year follows start_date, as fill_derived_fields does for a save.
            start = kwargs["start_date"]
            if isinstance(start, dt.date):
                kwargs["start_year"] = start.year
            else:  # an expression: read the new dates back
                rederive = list(self.values_list("pk", flat=True))
        years = None
        if not {"start_date", "end_date", "start_year"} & set(kwargs):
            years = set(self.order_by().values_list("start_year", flat=True).distinct())
        updated = super().update(**kwargs)
        if rederive is not None:
            Event.objects.filter(pk__in=rederive).update(start_year=ExtractYear("start_date"))
        tally.refresh(years)
        return updated

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for event in objs:
            if event.start_year is None and event.start_date:
                event.start_year = event.start_date.year
        created = super().bulk_create(objs, *args, **kwargs)
        tally.refresh()
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        updated = super().bulk_update(objs, fields, *args, **kwargs)
        if not set(fields) <= tally.UNTALLIED_FIELDS:
            tally.refresh()
        return updated

    def for_display(self):
        """These events with what a list shows: `actor_names` and `independent_sources`.

        Two small queries beside the events' own, rather than a GROUP BY over
        every column of the events and an Actor instance per name.
        """
        events = list(self.defer("search_document"))
        ids = [event.pk for event in events]
        origin = Coalesce(NullIf("source__origin", Value("")), "source__publisher")
        sources = dict(
            Citation.objects.filter(
                event_id__in=ids,
                stance=Citation.Stance.SUPPORTS,
                source__publication=Publication.PUBLISHED,
            )
            .order_by()
            .values("event_id")
            .annotate(n=Count(origin, distinct=True))
            .values_list("event_id", "n")
        )
        names = {}
        links = Event.actors.through.objects.filter(event_id__in=ids)
        for event_id, name in links.order_by("actor__name").values_list("event_id", "actor__name"):
            names.setdefault(event_id, []).append(name)
        for event in events:
            event.independent_sources = sources.get(event.pk, 0)
            event.actor_names = names.get(event.pk, [])
        return events


class EventManager(SlugManager.from_queryset(EventQuerySet)):
    pass


class Event(RefusesControlCharacters, SpanDates, Publishable, models.Model):
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
    # Title, summary and every quote, for free-text search; derived, so neither
    # exported nor kept in the history. Indexed by FTS5 on SQLite and by a
    # trigram index on PostgreSQL (migration 0004).
    search_document = models.TextField(blank=True, editable=False, serialize=False)
    # The year of start_date, stored so that the per-year chart groups on an index.
    start_year = models.IntegerField(null=True, editable=False, serialize=False)

    objects = EventManager()
    history = HistoricalRecords(
        m2m_fields=[actors], excluded_fields=["search_document", "start_year"]
    )

    class Meta:
        ordering = ["start_date", "slug"]
        permissions = [("publish_event", "Can publish events")]
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
            models.CheckConstraint(
                condition=Q(publication__in=Publication.values), name="event_publication_valid"
            ),
        ]
        # end_date in the date indexes lets a year filter, which compares it, be
        # checked from the index without reading each row.
        indexes = [
            models.Index(fields=["start_date", "slug"]),
            models.Index(fields=["start_date", "end_date"]),
            models.Index(fields=["category", "start_date", "end_date"]),
            models.Index(fields=["start_year"]),
            models.Index(fields=["category", "start_year"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("relations:event", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def timeline_neighbours(self):
        """(the event just before, the event just after) this one in timeline order.

        Timeline order is start date, then slug; published events only. Each is
        None at an end of the timeline. Each query reads the (start_date, slug)
        index from this date on.
        """
        events = Event.objects.public().only("slug", "title", "start_date", "end_date", "precision")
        # The date ranges keep the index seek; these drop this event and the
        # same-day events on the wrong side of it in slug order.
        same_day_from_here_on = Q(start_date=self.start_date, slug__gte=self.slug)
        same_day_up_to_here = Q(start_date=self.start_date, slug__lte=self.slug)
        before = (
            events.filter(start_date__lte=self.start_date)
            .exclude(same_day_from_here_on)
            .order_by("-start_date", "-slug")
            .first()
        )
        after = (
            events.filter(start_date__gte=self.start_date)
            .exclude(same_day_up_to_here)
            .order_by("start_date", "slug")
            .first()
        )
        return before, after

    def build_search_document(self, quotes=None):
        """Title, summary and the quotes from published sources: what a reader may search."""
        if quotes is None:
            quotes = (
                self.citations.filter(source__publication=Publication.PUBLISHED).values_list(
                    "quote", flat=True
                )
                if self.pk
                else []
            )
        return "\n".join([self.title, self.summary, *quotes])

    def cited_sources(self):
        return Source.objects.filter(citations__event=self).distinct() if self.pk else []

    def clean(self):
        errors = date_range_errors(self, ["start_date", "end_date"])
        if self.start_date and not is_canonical(self.start_date, self.precision):
            errors["start_date"] = _precision_message(self.precision)
        if self.end_date and not is_canonical(self.end_date, self.precision):
            errors["end_date"] = _precision_message(self.precision)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if errors:
            raise ValidationError(errors)


class CitationQuerySet(models.QuerySet):
    def public(self):
        """Citations readers may see: of a published event, from a published source."""
        return self.filter(
            event__publication=Publication.PUBLISHED, source__publication=Publication.PUBLISHED
        )


class CitationManager(models.Manager.from_queryset(CitationQuerySet)):
    def get_by_natural_key(self, event_slug, source_slug, quote):
        return self.get(event__slug=event_slug, source__slug=source_slug, quote=quote)


class Citation(RefusesControlCharacters, models.Model):
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


def date_range_errors(instance, names):
    """{field name: error} for the date fields of `instance` outside the timeline's years."""
    errors = {}
    for name in names:
        try:
            validate_timeline_date(getattr(instance, name))
        except ValidationError as error:
            errors[name] = error
    return errors


def _precision_message(precision):
    if precision == DatePrecision.YEAR:
        return "With year precision, give 1 January of the year."
    return "With month precision, give the first day of the month."


@receiver(pre_save, sender=Citation)
def refuse_quote_not_in_source(sender, instance, **kwargs):
    """The last line of defence, for saves that skip validation (loaddata, scripts)."""
    instance.check_quote_is_verbatim()


def refuse_control_characters(sender, instance, **kwargs):
    """The last line of defence, for saves that skip validation (loaddata, scripts)."""
    errors = control_character_errors(instance)
    if errors:
        raise ValidationError(errors)


@receiver(pre_save, sender=Source)
def fill_text_hash(sender, instance, **kwargs):
    instance.text_hash = text_hash(instance.text)


@receiver(pre_save, sender=Event)
def fill_derived_fields(sender, instance, **kwargs):
    instance.search_document = instance.build_search_document()
    # to_python: a date may arrive as a string, e.g. Event.objects.create(start_date="2024-08-22").
    start = sender._meta.get_field("start_date").to_python(instance.start_date)
    instance.start_year = start.year if start else None


@receiver(pre_save, sender=Event)
def remember_tallied_year(sender, instance, raw, **kwargs):
    instance._tallied_year = (
        Event.objects.filter(pk=instance.pk).values_list("start_year", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=Event)
def tally_saved_event(sender, instance, **kwargs):
    tally.refresh({getattr(instance, "_tallied_year", None), instance.start_year})


@receiver(post_delete, sender=Event)
def tally_deleted_event(sender, instance, **kwargs):
    tally.refresh({instance.start_year})


@receiver(post_migrate)
def tally_after_migrate(sender, app_config, **kwargs):
    """Data migrations write through historical models, which bypass everything above."""
    using = kwargs.get("using", "default")
    if (
        app_config.name == "relations"
        and EventTally._meta.db_table in connections[using].introspection.table_names()
    ):
        tally.refresh()


@receiver(post_save, sender=Citation)
@receiver(post_delete, sender=Citation)
def refresh_search_document(sender, instance, **kwargs):
    # update() leaves updated_at alone: a new quote is not an edit of the event.
    for event in Event.objects.filter(pk=instance.event_id):
        Event.objects.filter(pk=event.pk).update(search_document=event.build_search_document())


@receiver(post_save, sender=Source)
def refresh_citing_search_documents(sender, instance, **kwargs):
    """A source going public (or back to draft) adds (or removes) its quotes from search."""
    for event in Event.objects.filter(citations__source=instance).distinct():
        Event.objects.filter(pk=event.pk).update(search_document=event.build_search_document())


class TimelineVersion(models.Model):
    """A number that every change to timeline data moves on.

    Cached pages are keyed by it, so an edit anywhere makes them all stale at
    once, in every server process. It is this table's one row, which also
    dates the change (for Last-Modified). With a shared cache (CACHE_URL) the
    number and its date live in that cache beside the pages, moved after each
    commit, so every server reads them without asking the database.
    """

    CACHE_KEY = "timeline-version"
    CHANGED_KEY = "timeline-version-changed-at"

    number = models.BigIntegerField(default=0)
    # When the number last moved: the Last-Modified of every public page and export.
    changed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"Timeline data version {self.number}"

    @staticmethod
    def shared():
        return settings.CACHES["default"]["BACKEND"].endswith(".RedisCache")

    @classmethod
    def current(cls):
        if cls.shared():
            number = cache.get(cls.CACHE_KEY)
            if number is None:
                # Lost (a flushed or restarted Redis): a random start cannot meet
                # the numbers of pages cached before.
                cache.add(cls.CACHE_KEY, secrets.randbits(48), timeout=None)
                number = cache.get(cls.CACHE_KEY)
            return number
        return cls.objects.values_list("number", flat=True).first() or 0

    @classmethod
    def state(cls):
        """(number, time it last changed or None), in one query (or from the shared cache)."""
        if cls.shared():
            return cls.current(), cache.get(cls.CHANGED_KEY)
        return cls.objects.values_list("number", "changed_at").first() or (0, None)

    @classmethod
    def bump(cls):
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(number=models.F("number") + 1, changed_at=now):
            cls.objects.get_or_create(pk=1, defaults={"number": 1, "changed_at": now})
        if cls.shared():
            # After the commit: a reader that took the new number must find the new data.
            transaction.on_commit(cls._bump_shared)

    @classmethod
    def _bump_shared(cls):
        try:
            cache.incr(cls.CACHE_KEY)
        except ValueError:  # not there yet
            cache.add(cls.CACHE_KEY, secrets.randbits(48), timeout=None)
        cache.set(cls.CHANGED_KEY, timezone.now(), timeout=None)


def timeline_changed(**kwargs):
    TimelineVersion.bump()


for model in (Actor, Source, Event, Citation):
    pre_save.connect(
        refuse_control_characters, sender=model, dispatch_uid=f"plain-text-{model.__name__}"
    )
    post_save.connect(timeline_changed, sender=model, dispatch_uid=f"version-save-{model.__name__}")
    post_delete.connect(
        timeline_changed, sender=model, dispatch_uid=f"version-delete-{model.__name__}"
    )
m2m_changed.connect(timeline_changed, sender=Event.actors.through, dispatch_uid="version-actors")

# The counts table and its model; imported last, as it reads Event.
from relations import tally  # noqa: E402
from relations.tally import EventTally  # noqa: E402
