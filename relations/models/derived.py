"""Tables derived from the events for the timeline's reads, never exported.

How each is kept and read: relations/listing.py (EventListing), relations/tally.py
(EventTally) and relations/words.py (SearchWord, EventWords).
"""

from django.db import models

# The layout of the word index's rows, which relations/words.py explains.
BUCKET_BITS = 14
BUCKET = 1 << BUCKET_BITS  # event ids per row of a word's list
STEP = 200  # the longest search word (folded) the index serves
PIECE = 2 * STEP  # the longest word kept whole


class EventListing(models.Model):
    """One event's list item (`html`, its link's script prefix left as PREFIX).

    Derived from the events, their citations, sources and actors; never exported.
    The event's id is a plain key, not a foreign key: a citation deleted with its
    event renders the event again before the event itself goes, and the event's
    own post_delete then removes the row; a row left by raw SQL is never read.
    """

    event_id = models.BigIntegerField(primary_key=True)
    year = models.IntegerField()
    # The markup and labels this row was rendered with (FORMAT).
    format = models.CharField(max_length=12)
    html = models.TextField()

    def __str__(self):
        return f"List item of event {self.event_id}"


class EventTally(models.Model):
    """How many events start in `start_year`, end in `end_year`, with a category and status.

    `end_year` is the start year for an event without an end date. Derived from
    the events table, never exported.
    """

    start_year = models.IntegerField()
    end_year = models.IntegerField()
    category = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["start_year", "end_year", "category", "status"], name="event_tally_unique"
            )
        ]

    def __str__(self):
        return f"{self.start_year}–{self.end_year} {self.category} {self.status}: {self.count}"


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

    The event's id is a plain key, not a foreign key, as in EventListing: the
    event's own post_delete removes the row.
    """

    event_id = models.BigIntegerField(primary_key=True)
    words = models.TextField(blank=True)

    def __str__(self):
        return f"Words of event {self.event_id}"
