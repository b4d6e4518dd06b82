"""The word index of the events' search documents, derived from them and never exported.

How it is kept and read: relations/words.py; what keeps it true: relations/readmodel/writes.py.
"""

from django.db import models

# The layout of the word index's rows, which relations/words.py explains.
BUCKET_BITS = 14
BUCKET = 1 << BUCKET_BITS  # event ids per row of a word's list
STEP = 200  # the longest search word (folded) the index serves
PIECE = 2 * STEP  # the longest word kept whole


class SearchWord(models.Model):
    """The events whose search document holds `word`, among ids `bucket` × BUCKET onwards.

    `events` is their ids less the bucket's first, sorted, as little-endian 16-bit
    integers. Derived from the events' search documents; never exported.
    """

    word = models.CharField(max_length=PIECE)
    bucket = models.IntegerField()
    events = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["word", "bucket"], name="relations_searchword_unique")
        ]

    def __str__(self):
        return f"“{self.word}” in events {self.bucket * BUCKET}–{(self.bucket + 1) * BUCKET - 1}"


class EventWords(models.Model):
    """The words event `event_id` is indexed under, sorted, separated by spaces.

    The event's id is a plain key, not a foreign key: the read model removes the
    row when the event is gone, and an event deleted by raw SQL leaves it to be found
    by the check (manage.py check_read_model).
    """

    event_id = models.BigIntegerField(primary_key=True)
    words = models.TextField(blank=True)

    def __str__(self):
        return f"Words of event {self.event_id}"


class EventItem(models.Model):
    """Event `event_id` as the timeline's result list shows it: the HTML of the template
    relations/_event_item.html, rendered when the event, its citations, its cited sources
    or its actors change (relations/items.py).

    `form` names the template's text and labels the HTML was rendered with: a row of
    another form is not read, and `migrate` renders it again. Like EventWords, the
    event's id is a plain key, removed by the read model when the event is gone.
    """

    event_id = models.BigIntegerField(primary_key=True)
    form = models.CharField(max_length=12)
    year = models.IntegerField()
    html = models.TextField()

    def __str__(self):
        return f"List item of event {self.event_id}"


class EventRow(models.Model):
    """Event `event_id` as a row of the CSV download, rendered when the event, its
    citations, its cited sources or its actors change (relations/exports/rows.py), with
    its link's origin left open. `form` names the code it was rendered by."""

    event_id = models.BigIntegerField(primary_key=True)
    form = models.CharField(max_length=16)
    csv = models.TextField()

    def __str__(self):
        return f"CSV row of event {self.event_id}"


class EventBody(models.Model):
    """Event `event_id`'s page as readers see it, its notes, neighbours and related events
    aside: rendered when the event, its citations, its cited sources or its actors change
    (relations/event_page.py), with its links' script prefix left open. `form` names the
    code it was rendered by."""

    event_id = models.BigIntegerField(primary_key=True)
    form = models.CharField(max_length=16)
    html = models.TextField()

    def __str__(self):
        return f"Page body of event {self.event_id}"
