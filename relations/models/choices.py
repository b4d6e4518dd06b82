"""The fixed vocabularies of the timeline's records, each checked by a database constraint."""

from django.db import models


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
