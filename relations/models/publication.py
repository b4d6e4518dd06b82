"""Draft and review: what readers see changes only when an editor with the right publishes it.

New records start as drafts. Public pages, exports, feeds, search and counts
read `Model.objects.public()`; editors preview drafts on the public pages. The
history records who drafted and who published, with "Drafted" and "Published"
as the change reasons.

The rule, written once here:
- Changing what readers see needs the publish permission
  (`relations.publish_event`, `relations.publish_source`): to publish a draft, to
  return a record to draft, to delete a published record, to publish a pending
  revision, and to change a published record live.
- With TIMELINE_REQUIRE_SECOND_EDITOR, nobody publishes their own changes: a
  draft is published by an editor who has not changed it (nor its citations)
  since it was last published, or ever if it never was; returning it to draft
  is not a change.
- A change to a published event or source by someone who may not publish it
  alone (no permission, or the second-editor rule is on) does not go live: it
  is kept as a pending `Revision` for another editor with the permission to
  publish (or the author to withdraw). The citations of such a record are
  read-only to that person.

Every path that changes `publication` or what readers see of a published
record, and how it follows the rule:
- the admin change form: `publication` is not a form field; saving a published
  record goes live or becomes a pending revision (`live_edit_refusal`);
- the admin's Publish / Return to draft buttons and list actions, and the
  Publish revision button: `publish`, `return_to_draft`, `publish_revision`;
- the history's revert (simple-history's revert form, which posts an old
  version): keeps the current publication, and is an edit like the change form;
  a deleted record reverted comes back as a draft;
- citations (the event form's inline, the source form's inline, the citation
  admin and the "Add as citation" button): read-only or refused on a published
  event (or, in the source's inline, source) for anyone whose edits of it would
  be a revision (`citation_refusal`);
- a spreadsheet import: new rows are drafts, rows changing a draft change the
  draft, rows changing a published event become pending revisions by the importer;
- deleting in the admin: a published record only with the publish permission;
- a source from a document, an event from a passage: new drafts;
- actors (shared names shown on every event naming them) and the front page's
  introduction: not covered, changed live by whoever has their change permission;
- `import_timeline` and `import_events`: operators' commands, trusted like a
  database shell; import_timeline writes the fixture's records as they are,
  import_events follows the spreadsheet rules above.
"""

import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Publication(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")


DRAFTED = "Drafted"
PUBLISHED = "Published"
RETURNED_TO_DRAFT = "Returned to draft"


def permission_refusal(user, model):
    label = model._meta.model_name
    if user.has_perm(f"relations.publish_{label}"):
        return ""
    return _("You do not have permission to publish %(label)ss.") % {"label": label}


class PublicQuerySet(models.QuerySet):
    def public(self):
        """What readers may see: published records only."""
        return self.filter(publication=Publication.PUBLISHED)

    def drafts(self):
        return self.filter(publication=Publication.DRAFT)


class Publishable(models.Model):
    """A record with a publication state; abstract, for Event and Source."""

    Publication = Publication

    publication = models.CharField(
        max_length=10,
        choices=Publication,
        default=Publication.DRAFT,
        help_text="Drafts are seen by editors only; an editor publishes them.",
    )
    revisions = GenericRelation("relations.Revision")

    class Meta:
        abstract = True

    @property
    def is_draft(self):
        return self.publication == Publication.DRAFT

    def changed_by_since_published(self):
        """The users who changed the record (or an event's citations) since it was last
        published, or ever if it never was; returning it to draft is not a change."""
        last = (
            self.history.filter(publication=Publication.PUBLISHED)
            .order_by("-history_date", "-history_id")
            .first()
        )
        changes = self.history.exclude(history_change_reason=RETURNED_TO_DRAFT)
        citations = None
        if self._meta.model_name == "event":  # an event's citations are part of it
            citations = self.citations.model.history.filter(event_id=self.pk)
        if last is not None:
            changes = changes.filter(history_id__gt=last.history_id)
            if citations is not None:
                citations = citations.filter(history_date__gt=last.history_date)
        user_ids = set(changes.values_list("history_user_id", flat=True))
        if citations is not None:
            user_ids |= set(citations.values_list("history_user_id", flat=True))
        return user_ids - {None}

    def publication_refusal(self, user):
        """Why `user` may not publish this record, or "" if they may."""
        if refusal := permission_refusal(user, self):
            return refusal
        if settings.TIMELINE_REQUIRE_SECOND_EDITOR and user.pk in self.changed_by_since_published():
            return _(
                "“%(record)s” needs a second editor: you changed it since it was last "
                "published, so someone else publishes it."
            ) % {"record": self}
        return ""

    def live_edit_refusal(self, user):
        """Why `user`'s changes to this record wait as a pending revision, or "" if they
        go live (always for a draft, which readers do not see)."""
        if self.is_draft:
            return ""
        if refusal := permission_refusal(user, self):
            return refusal
        if settings.TIMELINE_REQUIRE_SECOND_EDITOR:
            return _("A second editor reviews every change to a published record.")
        return ""

    def citation_refusal(self, user):
        """Why `user` may not change the citations of this record, or "" if they may: a
        revision holds the record's own fields, so its citations are read-only to anyone
        whose changes would wait for review."""
        if refusal := self.live_edit_refusal(user):
            return _(
                "%(reason)s The citations of “%(record)s” change only while it is a draft, "
                "or by an editor whose changes go live."
            ) % {"reason": refusal, "record": self}
        return ""

    def set_publication(self, state, user, reason):
        self.publication = state
        self._history_user = user
        self._change_reason = reason
        # A full save, so that auto_now fields move and the history keeps the whole record.
        self.save()


def revisable_fields(model):
    """The fields a revision may change: what an editor edits, but not the publication."""
    return [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.editable and not field.primary_key and field.name != "publication"
    ]


def _stored(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


class RevisionState(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    PUBLISHED = "published", gettext_lazy("Published")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=RevisionState.PENDING)


class Revision(models.Model):
    """Changes to a published record, kept from readers until an editor publishes them.

    `values` holds only the fields that differ from the live record when proposed,
    as JSON (a many-to-many field as a list of ids).
    """

    State = RevisionState

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey()
    values = models.JSONField(encoder=DjangoJSONEncoder)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=RevisionState, default=RevisionState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=RevisionState.values),
                name="revision_state_valid",
            )
        ]

    def __str__(self):
        return _("Revision of “%(record)s” by %(author)s") % {
            "record": self.record,
            "author": self.author or _("a deleted user"),
        }

    @classmethod
    def propose(cls, proposed, author, related=None):
        """A pending revision of what `proposed` (an unsaved copy of a published record, and
        `related`: {many-to-many field name: objects}) changes of the live record; None if
        nothing differs."""
        live = type(proposed).objects.get(pk=proposed.pk)
        related = related or {}
        values = {}
        for field in revisable_fields(type(proposed)):
            if field.many_to_many:
                if field.name not in related:
                    continue
                before = sorted(obj.pk for obj in getattr(live, field.name).all())
                after = sorted(obj.pk for obj in related[field.name])
            else:
                before = _stored(field.value_from_object(live))
                after = _stored(field.value_from_object(proposed))
            if before != after:
                values[field.name] = after
        if not values:
            return None
        return cls.objects.create(record=live, values=values, author=author)

    def changes(self):
        """[(field label, live value, proposed value)] as text, for the reviewer."""
        record = self.record
        rows = []
        for name, value in self.values.items():
            field = record._meta.get_field(name)
            if field.many_to_many:
                model = field.related_model
                before = ", ".join(str(obj) for obj in getattr(record, name).all())
                after = ", ".join(str(obj) for obj in model.objects.filter(pk__in=value))
            else:
                before = _display(record, field, field.value_from_object(record))
                after = _display(record, field, field.to_python(value))
            rows.append((field.verbose_name, before, after))
        return rows

    def publication_refusal(self, user):
        """Why `user` may not publish this revision, or "" if they may."""
        if self.state != self.State.PENDING:
            return _("This revision is no longer pending.")
        if refusal := permission_refusal(user, self.record):
            return refusal
        if settings.TIMELINE_REQUIRE_SECOND_EDITOR and self.author_id == user.pk:
            return _(
                "Your revision of “%(record)s” needs a second editor: someone else publishes it."
            ) % {"record": self.record}
        return ""


def _display(record, field, value):
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def publish(records, user):
    """Publish every draft among `records` (and the draft sources an event cites), or none.

    An event goes public with its evidence, so publishing it publishes the draft
    sources it cites, under the same rules. Raises PermissionDenied with every
    reason if any record may not be published. Returns what was published.
    """
    drafts = []
    for record in records:
        if record._meta.model_name == "event":
            drafts += [source for source in record.cited_sources() if source.is_draft]
        if record.is_draft:
            drafts.append(record)
    drafts = list({(type(r), r.pk): r for r in drafts}.values())
    refusals = [reason for record in drafts if (reason := record.publication_refusal(user))]
    if refusals:
        raise PermissionDenied(" ".join(dict.fromkeys(refusals)))
    with transaction.atomic():
        for record in drafts:
            record.set_publication(Publication.PUBLISHED, user, PUBLISHED)
    return drafts


def return_to_draft(records, user):
    """Take published `records` off the public site."""
    refusals = [reason for record in records if (reason := permission_refusal(user, record))]
    if refusals:
        raise PermissionDenied(" ".join(dict.fromkeys(refusals)))
    changed = [record for record in records if not record.is_draft]
    with transaction.atomic():
        for record in changed:
            record.set_publication(Publication.DRAFT, user, RETURNED_TO_DRAFT)
    return changed


def publish_revision(revision, user):
    """Apply a pending revision to its record, validated again, as `user`.

    Raises PermissionDenied if `user` may not, ValidationError if the record with the
    revision's changes is no longer valid (the revision then stays pending).
    """
    with transaction.atomic():
        # Locked, so that two editors publishing the same revision apply it once.
        revision = Revision.objects.select_for_update().get(pk=revision.pk)
        if refusal := revision.publication_refusal(user):
            raise PermissionDenied(refusal)
        record = revision.record
        related = {}
        for name, value in revision.values.items():
            field = record._meta.get_field(name)
            if not field.many_to_many:
                setattr(record, field.attname, field.to_python(value))
            elif field.related_model.objects.filter(pk__in=value).count() == len(set(value)):
                related[name] = value
            else:
                raise ValidationError(
                    _("Some of its %(field)s no longer exist.") % {"field": field.verbose_name}
                )
        record.full_clean()
        author = revision.author.get_username() if revision.author else _("a deleted user")
        record._history_user = user
        record._change_reason = f"Published revision by {author}"
        record.save()
        for name, ids in related.items():
            getattr(record, name).set(ids)
        revision.state = Revision.State.PUBLISHED
        revision.decided_by, revision.decided_at = user, timezone.now()
        revision.save()
    return record


def withdraw_revision(revision, user):
    """Set a pending revision aside: its author or an editor who may publish does."""
    if revision.state != Revision.State.PENDING:
        raise PermissionDenied(_("This revision is no longer pending."))
    if revision.author_id != user.pk and (refusal := permission_refusal(user, revision.record)):
        raise PermissionDenied(refusal)
    revision.state = Revision.State.WITHDRAWN
    revision.decided_by, revision.decided_at = user, timezone.now()
    revision.save()
