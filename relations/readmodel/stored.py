"""What the read model renders of each event when it changes and stores, for pages and
downloads to read in one query rather than render per request.

A `PerEvent` is one such rendering (an event's list item, its CSV row): a
table keyed by event id with the `form` it was rendered in (a digest of what
the rendering depends on besides the event: templates, code, labels) and the
rendered values. relations/readmodel/writes.py refreshes the rows of the events
a write changed; `migrate` renders again the rows of another form, and those
missing; check_read_model compares every row with a fresh rendering.

A row of another form is never read: the caller renders it for the request
that needs it (a GET writes nothing).

HTML is rendered under the script prefix LINK_PREFIX (`links_left_open`) and given
the request's when read (`with_links`): only where an attribute's value starts
with it, which no text can forge, as templates escape every quote in text. So one
row serves a site at any path.
"""

from contextlib import contextmanager
from itertools import islice

from django.apps import apps
from django.db import connection, transaction
from django.urls import get_script_prefix, set_script_prefix

BATCH = 500
LINK_PREFIX = "/~script-prefix~/"


@contextmanager
def links_left_open():
    """Render links under LINK_PREFIX rather than this request's script prefix."""
    prefix = get_script_prefix()
    set_script_prefix(LINK_PREFIX)
    try:
        yield
    finally:
        set_script_prefix(prefix)


def with_links(html):
    """Stored `html` with its links under this request's script prefix."""
    return html.replace(f'="{LINK_PREFIX}', f'="{get_script_prefix()}')


def batches(ids):
    ids = iter(ids)
    while batch := list(islice(ids, BATCH)):
        yield batch


class PerEvent:
    """A rendering of each event, stored in model `model_name` (event_id, form, *columns)."""

    model_name = ""
    columns = ()
    label = ""  # what check_read_model calls a row

    @property
    def model(self):
        return apps.get_model("relations", self.model_name)

    def form(self):
        raise NotImplementedError

    def render(self, ids):
        """{id: (values of `columns`)} of the events with these ids, rendered now."""
        raise NotImplementedError

    def stored(self, ids):
        """{id: (values of `columns`)} of the stored rows of these ids, of this form, in plain
        SQL (one array parameter on PostgreSQL)."""
        ids = [int(pk) for pk in ids]
        if not ids:
            return {}
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                condition, params = "event_id = ANY(%s)", [ids]
            else:
                condition, params = f"event_id IN ({', '.join(['%s'] * len(ids))})", ids
            cursor.execute(
                f"SELECT event_id, {', '.join(self.columns)} FROM {table} "
                f"WHERE {condition} AND form = %s",
                [*params, self.form()],
            )
            return {pk: tuple(values) for pk, *values in cursor.fetchall()}

    def found(self, ids):
        """{id: values} of these ids: stored, or rendered now where none of this form is."""
        found = self.stored(ids)
        missing = [pk for pk in ids if pk not in found]
        if missing:
            found.update(self.render(missing))
        return found

    def refresh(self, ids):
        """Render and store the rows of the events with `ids`; remove those of events gone."""
        form = self.form()
        for batch in batches(sorted(set(ids))):
            fresh = self.render(batch)
            self.model.objects.filter(event_id__in=batch).delete()
            self.model.objects.bulk_create(
                self.model(event_id=pk, form=form, **dict(zip(self.columns, values, strict=True)))
                for pk, values in fresh.items()
            )

    def rebuild(self):
        """Render every event's row again, from empty."""
        from relations.models import Event

        with transaction.atomic():
            self.model.objects.all().delete()
            self.refresh(Event.objects.values_list("pk", flat=True))

    def stale(self):
        """What differs between the stored rows and fresh ones: [description], empty when none."""
        from relations.models import Event

        rows = self.model.objects.values_list("event_id", "form", *self.columns)
        stored = {pk: (form, *values) for pk, form, *values in rows.iterator(2000)}
        differences = []
        ids = Event.objects.order_by("pk").values_list("pk", flat=True)
        for batch in batches(ids.iterator(2000)):
            for pk, values in self.render(batch).items():
                if stored.pop(pk, None) != (self.form(), *values):
                    differences.append(f"event {pk}: its stored {self.label} is not its own")
        return differences + [f"event {pk}: a {self.label}, but no such event" for pk in stored]

    def refresh_stale(self):
        """Store again the rows of another form, and those missing, and remove those of events
        gone (after `migrate`, which may change the code or write events without the read
        model)."""
        from relations.models import Event

        current = dict(self.model.objects.values_list("event_id", "form"))
        ids = list(Event.objects.values_list("pk", flat=True))
        form = self.form()
        self.refresh(pk for pk in ids if current.pop(pk, None) != form)
        self.model.objects.filter(event_id__in=list(current)).delete()
