from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from relations import evidence
from relations.anchors import AnchorError, anchor
from relations.dates import EventDate, InvalidDate
from relations.models.base import QUOTE_MAX_LENGTH
from relations.models.choices import Rank, Stance
from relations.models.publication import Publication
from relations.validators import RefusesControlCharacters


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

    event = models.ForeignKey("relations.Event", on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(
        "relations.Source", on_delete=models.PROTECT, related_name="citations"
    )
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
