"""Is this event already on the timeline? Events whose dates overlap and whose titles
are alike, or that share their actors and category, are probable duplicates."""

import datetime as dt
import re
from difflib import SequenceMatcher

from django.db.models import Q

from relations.editing.textdates import FoundDate

TITLE_RATIO = 0.6
WORD_OVERLAP = 0.6
MIN_SHARED_WORDS = 3
STOPWORDS = {"the", "and", "with", "for", "from", "into", "its", "their", "between", "over"}


def title_words(title):
    """Content words, lower-cased, a plural's "s" dropped ("holds" and "hold" are one)."""
    words = set()
    for word in re.findall(r"\w{3,}", title.lower()):
        if word in STOPWORDS:
            continue
        words.add(word[:-1] if len(word) > 3 and word.endswith("s") else word)
    return words


def similar_titles(first, second):
    """Alike as strings, or most of the shorter title's words (three at least) are in the other."""
    if SequenceMatcher(None, first.lower(), second.lower(), autojunk=False).ratio() >= TITLE_RATIO:
        return True
    a, b = title_words(first), title_words(second)
    shared = len(a & b)
    return shared >= MIN_SHARED_WORDS and shared / min(len(a), len(b)) >= WORD_OVERLAP


def span(start_date, end_date, precision):
    return FoundDate(0, 0, "", start_date, end_date, precision, False).span


def candidate_from(cleaned_data, instance):
    """An unsaved Event with a form's cleaned values, for the duplicate check in clean()."""
    from relations.dates import EventDate, InvalidDate
    from relations.models import Event

    names = ["title", "start_date", "end_date", "precision", "category"]
    values = {name: cleaned_data.get(name, getattr(instance, name)) for name in names}
    if cleaned_data.get("date_edtf"):  # the admin's event form gives the EDTF date
        try:
            when = EventDate.parse(cleaned_data["date_edtf"])
        except InvalidDate:
            return Event(pk=instance.pk, **{**values, "start_date": None})
        latest = when.latest if when.latest != when.earliest else None
        values.update(start_date=when.earliest, end_date=latest, precision=when.precision)
    return Event(pk=instance.pk, **values)


def probable_duplicates(event, actor_ids=None):
    """Other events that `event` (saved or not) probably repeats, with why."""
    from relations.models import Event

    if event.start_date is None:
        return []
    earliest, latest = span(event.start_date, event.end_date, event.precision)
    actor_ids = set(actor_ids if actor_ids is not None else [])
    candidates = (
        Event.objects.filter(start_date__lte=latest)
        .exclude(pk=event.pk)
        .prefetch_related("actors")
        .order_by("start_date", "slug")
    )
    found = []
    # Bounded on both sides so the date indexes serve it.
    nearby = Q(start_date__gte=earliest - dt.timedelta(days=366)) | Q(end_date__gte=earliest)
    for other in candidates.filter(nearby):
        _earliest, other_latest = span(other.start_date, other.end_date, other.precision)
        if other_latest < earliest:
            continue
        if similar_titles(event.title, other.title):
            found.append((other, "a similar title"))
        elif (
            actor_ids
            and actor_ids == {actor.pk for actor in other.actors.all()}
            and other.category == event.category
        ):
            found.append((other, "the same actors and category"))
    return found
