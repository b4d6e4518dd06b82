"""The receivers that fill an instance's derived fields before it is saved, take the writers'
lock, and tell the read model which events every save and delete changed, connected by
`connect()` from RelationsConfig.ready().

Each write says what it changed through relations.readmodel.writes.changed(),
which brings the derived data of those events up to date and moves the data
version; the bulk writes, which send no post_save, say it through
`events_written` (EventQuerySet).
"""

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)

from relations import words
from relations.anchors import text_hash
from relations.models import (
    Actor,
    Citation,
    Event,
    EventWords,
    FrontPage,
    Source,
    TimelineVersion,
    events_written,
    lock_writers,
)
from relations.readmodel import writes
from relations.validators import control_character_errors


def anchor_quote_in_source(sender, instance, **kwargs):
    """The last line of defence, for saves that skip validation (loaddata, scripts)."""
    instance.anchor_quote()


def refuse_control_characters(sender, instance, **kwargs):
    """The last line of defence, for saves that skip validation (loaddata, scripts)."""
    errors = control_character_errors(instance)
    if errors:
        raise ValidationError(errors)


def fill_text_hash(sender, instance, **kwargs):
    instance.text_hash = text_hash(instance.text)


def fill_derived_fields(sender, instance, **kwargs):
    instance.fill_dates()
    instance.search_document = instance.build_search_document()
    instance.start_year = instance.start_date.year
    instance.status, instance.status_reason = instance.assess()


def lock_before_writing(**kwargs):
    if writes.pending.ids is None:  # else taken at the start of writing()
        lock_writers()


def lock_before_changing_actors(action, **kwargs):
    if action.startswith("pre_"):
        lock_before_writing()


def event_changed(sender, instance, **kwargs):
    writes.changed([instance.pk])


def citation_changed(sender, instance, **kwargs):
    writes.changed([instance.event_id])


def source_saved(sender, instance, raw=False, **kwargs):
    """Its publication, text, rating or origin change its citations' anchors, and the
    search documents and statuses of the events citing it."""
    if not raw:
        instance.reanchor_citations()
    writes.changed(Event.objects.filter(citations__source=instance).values_list("pk", flat=True))


def timeline_changed(sender, **kwargs):
    """A deleted source (its citations say their events) or the front page: nothing
    derived and stored depends on them, but the data version moves."""
    writes.changed()


def actor_saved(sender, instance, **kwargs):
    """Its name is in its events' list items."""
    writes.changed(instance.events.values_list("pk", flat=True))


def note_events_of_actor(sender, instance, **kwargs):
    """Before an actor is deleted, or its events cleared: their links go without a signal
    of their own, and the events must then be said to have changed."""
    instance.events_before_change = list(instance.events.values_list("pk", flat=True))


def actor_deleted(sender, instance, **kwargs):
    writes.changed(getattr(instance, "events_before_change", ()))


def actors_of_events_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        note_events_of_actor(sender, instance)
    if action.startswith("post_"):
        if not reverse:
            writes.changed([instance.pk])
        elif action == "post_clear":
            writes.changed(getattr(instance, "events_before_change", ()))
        else:
            writes.changed(pk_set)


def bulk_written(sender, ids, **kwargs):
    writes.changed(ids)


def after_migrate(sender, app_config, **kwargs):
    """Data migrations write through historical models, which send none of the above."""
    if app_config.name != "relations":
        return
    tables = connections[kwargs.get("using", "default")].introspection.table_names()
    if TimelineVersion._meta.db_table in tables:
        TimelineVersion.bump()
    if EventWords._meta.db_table in tables:
        words.refresh_stale()
    for rendering in writes.renderings():
        if rendering.model._meta.db_table in tables:
            rendering.refresh_stale()


def connect():
    """Connect the receivers above. The order matters: receivers of one signal and sender
    run in the order they were connected, so the writers' lock is taken after the receivers
    that only read and before any that write."""
    pre_save.connect(anchor_quote_in_source, sender=Citation)
    pre_save.connect(fill_text_hash, sender=Source)
    pre_save.connect(fill_derived_fields, sender=Event)
    for model in (Actor, Source, Event, Citation, FrontPage):
        # Before the first row a save or delete writes (the receivers above only read).
        pre_save.connect(
            lock_before_writing, sender=model, dispatch_uid=f"lock-save-{model.__name__}"
        )
        pre_delete.connect(
            lock_before_writing, sender=model, dispatch_uid=f"lock-delete-{model.__name__}"
        )
    m2m_changed.connect(
        lock_before_changing_actors, sender=Event.actors.through, dispatch_uid="lock-actors"
    )
    for model in (Actor, Source, Event, Citation):
        pre_save.connect(
            refuse_control_characters, sender=model, dispatch_uid=f"plain-text-{model.__name__}"
        )
    post_save.connect(event_changed, sender=Event)
    post_delete.connect(event_changed, sender=Event)
    post_save.connect(citation_changed, sender=Citation)
    post_delete.connect(citation_changed, sender=Citation)
    post_save.connect(source_saved, sender=Source)
    post_delete.connect(timeline_changed, sender=Source)
    post_save.connect(actor_saved, sender=Actor)
    pre_delete.connect(note_events_of_actor, sender=Actor)
    post_delete.connect(actor_deleted, sender=Actor)
    post_save.connect(timeline_changed, sender=FrontPage)
    m2m_changed.connect(actors_of_events_changed, sender=Event.actors.through)
    events_written.connect(bulk_written)
    post_migrate.connect(after_migrate)
