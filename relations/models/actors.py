from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from relations.models.base import SlugManager
from relations.models.choices import ActorKind
from relations.validators import RefusesControlCharacters


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
