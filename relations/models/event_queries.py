"""How events are filtered, searched and read for lists; and the writes that send no signals
(update(), bulk_create()), which keep the derived fields and tables in step themselves.

relations.listing, tally and words import these models, so the methods that call them
import them when they run, not when this module loads.
"""

import datetime as dt

from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear

from relations import evidence
from relations.models.choices import Rank, Reliability, Stance
from relations.models.citations import Citation
from relations.models.publication import Publication, PublicQuerySet
from relations.models.site import TimelineVersion
from relations.search import split_search

# The fields an event's search document is built from, besides its citations' quotes.
SEARCHED_FIELDS = frozenset({"title", "summary"})
FTS_MATCH = "SELECT rowid FROM relations_event_fts WHERE relations_event_fts MATCH %s"


def fts_match(words):
    """An FTS5 query for rows containing every one of `words` (folded), each a phrase."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


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
        from relations import listing, tally, words

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
                self.model.objects.filter(pk__in=written).refresh_derived()
            TimelineVersion.bump()
        return updated

    def refresh_derived(self):
        """Store these events' search documents and statuses as their citations now make
        them, in a few queries; update() below indexes the documents again and renders
        and counts the events whose status changed. Returns the ids of those events."""
        from relations import listing

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
        self.model.objects.bulk_update(events, ["search_document"], batch_size=listing.BATCH)
        self.model.objects.bulk_update(
            reassessed, ["status", "status_reason"], batch_size=listing.BATCH
        )
        return {event.pk for event in reassessed}

    def _update_tallied(self, **kwargs):
        from relations import tally

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
            self.model.objects.filter(pk__in=rederive).update(start_year=ExtractYear("start_date"))
        tally.refresh(years)
        return updated

    def bulk_create(self, objs, *args, **kwargs):
        from relations import listing, tally, words

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
        links = self.model.actors.through.objects.filter(event_id__in=ids)
        for event_id, name in links.order_by("actor__name").values_list("event_id", "actor__name"):
            names.setdefault(event_id, []).append(name)
        for event in events:
            event.independent_sources, event.unreliable_sources = sources.get(event.pk, (0, 0))
            event.actor_names = names.get(event.pk, [])
        return events
