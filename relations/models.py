import datetime as dt
import secrets
import threading
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, connections, models, transaction
from django.db.models import Count, ExpressionWrapper, Q
from django.db.models.expressions import Col, RawSQL
from django.db.models.functions import ExtractYear
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from relations import evidence
from relations.anchors import AnchorError, anchor, text_hash
from relations.dates import (
    DatePrecision,
    EventDate,
    InvalidDate,
    SpanDates,
    format_date,
    is_canonical,
    iso_date,
)
from relations.passages import longest_common_run
from relations.publication import (
    Publication,
    PublicQuerySet,
    Publishable,
    Revision,  # noqa: F401  (every model is found here)
)
from relations.search import split_search
from relations.validators import (
    RefusesControlCharacters,
    control_character_errors,
    validate_timeline_date,
)

QUOTE_MAX_LENGTH = 1000
WIDEN_LIMIT = 40
# The fields an event's search document is built from, besides its citations' quotes.
SEARCHED_FIELDS = frozenset({"title", "summary"})
FTS_MATCH = "SELECT rowid FROM relations_event_fts WHERE relations_event_fts MATCH %s"


def fts_match(words):
    """An FTS5 query for rows containing every one of `words` (folded), each a phrase."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def search_ids(text, version):
    """Ids of the events, draft or published, whose text contains every word of `text`.

    From the index of whole words (relations/words.py) when it serves the
    search; otherwise as EventQuerySet.search finds them. `version` is the data
    version read before (TimelineVersion.current()).
    """
    searched = split_search(text)
    if searched.indexed:
        found = words.search([word.casefold() for word in searched.indexed], version)
        if found is not None:
            return found
    return list(Event.objects.search(text).order_by().values_list("pk", flat=True))


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
    # Says beforehand that the act will happen ("will sign", "will attend"): never support.
    ANNOUNCES = "announces", "Announces beforehand"


class Rank(models.TextChoices):
    """Wikidata's ranks for a citation's claim: which one the timeline uses when sources differ."""

    PREFERRED = "preferred", "Preferred"
    NORMAL = "normal", "Normal"
    DEPRECATED = "deprecated", "Deprecated"


OVERRIDE_STATUSES = [
    (Status.REPORTED.value, Status.REPORTED.label),
    (Status.DISPUTED.value, Status.DISPUTED.label),
]


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
        return reverse("relations:source", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def independence_key(self):
        return evidence.origin_of(self)

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
            errors["published_on"] = _precision_message(self.published_precision)
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

    def related_to(self, event, limit=4):
        """Other events sharing an actor or the category with `event`, nearest in time first."""
        actors = [actor.pk for actor in event.actors.all()]
        candidates = (
            self.exclude(pk=event.pk)
            .filter(Q(actors__in=actors) | Q(category=event.category))
            .distinct()
            .only("slug", "title", "date_edtf", "start_date", "end_date", "precision", "category")
        )
        earlier = candidates.filter(start_date__lte=event.start_date).order_by(
            "-start_date", "-slug"
        )
        later = candidates.filter(start_date__gt=event.start_date).order_by("start_date", "slug")
        nearest = [*earlier[:limit], *later[:limit]]
        nearest.sort(key=lambda other: abs((other.start_date - event.start_date).days))
        return sorted(nearest[:limit], key=lambda other: (other.start_date, other.slug))

    def between_dates(self, first, last):
        """Events whose span touches the days from `first` to `last`."""
        return self.filter(start_date__lte=last).filter(
            Q(start_date__gte=first) | Q(end_date__isnull=False, end_date__gte=first)
        )

    def search(self, text):
        """Events whose title, summary or a citation quote contains every word of `text`.

        Case-insensitive substring matching in any alphabet: the document and the
        words are folded alike (str.casefold). Which words count, and which the
        indexes serve, is relations.search's rule.
        """
        searched = split_search(text)
        indexed = [word.casefold() for word in searched.indexed]
        qs = self
        if connection.vendor != "sqlite":
            # PostgreSQL's pg_trgm index serves LIKE on words of three or more characters.
            for word in indexed:
                qs = qs.filter(search_document__contains=word)
        elif indexed:
            qs = qs.filter(pk__in=RawSQL(FTS_MATCH, [fts_match(indexed)]))
        for word in searched.scanned:
            qs = qs.filter(search_document__contains=word.casefold())
        return qs

    def year_counts(self):
        """[(year, number of events starting that year)], in year order."""
        rows = (
            self.order_by().values("start_year").annotate(count=Count("pk")).order_by("start_year")
        )
        return [(row["start_year"], row["count"]) for row in rows]

    # Writes that send no signals keep the derived fields and tables in step and move the
    # data version, in one transaction with the write, as a save does.
    def update(self, **kwargs):
        with transaction.atomic():
            tally.lock_writers()
            searched = bool(SEARCHED_FIELDS & set(kwargs)) and "search_document" not in kwargs
            written = None
            if searched or set(kwargs) & {*listing.LISTED_FIELDS, "search_document"}:
                written = list(self.values_list("pk", flat=True))
            updated = self._update_tallied(**kwargs)
            if written and set(kwargs) & set(listing.LISTED_FIELDS):
                listing.refresh(written)
            if written and "search_document" in kwargs:
                words.refresh(written)
            if written and searched:
                Event.objects.filter(pk__in=written).refresh_derived()
            TimelineVersion.bump()
        return updated

    def refresh_derived(self):
        """Store these events' search documents and statuses as their citations now make
        them, in a few queries; update() below indexes the documents again and renders
        and counts the events whose status changed. Returns the ids of those events."""
        events = list(
            self.only(
                "title", "summary", "status", "status_reason",
                "status_override", "status_override_reason",
            )
        )  # fmt: skip
        cited = {}
        citations = (
            Citation.objects.filter(
                event__in=[event.pk for event in events],
                source__publication=Publication.PUBLISHED,
            )
            .select_related("source")
            .defer("source__text")
        )
        for citation in citations:  # in the order build_search_document and assess read them
            cited.setdefault(citation.event_id, []).append(citation)
        reassessed = []
        for event in events:
            found = cited.get(event.pk, [])
            event.search_document = event.build_search_document([c.quote for c in found if c.quote])
            status = event.assess(found)
            if status != (event.status, event.status_reason):
                event.status, event.status_reason = status
                reassessed.append(event)
        Event.objects.bulk_update(events, ["search_document"], batch_size=listing.BATCH)
        Event.objects.bulk_update(reassessed, ["status", "status_reason"], batch_size=listing.BATCH)
        return {event.pk for event in reassessed}

    def _update_tallied(self, **kwargs):
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
        with transaction.atomic():
            tally.lock_writers()
            created = super().bulk_create(objs, *args, **kwargs)
            tally.refresh()
            if all(event.pk for event in created):
                listing.refresh(event.pk for event in created)
                words.refresh(event.pk for event in created)
            else:  # a backend that does not return the new ids
                listing.refresh_stale()
                words.refresh_stale()
            TimelineVersion.bump()
        return created

    # bulk_update() needs nothing of its own: Django writes each batch with update() above,
    # which keeps the derived fields and tables in step and moves the data version (doing it
    # here too did all of it twice).

    def for_display(self):
        """These events with what a list shows: `actor_names` and `independent_sources`.

        Two small queries beside the events' own, rather than a GROUP BY over
        every column of the events and an Actor instance per name.
        """
        events = list(self.defer("search_document"))
        ids = [event.pk for event in events]
        # Origins that count under the evidence rules, and those rated unreliable, apart;
        # counted in Python, where evidence.body() tells one body's names apart.
        rows = (
            Citation.objects.filter(event_id__in=ids, source__publication=Publication.PUBLISHED)
            .order_by()
            .values_list(
                "event_id", "origin", "source__origin", "source__publisher",
                "source__reliability", "stance", "rank",
            )
            .distinct()
        )  # fmt: skip
        counted, unreliable = {}, {}
        for event_id, own, origin, publisher, reliability, stance, rank in rows:
            name = evidence.body(own or origin or publisher)
            if reliability == Reliability.UNRELIABLE:
                unreliable.setdefault(event_id, set()).add(name)
            elif stance == Stance.SUPPORTS and rank != Rank.DEPRECATED:
                counted.setdefault(event_id, set()).add(name)
        sources = {
            event_id: (len(counted.get(event_id, ())), len(unreliable.get(event_id, ())))
            for event_id in ids
        }
        names = {}
        links = Event.actors.through.objects.filter(event_id__in=ids)
        for event_id, name in links.order_by("actor__name").values_list("event_id", "actor__name"):
            names.setdefault(event_id, []).append(name)
        for event in events:
            event.independent_sources, event.unreliable_sources = sources.get(event.pk, (0, 0))
            event.actor_names = names.get(event.pk, [])
        return events


class EventManager(SlugManager.from_queryset(EventQuerySet)):
    pass


# Everything relations.positions reads of the published events, in their order: an index
# of these is read alone (220 ms rather than 620 at 100,000 events on SQLite), after each
# edit, by each server process.
POSITIONS_FIELDS = [
    "publication", "start_date", "slug", "start_year", "end_date", "category", "status"
]  # fmt: skip


class Event(RefusesControlCharacters, SpanDates, Publishable, models.Model):
    """Something that happened between the two countries, on a date known to some precision.

    The date is an EDTF string (`date_edtf`); its earliest and latest possible
    days are stored as `start_date` and `end_date` (empty for a single day or
    an open end) for ordering and filtering, and `precision` is that of the
    earliest known point. The status follows from the citations by the rules
    in relations/evidence.py, unless an editor overrides it with a reason.
    """

    Category = Category
    Status = Status

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    summary = models.TextField()
    date_edtf = models.CharField(
        "date (EDTF)",
        max_length=100,
        blank=True,
        help_text=(
            "Extended Date/Time Format: 2013-09-07, 2013-09 or 2013; c. 2013 is 2013~, "
            "uncertain 2013?; a range 2024-07-08/2024-07-19 (.. for an open end); "
            "2013 or 2015 is [2013,2015]; in or before March 2015 is [..2015-03]."
        ),
    )
    # Derived from date_edtf. Still editable so that forms and scripts written for
    # the fields before EDTF (start, end, one precision) work: see fill_dates.
    start_date = models.DateField(
        blank=True, help_text="The earliest day the date can mean (derived from the EDTF)."
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="The latest day the date can mean; empty for a single day or an open end.",
    )
    precision = models.CharField(
        max_length=5,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="How exactly the earliest point of the date is known (derived from the EDTF).",
    )
    date_note = models.TextField(
        blank=True, help_text="Where the date comes from when the sources only imply it."
    )
    category = models.CharField(max_length=20, choices=Category)
    actors = models.ManyToManyField(Actor, related_name="events", blank=True)
    status = models.CharField(
        max_length=20, choices=Status, default=Status.REPORTED, editable=False
    )
    status_reason = models.TextField(blank=True, editable=False)
    status_override = models.CharField(
        "override status",
        max_length=20,
        choices=OVERRIDE_STATUSES,
        blank=True,
        help_text=(
            "Only when the rules get it wrong. Shown to readers as the editors' judgement; "
            "“confirmed” cannot be set by hand."
        ),
    )
    status_override_reason = models.TextField(
        "reason for the override",
        blank=True,
        help_text="Required with an override; shown to readers.",
    )
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
            models.CheckConstraint(
                condition=Q(status_override="")
                | Q(status_override__in=[value for value, _ in OVERRIDE_STATUSES])
                & ~Q(status_override_reason=""),
                name="event_status_override_with_reason",
                violation_error_message="An override needs a written reason; "
                "“confirmed” cannot be set by hand.",
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
            models.Index(fields=POSITIONS_FIELDS, name="relations_event_positions"),
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
        events = Event.objects.public().only(
            "slug", "title", "date_edtf", "start_date", "end_date", "precision"
        )
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
                self.citations.filter(source__publication=Publication.PUBLISHED)
                .exclude(quote="")
                .values_list("quote", flat=True)
                if self.pk
                else []
            )

        # Folded (str.casefold), as search words are: one case-sensitive comparison then
        # matches whatever the case and the alphabet, on every database.
        return "\n".join([self.title, self.summary, *quotes]).casefold()

    def cited_sources(self):
        return Source.objects.filter(citations__event=self).distinct() if self.pk else []

    @classmethod
    def from_db(cls, db, field_names, values):
        event = super().from_db(db, field_names, values)
        # What was loaded, so that fill_dates can tell code that set start_date.
        event._loaded_dates = tuple(
            event.__dict__.get(name)
            for name in ("date_edtf", "start_date", "end_date", "precision")
        )
        return event

    def _dates_set_the_old_way(self):
        """Whether code changed start_date / end_date / precision but not date_edtf."""
        loaded = getattr(self, "_loaded_dates", None)
        if loaded is None or loaded[0] != self.date_edtf:
            return False
        current = (_as_date(self.start_date), _as_date(self.end_date), self.precision)
        return current != loaded[1:]

    @property
    def status_overridden(self):
        return bool(self.status_override)

    def clean(self):
        errors = {}
        try:
            self.fill_dates()
        except ValidationError as exc:
            # A missing date is tied to no field: it goes with the form's own errors.
            errors.update(exc.update_error_dict({}))
        else:
            range_errors = date_range_errors(self, ["start_date", "end_date"])
            if self._dates_from_edtf:  # report on the field the editor typed
                for error in range_errors.values():
                    errors.setdefault("date_edtf", []).extend(error.messages)
            else:
                errors.update(range_errors)
        if self.status_override and not self.status_override_reason.strip():
            errors["status_override_reason"] = (
                "Say why the rules get this event's status wrong; readers see the reason."
            )
        if errors:
            raise ValidationError(errors)

    def fill_dates(self):
        """Set date_edtf (canonical) and the derived start_date, end_date and precision.

        An event given only start_date / end_date / precision (the fields before
        EDTF, still used by scripts and factories) gets the EDTF for them.
        """
        self._dates_from_edtf = bool(self.date_edtf) and not self._dates_set_the_old_way()
        if self._dates_from_edtf:
            try:
                when = EventDate.parse(self.date_edtf)
            except InvalidDate as exc:
                raise ValidationError({"date_edtf": str(exc)}) from exc
        elif self.start_date:
            start = _as_date(self.start_date)
            end = _as_date(self.end_date) if self.end_date else None
            if not is_canonical(start, self.precision):
                raise ValidationError({"start_date": _precision_message(self.precision)})
            if end and not is_canonical(end, self.precision):
                raise ValidationError({"end_date": _precision_message(self.precision)})
            if end and end < start:
                raise ValidationError({"end_date": "The end date cannot be before the start date."})
            when = EventDate.from_span(start, end, self.precision)
        else:
            # Not tied to a field: a form may offer date_edtf or the older start date.
            raise ValidationError("Give the date, e.g. 2013-09-07, 2013-09 or 2013.")
        self.date_edtf = when.edtf
        self.start_date = when.earliest
        self.end_date = when.latest if when.latest != when.earliest else None
        self.precision = when.precision
        self._loaded_dates = (self.date_edtf, self.start_date, self.end_date, self.precision)

    def assess(self, citations=None):
        """The (status, reason) to store: the rules' verdict, or the editors' override."""
        if citations is None:
            citations = (
                self.citations.filter(source__publication=Publication.PUBLISHED).select_related(
                    "source"
                )
                if self.pk
                else []
            )
        verdict = evidence.assess(citations)
        if not self.status_override:
            return verdict.status, verdict.reason
        reason = (
            f"Editors' judgement: {self.status_override_reason.strip()} "
            f"(By the rules it would be {Status(verdict.status).label.lower()}: {verdict.reason})"
        )
        return self.status_override, reason

    def refresh_status(self):
        """Recompute and store the status after a citation or source changed; whether it
        changed (and so the event's list item was rendered again)."""
        status, reason = self.assess()
        if (status, reason) == (self.status, self.status_reason):
            return False
        self.status, self.status_reason = status, reason
        # update(): the status follows from other rows; it is not an edit of the event.
        Event.objects.filter(pk=self.pk).update(status=status, status_reason=reason)
        return True


class CitationQuerySet(models.QuerySet):
    def public(self):
        """Citations readers may see: of a published event, from a published source."""
        return self.filter(
            event__publication=Publication.PUBLISHED, source__publication=Publication.PUBLISHED
        )


class CitationManager(models.Manager.from_queryset(CitationQuerySet)):
    def get_by_natural_key(self, event_slug, source_slug, quote, locator=""):
        return self.get(
            event__slug=event_slug, source__slug=source_slug, quote=quote, locator=locator
        )


class Citation(RefusesControlCharacters, models.Model):
    """What a source says about an event: an anchored quote, or a reference's locator.

    A quote is a W3C Web Annotation TextQuoteSelector (`quote` is its `exact`,
    with the `prefix` / `suffix` needed to make it unique in the text) and a
    TextPositionSelector (`start`, `end`), with the hash of the text it was
    anchored in (relations/anchors.py). A citation may also record the date its
    source claims for the event, ranked as Wikidata ranks statements.
    """

    Stance = Stance
    Rank = Rank

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(QUOTE_MAX_LENGTH)],
        help_text=(
            "Copied exactly from the source text, apostrophes and dashes included. "
            "Empty for a reference without stored text: give a locator instead."
        ),
    )
    prefix = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only if the quote occurs more than once: the characters just before it.",
    )
    suffix = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only if the quote occurs more than once: the characters just after it.",
    )
    start = models.PositiveIntegerField(null=True, blank=True, editable=False)
    end = models.PositiveIntegerField(null=True, blank=True, editable=False)
    text_hash = models.CharField(max_length=64, blank=True, editable=False)
    locator = models.CharField(
        max_length=100,
        blank=True,
        help_text="e.g. paragraph 4, page 2, section 3. Required for a reference.",
    )
    stance = models.CharField(max_length=10, choices=Stance, default=Stance.SUPPORTS)
    claimed_date = models.CharField(
        "date it gives (EDTF)",
        max_length=100,
        blank=True,
        help_text="The date this source gives for the event, if it gives one: 1992-01-27, 2013.",
    )
    rank = models.CharField(
        max_length=10,
        choices=Rank,
        default=Rank.NORMAL,
        help_text=(
            "When sources disagree: preferred is the claim the timeline uses, deprecated one it "
            "rejects (it then counts for nothing). Both need a reason."
        ),
    )
    rank_reason = models.TextField("reason for the rank", blank=True)
    origin = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "Only when this passage reproduces another outlet than the source's origin, e.g. "
            "Reuters for a rewrite's paragraph taken from Reuters while the rest is its own."
        ),
    )
    note = models.TextField(blank=True)

    objects = CitationManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "source", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "source", "quote", "locator"],
                name="citation_unique_quote_locator",
                violation_error_message="This event already cites this passage of this source.",
            ),
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values), name="citation_stance_valid"
            ),
            models.CheckConstraint(
                condition=~Q(quote="") | ~Q(locator=""), name="citation_quote_or_locator"
            ),
            models.CheckConstraint(condition=Q(rank__in=Rank.values), name="citation_rank_valid"),
            models.CheckConstraint(
                condition=Q(rank=Rank.NORMAL) | ~Q(rank_reason=""),
                name="citation_rank_with_reason",
                violation_error_message="A preferred or deprecated rank needs a reason.",
            ),
        ]

    def __str__(self):
        if not self.quote:
            return f"{self.source.slug}: {self.locator}"
        return f"{self.source.slug}: “{self.quote[:60]}”"

    def natural_key(self):
        return (*self.event.natural_key(), *self.source.natural_key(), self.quote, self.locator)

    natural_key.dependencies = ["relations.event", "relations.source"]

    @property
    def exact(self):
        """The TextQuoteSelector's name for the quote."""
        return self.quote

    @property
    def fragment(self):
        """This citation's id on its event's page, the same on every database (no pk)."""
        if not self.quote:
            return f"r-{self.source.slug}-{slugify(self.locator)}"
        if self.start is None:  # not anchored yet (written without signals)
            return f"q-{self.source.slug}-p{self.pk}"
        return f"q-{self.source.slug}-{self.start}-{self.end}"

    @property
    def position(self):
        """Where the quote starts in its source text, or -1."""
        if self.start is not None:
            return self.start
        return self.source.text.find(self.quote) if self.quote else -1

    @property
    def claimed(self):
        """The claimed date as an EventDate, or None."""
        return evidence.claimed(self)

    @property
    def counts(self):
        """Whether the evidence rules count this citation (relations/evidence.py)."""
        return evidence.counts(self)

    def clean(self):
        errors = {}
        if self.claimed_date:
            try:
                self.claimed_date = EventDate.parse(self.claimed_date).edtf
            except InvalidDate as exc:
                errors["claimed_date"] = str(exc)
        if self.rank != Rank.NORMAL and not self.rank_reason.strip():
            errors["rank_reason"] = (
                "Say why this claim is preferred or deprecated; readers see the reason."
            )
        if self.source_id is not None:
            try:
                self.anchor_quote()
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    def find_anchor(self, text):
        """The quote's Anchor in `text`, or None."""
        if not self.quote or not text:
            return None
        try:
            return anchor(text, self.quote, self.prefix, self.suffix)
        except AnchorError:
            return None

    def anchor_quote(self):
        """Check the quote against the source and store where it is; ValidationError if not.

        Sets `reanchored` when the stored position or text hash had to change
        (the source text was edited since), so an import can report it.
        """
        source = self.source
        if source.is_reference:
            if self.quote:
                raise ValidationError(
                    {
                        "quote": f"“{source}” is a reference without stored text, so it cannot "
                        "be quoted: give a locator (page, paragraph, section) instead."
                    }
                )
            if not self.locator.strip():
                raise ValidationError(
                    {"locator": f"Say where in “{source}” this is (page, paragraph, section)."}
                )
            self.start = self.end = None
            self.text_hash = ""
            self.reanchored = False
            return
        if not self.quote:
            raise ValidationError(
                {"quote": f"Quote the text of “{source}” verbatim; it is stored, not a reference."}
            )
        try:
            found = anchor(source.text, self.quote, self.prefix, self.suffix)
        except AnchorError as exc:
            message = f"{exc} (in “{source}”)"
            if self.quote not in source.text:
                closest = source.closest_passage(self.quote)
                if closest:
                    message += f" Closest passage: “{closest}”."
                message += " Quotes must match exactly, including apostrophes, dashes and spaces."
            raise ValidationError({"quote": message}) from exc
        previous = (self.start, self.end, self.text_hash)
        self.start, self.end, self.text_hash = found.start, found.end, found.text_hash
        moved = previous != (None, None, "") and previous != (
            found.start,
            found.end,
            found.text_hash,
        )
        self.reanchored = getattr(self, "reanchored", False) or moved


def date_range_errors(instance, names):
    """{field name: error} for the date fields of `instance` outside the timeline's years."""
    errors = {}
    for name in names:
        try:
            validate_timeline_date(getattr(instance, name))
        except ValidationError as error:
            errors[name] = error
    return errors


def _as_date(value):
    # A date may arrive as a string, e.g. Event.objects.create(start_date="2024-08-22").
    return Event._meta.get_field("start_date").to_python(value) if value else None


def _precision_message(precision):
    if precision == DatePrecision.YEAR:
        return "With year precision, give 1 January of the year."
    return "With month precision, give the first day of the month."


class Deferred(threading.local):
    """What saves within `deferred_refresh()` left to its end, in this thread."""

    events = None  # the ids of events to refresh, while deferring
    years = None  # the start years the events had before


deferred = Deferred()


@contextmanager
def deferred_refresh():
    """One transaction in which saves leave the derived data of the events they touch
    (search documents, statuses, list items, the word index, the counts and the data
    version) to one refresh at its end: an import refreshed each event after each of
    its citations, most of its time."""
    if deferred.events is not None:  # within one already
        yield
        return
    deferred.events, deferred.years = set(), set()
    try:
        with transaction.atomic():
            tally.lock_writers()  # for the whole block: saves within need not ask again
            yield
            events, years = deferred.events, deferred.years
            deferred.events = deferred.years = None
            relisted = Event.objects.filter(pk__in=events).refresh_derived()
            listing.refresh(events - relisted)
            tally.refresh(years)
            TimelineVersion.bump()
    finally:
        deferred.events = deferred.years = None


def relist(ids):
    """Render the list items of events `ids` again, now or at the end of deferred_refresh()."""
    if deferred.events is not None:
        deferred.events.update(ids)
    else:
        listing.refresh(ids)


@receiver(pre_save, sender=Citation)
def anchor_quote_in_source(sender, instance, **kwargs):
    """The last line of defence, for saves that skip validation (loaddata, scripts)."""
    instance.anchor_quote()


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
    instance.fill_dates()
    instance.search_document = instance.build_search_document()
    instance.start_year = instance.start_date.year
    instance.status, instance.status_reason = instance.assess()


@receiver(pre_save, sender=Event)
def remember_tallied_year(sender, instance, raw, **kwargs):
    instance._tallied_year = (
        Event.objects.filter(pk=instance.pk).values_list("start_year", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=Event)
def tally_saved_event(sender, instance, **kwargs):
    years = {getattr(instance, "_tallied_year", None), instance.start_year}
    if deferred.years is not None:
        deferred.years.update(years)
    else:
        tally.refresh(years)


@receiver(post_delete, sender=Event)
def tally_deleted_event(sender, instance, **kwargs):
    tally.refresh({instance.start_year})


@receiver(post_save, sender=Event)
def list_saved_event(sender, instance, **kwargs):
    if deferred.events is not None:
        deferred.events.add(instance.pk)
        return
    listing.refresh([instance.pk])
    words.refresh([instance.pk])


@receiver(post_delete, sender=Event)
def unlist_deleted_event(sender, instance, **kwargs):
    listing.forget([instance.pk])
    words.refresh([instance.pk])


@receiver(m2m_changed, sender=Event.actors.through)
def list_events_of_changed_actors(sender, instance, action, reverse, pk_set, **kwargs):
    """An event's actors changed, from the event's side or from an actor's."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            relist([instance.pk])
    elif action == "pre_clear":
        instance._listed_events = list(instance.events.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        relist(pk_set)
    elif action == "post_clear":
        relist(getattr(instance, "_listed_events", []))


@receiver(pre_save, sender=Actor)
def remember_actor_rename(sender, instance, **kwargs):
    # A list item shows its actors' names and nothing else of them.
    instance._renamed = not (
        instance.pk and Actor.objects.filter(pk=instance.pk, name=instance.name).exists()
    )


@receiver(post_save, sender=Actor)
def list_events_of_saved_actor(sender, instance, **kwargs):
    if getattr(instance, "_renamed", True):
        relist(instance.events.values_list("pk", flat=True))


@receiver(pre_delete, sender=Actor)
def remember_events_of_deleted_actor(sender, instance, **kwargs):
    instance._listed_events = list(instance.events.values_list("pk", flat=True))


@receiver(post_delete, sender=Actor)
def list_events_of_deleted_actor(sender, instance, **kwargs):
    relist(getattr(instance, "_listed_events", []))


@receiver(post_migrate)
def tally_after_migrate(sender, app_config, **kwargs):
    """Data migrations write through historical models, which bypass everything above."""
    if app_config.name != "relations":
        return
    tables = connections[kwargs.get("using", "default")].introspection.table_names()
    if TimelineVersion._meta.db_table in tables:
        TimelineVersion.bump()
    if EventTally._meta.db_table in tables:
        tally.refresh()
        if EventListing._meta.db_table in tables:
            listing.refresh_stale()
        if EventWords._meta.db_table in tables:
            words.refresh_stale()


@receiver(post_save, sender=Citation)
@receiver(post_delete, sender=Citation)
def refresh_event(sender, instance, **kwargs):
    if deferred.events is not None:
        deferred.events.add(instance.event_id)
        return
    relisted = False
    for event in Event.objects.filter(pk=instance.event_id):
        # update() leaves updated_at alone (a new quote is not an edit of the event) and
        # indexes the event's words again.
        Event.objects.filter(pk=event.pk).update(search_document=event.build_search_document())
        relisted = event.refresh_status()
    if not relisted:  # its sources' count may have changed all the same
        listing.refresh([instance.event_id])


@receiver(post_save, sender=Source)
def refresh_citing_events(sender, instance, raw=False, **kwargs):
    """Keep citing events current after a source changes.

    Going public (or back to draft) adds (or removes) its quotes from search and
    its weight from statuses; a text edit moves the anchors; a new rating or
    origin can change statuses.
    """
    if not raw:
        instance.reanchor_citations()
    if deferred.events is not None:
        deferred.events.update(
            Event.objects.filter(citations__source=instance).values_list("pk", flat=True)
        )
        return
    citing = list(Event.objects.filter(citations__source=instance).distinct())
    for event in citing:
        event.search_document = event.build_search_document()
    # One statement per batch, without touching updated_at, and one pass of the word index.
    Event.objects.bulk_update(citing, ["search_document"])
    relisted = {event.pk for event in citing if event.refresh_status()}
    # Its publication, rating, origin or publisher change what the events' items count.
    listing.refresh(event.pk for event in citing if event.pk not in relisted)


class FrontPage(models.Model):
    """The introduction above the timeline, written by editors in the admin. One row."""

    introduction = models.TextField(
        help_text=(
            "A few sentences on the relationship the timeline follows, shown above it. "
            "Plain text; a blank line starts a new paragraph."
        )
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "front page"
        verbose_name_plural = "front page"

    def __str__(self):
        return "Front page introduction"

    @classmethod
    def introduction_text(cls):
        return cls.objects.values_list("introduction", flat=True).first() or ""


class TimelineVersion(models.Model):
    """A number that every change to timeline data moves on, in the same transaction.

    Cached pages are keyed by it, so an edit anywhere makes them all stale at
    once, in every server process. It is this table's one row, which also
    dates the change (for Last-Modified), and every request reads it from the
    database, with or without a shared cache (CACHE_URL): a commit moves the
    data and the number together, so no failure after it (Redis down, the
    process killed) can leave a server showing what was there before.
    """

    number = models.BigIntegerField(default=0)
    # When the number last moved: the Last-Modified of every public page and export.
    changed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"Timeline data version {self.number}"

    @classmethod
    def current(cls):
        return cls.state()[0]

    @classmethod
    def state(cls):
        """(number, time it last changed or None), in one query.

        Read on every request: in SQL, for the ORM doubled its cost.
        """
        table = cls._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT number, changed_at FROM {connection.ops.quote_name(table)} "
                "ORDER BY id LIMIT 1"
            )
            row = cursor.fetchone()
        if row is None:
            return 0, None
        number, changed_at = row
        column = Col(table, cls._meta.get_field("changed_at"))
        for convert in connection.ops.get_db_converters(column):  # SQLite: text to datetime
            changed_at = convert(changed_at, column, connection)
        return number, changed_at

    @classmethod
    def bump(cls):
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(number=models.F("number") + 1, changed_at=now):
            # A random start: a new database must not meet the numbers under which a
            # shared cache still holds another database's pages.
            cls.objects.get_or_create(
                pk=1, defaults={"number": secrets.randbits(48) + 1, "changed_at": now}
            )


def timeline_changed(**kwargs):
    if deferred.events is None:  # else once, at the end of deferred_refresh()
        TimelineVersion.bump()


def lock_before_writing(**kwargs):
    if deferred.events is None:  # else taken at the start of deferred_refresh()
        tally.lock_writers()


def lock_before_changing_actors(action, **kwargs):
    if action.startswith("pre_"):
        lock_before_writing()


post_save.connect(timeline_changed, sender=FrontPage, dispatch_uid="version-save-FrontPage")

for model in (Actor, Source, Event, Citation, FrontPage):
    # Before the first row a save or delete writes (the receivers above only read).
    pre_save.connect(lock_before_writing, sender=model, dispatch_uid=f"lock-save-{model.__name__}")
    pre_delete.connect(
        lock_before_writing, sender=model, dispatch_uid=f"lock-delete-{model.__name__}"
    )
m2m_changed.connect(
    lock_before_changing_actors, sender=Event.actors.through, dispatch_uid="lock-actors"
)
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
from relations import listing, tally, words  # noqa: E402
from relations.listing import EventListing  # noqa: E402
from relations.tally import EventTally  # noqa: E402
from relations.words import EventWords, SearchWord  # noqa: E402, F401
