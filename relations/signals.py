"""The receivers that keep the derived fields and tables and the data version in step with
every save and delete, connected by `connect()` from RelationsConfig.ready().

Writes that send no signals (QuerySet.update(), bulk_create()) do the same in
EventQuerySet; saves within `deferred_refresh()` leave it to its end.
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

from relations import listing, tally, words
from relations.anchors import text_hash
from relations.models import (
    Actor,
    Citation,
    Event,
    EventListing,
    EventTally,
    EventWords,
    FrontPage,
    Source,
    TimelineVersion,
)
from relations.models.deferral import deferred
from relations.validators import control_character_errors


def relist(ids):
    """Render the list items of events `ids` again, now or at the end of deferred_refresh()."""
    if deferred.events is not None:
        deferred.events.update(ids)
    else:
        listing.refresh(ids)


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


def remember_tallied_year(sender, instance, raw, **kwargs):
    instance._tallied_year = (
        Event.objects.filter(pk=instance.pk).values_list("start_year", flat=True).first()
        if instance.pk
        else None
    )


def tally_saved_event(sender, instance, **kwargs):
    years = {getattr(instance, "_tallied_year", None), instance.start_year}
    if deferred.years is not None:
        deferred.years.update(years)
    else:
        tally.refresh(years)


def tally_deleted_event(sender, instance, **kwargs):
    tally.refresh({instance.start_year})


def list_saved_event(sender, instance, **kwargs):
    if deferred.events is not None:
        deferred.events.add(instance.pk)
        return
    listing.refresh([instance.pk])
    words.refresh([instance.pk])


def unlist_deleted_event(sender, instance, **kwargs):
    listing.forget([instance.pk])
    words.refresh([instance.pk])


def list_events_of_changed_actors(sender, instance, action, reverse, pk_set, **kwargs):
    """An event's actors changed, from the event's side or from an actor's."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            relist([instance.pk])
    elif action == "pre_clear":
        instance._listed_events = list(instance.events.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        relist(pk_set)
    elif action == "post_clear":
        relist(getattr(instance, "_listed_events", []))


def remember_actor_rename(sender, instance, **kwargs):
    # A list item shows its actors' names and nothing else of them.
    instance._renamed = not (
        instance.pk and Actor.objects.filter(pk=instance.pk, name=instance.name).exists()
    )


def list_events_of_saved_actor(sender, instance, **kwargs):
    if getattr(instance, "_renamed", True):
        relist(instance.events.values_list("pk", flat=True))


def remember_events_of_deleted_actor(sender, instance, **kwargs):
    instance._listed_events = list(instance.events.values_list("pk", flat=True))


def list_events_of_deleted_actor(sender, instance, **kwargs):
    relist(getattr(instance, "_listed_events", []))


def tally_after_migrate(sender, app_config, **kwargs):
    """Data migrations write through historical models, which bypass everything above."""
    if app_config.name != "relations":
        return
    tables = connections[kwargs.get("using", "default")].introspection.table_names()
    if TimelineVersion._meta.db_table in tables:
        TimelineVersion.bump()
    if EventTally._meta.db_table in tables:
        tally.refresh()
        if EventListing._meta.db_table in tables:
            listing.refresh_stale()
        if EventWords._meta.db_table in tables:
            words.refresh_stale()


def refresh_event(sender, instance, **kwargs):
    if deferred.events is not None:
        deferred.events.add(instance.event_id)
        return
    relisted = False
    for event in Event.objects.filter(pk=instance.event_id):
        # update() leaves updated_at alone (a new quote is not an edit of the event) and
        # indexes the event's words again.
        Event.objects.filter(pk=event.pk).update(search_document=event.build_search_document())
        relisted = event.refresh_status()
    if not relisted:  # its sources' count may have changed all the same
        listing.refresh([instance.event_id])


def refresh_citing_events(sender, instance, raw=False, **kwargs):
    """Keep citing events current after a source changes.

    Going public (or back to draft) adds (or removes) its quotes from search and
    its weight from statuses; a text edit moves the anchors; a new rating or
    origin can change statuses.
    """
    if not raw:
        instance.reanchor_citations()
    if deferred.events is not None:
        deferred.events.update(
            Event.objects.filter(citations__source=instance).values_list("pk", flat=True)
        )
        return
    citing = list(Event.objects.filter(citations__source=instance).distinct())
    for event in citing:
        event.search_document = event.build_search_document()
    # One statement per batch, without touching updated_at, and one pass of the word index.
    Event.objects.bulk_update(citing, ["search_document"])
    relisted = {event.pk for event in citing if event.refresh_status()}
    # Its publication, rating, origin or publisher change what the events' items count.
    listing.refresh(event.pk for event in citing if event.pk not in relisted)


def timeline_changed(**kwargs):
    if deferred.events is None:  # else once, at the end of deferred_refresh()
        TimelineVersion.bump()


def lock_before_writing(**kwargs):
    if deferred.events is None:  # else taken at the start of deferred_refresh()
        tally.lock_writers()


def lock_before_changing_actors(action, **kwargs):
    if action.startswith("pre_"):
        lock_before_writing()


def connect():
    """Connect the receivers above. The order matters: receivers of one signal and sender
    run in the order they were connected, so the writers' lock is taken after the receivers
    that only read and before any that write, and the data version moves last."""
    pre_save.connect(anchor_quote_in_source, sender=Citation)
    pre_save.connect(fill_text_hash, sender=Source)
    pre_save.connect(fill_derived_fields, sender=Event)
    pre_save.connect(remember_tallied_year, sender=Event)
    post_save.connect(tally_saved_event, sender=Event)
    post_delete.connect(tally_deleted_event, sender=Event)
    post_save.connect(list_saved_event, sender=Event)
    post_delete.connect(unlist_deleted_event, sender=Event)
    m2m_changed.connect(list_events_of_changed_actors, sender=Event.actors.through)
    pre_save.connect(remember_actor_rename, sender=Actor)
    post_save.connect(list_events_of_saved_actor, sender=Actor)
    pre_delete.connect(remember_events_of_deleted_actor, sender=Actor)
    post_delete.connect(list_events_of_deleted_actor, sender=Actor)
    post_migrate.connect(tally_after_migrate)
    post_delete.connect(refresh_event, sender=Citation)
    post_save.connect(refresh_event, sender=Citation)
    post_save.connect(refresh_citing_events, sender=Source)

    post_save.connect(timeline_changed, sender=FrontPage, dispatch_uid="version-save-FrontPage")

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
        post_save.connect(
            timeline_changed, sender=model, dispatch_uid=f"version-save-{model.__name__}"
        )
        post_delete.connect(
            timeline_changed, sender=model, dispatch_uid=f"version-delete-{model.__name__}"
        )
    m2m_changed.connect(
        timeline_changed, sender=Event.actors.through, dispatch_uid="version-actors"
    )
