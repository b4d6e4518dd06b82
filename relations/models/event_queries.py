"""How events are searched and read for lists; and the writes that send no signals
(update(), bulk_create()), which say which events they changed (`events_written`).

Which events match a reader's filters is the read model's question
(relations/readmodel), not a queryset's.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.dispatch import Signal

from relations import evidence
from relations.models.choices import Rank, Reliability, Stance
from relations.models.citations import Citation
from relations.models.publication import Publication, PublicQuerySet
from relations.models.site import lock_writers
from relations.search import split_search

# Sent by the writes that send no post_save: update(), bulk_create() (and so bulk_update()),
# with the ids of the events written; relations/signals.py passes them to the read model.
events_written = Signal()

# The fields an event's search document is built from, besides its citations' quotes.
SEARCHED_FIELDS = frozenset({"title", "summary"})
BATCH = 500  # rows per UPDATE of bulk_update()
FTS_MATCH = "SELECT rowid FROM relations_event_fts WHERE relations_event_fts MATCH %s"


def fts_match(words):
    """An FTS5 query for rows containing every one of `words` (folded), each a phrase."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


class EventQuerySet(PublicQuerySet):
    def related_to(self, event, limit=4):
        """Other events sharing an actor or the category with `event`, nearest in time first."""
        actors = [actor.pk for actor in event.actors.all()]
        candidates = (
            self.exclude(pk=event.pk)
            .filter(Q(actors__in=actors) | Q(category=event.category))
            .distinct()
            .only(*self.model.LINK_FIELDS)
        )
        earlier = candidates.filter(start_date__lte=event.start_date).order_by(
            "-start_date", "-slug"
        )
        later = candidates.filter(start_date__gt=event.start_date).order_by("start_date", "slug")
        nearest = [*earlier[:limit], *later[:limit]]
        nearest.sort(key=lambda other: abs((other.start_date - event.start_date).days))
        return sorted(nearest[:limit], key=lambda other: (other.start_date, other.slug))

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

    # Writes that send no signals say which events they changed (relations.readmodel.writes
    # applies it), in one transaction with the write, as a save does.
    def update(self, **kwargs):
        with transaction.atomic():
            lock_writers()
            written = list(self.values_list("pk", flat=True))
            rederive = False
            if "start_date" in kwargs and "start_year" not in kwargs:
                # start_year follows start_date, as a save's pre_save receiver does.
                start = kwargs["start_date"]
                if isinstance(start, dt.date):
                    kwargs["start_year"] = start.year
                else:  # an expression: read the new dates back
                    rederive = True
            updated = super().update(**kwargs)
            if rederive:
                super(EventQuerySet, self.model.objects.filter(pk__in=written)).update(
                    start_year=ExtractYear("start_date")
                )
            events_written.send(sender=self.model, ids=written)
        return updated

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for event in objs:
            if event.start_year is None and event.start_date:
                event.start_year = event.start_date.year
        with transaction.atomic():
            lock_writers()
            created = super().bulk_create(objs, *args, **kwargs)
            # Every backend Django supports returns the new ids, with its default options.
            events_written.send(sender=self.model, ids=[event.pk for event in created])
        return created

    # bulk_update() needs nothing of its own: Django writes each batch with update() above.

    def derived(self):
        """{id: (search document, status, status reason)} of these events as their title,
        summary and citations make them now, in a few queries, without writing."""
        events = list(self.only("title", "summary", "status_override", "status_override_reason"))
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
        derived = {}
        for event in events:
            found = cited.get(event.pk, [])
            document = event.build_search_document([c.quote for c in found if c.quote])
            derived[event.pk] = (document, *event.assess(found))
        return derived

    def refresh_derived(self):
        """Store these events' search documents and statuses as derived() gives them,
        writing only those that differ."""
        stored = {
            pk: (document, status, reason)
            for pk, document, status, reason in self.values_list(
                "pk", "search_document", "status", "status_reason"
            )
        }
        rewritten, reassessed = [], []
        for pk, (document, status, reason) in self.derived().items():
            event = self.model(pk=pk, search_document=document, status=status)
            event.status_reason = reason
            if document != stored[pk][0]:
                rewritten.append(event)
            if (status, reason) != stored[pk][1:]:
                reassessed.append(event)
        self.model.objects.bulk_update(rewritten, ["search_document"], batch_size=BATCH)
        self.model.objects.bulk_update(reassessed, ["status", "status_reason"], batch_size=BATCH)

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
