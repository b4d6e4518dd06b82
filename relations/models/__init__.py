"""The timeline's models, a module per concern, all imported from here.

The receivers that tell the read model what changed are in relations/signals.py.
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
from relations.models.derived import EventBody, EventItem, EventRow, EventWords, SearchWord
from relations.models.event_queries import events_written
from relations.models.events import Event
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
from relations.models.site import FrontPage, TimelineVersion, lock_writers
from relations.models.sources import Source

__all__ = [
    "DRAFTED",
    "Actor",
    "ActorKind",
    "Category",
    "Citation",
    "Event",
    "EventBody",
    "EventItem",
    "EventRow",
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
    "events_written",
    "lock_writers",
    "permission_refusal",
    "publish",
    "publish_revision",
    "return_to_draft",
    "withdraw_revision",
]
