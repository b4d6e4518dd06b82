"""Events: what happened, when, to what certainty, and how it is found by text."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from relations import evidence
from relations.dates import DatePrecision, EventDate, InvalidDate, SpanDates, is_canonical
from relations.models.base import SlugManager, date_range_errors, precision_message
from relations.models.choices import OVERRIDE_STATUSES, Category, Status
from relations.models.event_queries import EventQuerySet
from relations.models.publication import Publication, Publishable
from relations.models.sources import Source
from relations.paths import path
from relations.validators import RefusesControlCharacters


class EventManager(SlugManager.from_queryset(EventQuerySet)):
    pass


# Everything the read model's snapshot (relations/readmodel/snapshot.py) reads of the
# published events, in their order: an index of these is read alone, without the table,
# by each server process after each edit.
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
    actors = models.ManyToManyField("relations.Actor", related_name="events", blank=True)
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

    # What a link to an event shows: its title and its date (and category, for a tag).
    LINK_FIELDS = ("slug", "title", "date_edtf", "start_date", "end_date", "precision", "category")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return path("relations:event", self.slug)

    def natural_key(self):
        return (self.slug,)

    def timeline_neighbours(self):
        """(the event just before, the event just after) this one in timeline order.

        Timeline order is start date, then slug; published events only. Each is
        None at an end of the timeline. Each query reads the (start_date, slug)
        index from this date on.
        """
        events = Event.objects.public().only(*Event.LINK_FIELDS)
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
                raise ValidationError({"start_date": precision_message(self.precision)})
            if end and not is_canonical(end, self.precision):
                raise ValidationError({"end_date": precision_message(self.precision)})
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


def _as_date(value):
    # A date may arrive as a string, e.g. Event.objects.create(start_date="2024-08-22").
    return Event._meta.get_field("start_date").to_python(value) if value else None
