"""Draft and review: events and sources are public only once an editor publishes them.

New records start as drafts. Public pages, exports, feeds, search and counts
read `Model.objects.public()`; editors preview drafts on the public pages. A
deployment can require a second editor to publish what the first created
(`TIMELINE_REQUIRE_SECOND_EDITOR`). The history records who drafted and who
published, with "Drafted" and "Published" as the change reasons.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Publication(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")


DRAFTED = "Drafted"
PUBLISHED = "Published"
RETURNED_TO_DRAFT = "Returned to draft"


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

    class Meta:
        abstract = True

    @property
    def is_draft(self):
        return self.publication == Publication.DRAFT

    def drafted_by(self):
        """The user who created the record, from its history (None for imports)."""
        first = self.history.order_by("history_date", "history_id").first()
        return first.history_user if first else None

    def publication_refusal(self, user):
        """Why `user` may not publish this record, or "" if they may."""
        label = self._meta.model_name
        if not user.has_perm(f"relations.publish_{label}"):
            return _("You do not have permission to publish %(label)ss.") % {"label": label}
        if settings.TIMELINE_REQUIRE_SECOND_EDITOR and self.drafted_by() == user:
            return _(
                "“%(record)s” needs a second editor: you drafted it, so someone else publishes it."
            ) % {"record": self}
        return ""

    def set_publication(self, state, user, reason):
        self.publication = state
        self._history_user = user
        self._change_reason = reason
        # A full save, so that auto_now fields move and the history keeps the whole record.
        self.save()


def publish(records, user):
    """Publish every draft among `records` (and the draft sources an event cites), or none.

    An event goes public with its evidence, so publishing it publishes the draft
    sources it cites, under the same rules. Raises PermissionDenied with every
    reason if any record may not be published. Returns what was published.
    """
    from relations.models import Event

    drafts = []
    for record in records:
        if isinstance(record, Event):
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
    label_refusals = [
        _("You do not have permission to publish %(label)ss.") % {"label": r._meta.model_name}
        for r in records
        if not user.has_perm(f"relations.publish_{r._meta.model_name}")
    ]
    if label_refusals:
        raise PermissionDenied(" ".join(dict.fromkeys(label_refusals)))
    changed = [record for record in records if not record.is_draft]
    with transaction.atomic():
        for record in changed:
            record.set_publication(Publication.DRAFT, user, RETURNED_TO_DRAFT)
    return changed
