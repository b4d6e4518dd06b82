"""Which events' text holds every word a reader typed: the read model's one criterion that is
found in the database, as bare ids."""

from relations.search import split_search


def matching_ids(text, version):
    """Ids of the events, draft or published, whose text contains every word of `text`.

    From the index of whole words (relations/words.py) when it serves the
    search; otherwise (a word too long for it, or only short words) by the
    database's own substring index, EventQuerySet.search. `version` is the
    data version read before.
    """
    from relations import words
    from relations.models import Event

    searched = split_search(text)
    if searched.indexed:
        found = words.search([word.casefold() for word in searched.indexed], version)
        if found is not None:
            return found
    return list(Event.objects.search(text).order_by().values_list("pk", flat=True))
