"""The timeline's models, a module per concern, all imported from here.

The receivers that keep what is derived from them in step are in relations/signals.py.
"""

from relations.models.actors import Actor
from relations.models.choices import (
    ActorKind,
    Category,
    Rank,
    Reliability,
    SourceKind,
    Stance,
    Status,
)
from relations.models.citations import Citation
from relations.models.deferral import deferred_refresh
from relations.models.derived import EventListing, EventTally, EventWords, SearchWord
from relations.models.events import Event, search_ids
from relations.models.publication import (
    DRAFTED,
    Publication,
    Revision,
    permission_refusal,
    publish,
    publish_revision,
    return_to_draft,
    withdraw_revision,
)
from relations.models.site import FrontPage, TimelineVersion
from relations.models.sources import Source

__all__ = [
    "DRAFTED",
    "Actor",
    "ActorKind",
    "Category",
    "Citation",
    "Event",
    "EventListing",
    "EventTally",
    "EventWords",
    "FrontPage",
    "Publication",
    "Rank",
    "Reliability",
    "Revision",
    "SearchWord",
    "Source",
    "SourceKind",
    "Stance",
    "Status",
    "TimelineVersion",
    "deferred_refresh",
    "permission_refusal",
    "publish",
    "publish_revision",
    "return_to_draft",
    "search_ids",
    "withdraw_revision",
]
