"""Publish and return to draft from the admin: a list column and filter, actions, buttons
on the change form, and pending revisions of published records. The rules themselves are
in relations/models/publication.py."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from relations.models import (
    DRAFTED,
    Publication,
    Revision,
    permission_refusal,
    publish,
    publish_revision,
    return_to_draft,
    withdraw_revision,
)

REVISION_CHANGES = {"publish-revision": publish_revision, "withdraw-revision": withdraw_revision}


class PublicationAdmin:
    """Mixin for a ModelAdmin of a Publishable model."""

    actions = ["publish_selected", "return_selected_to_draft"]
    change_form_template = "admin/relations/publication_change_form.html"
    # The history lists each version's state beside who saved it and why.
    history_list_display = ["publication"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "publication"]

    def get_list_filter(self, request):
        return ["publication", *super().get_list_filter(request)]

    def has_publish_permission(self, request, obj=None):
        return request.user.has_perm(f"relations.publish_{self.opts.model_name}")

    def has_delete_permission(self, request, obj=None):
        # Deleting a published record takes it off the site, as returning it to draft does.
        return super().has_delete_permission(request, obj) and not (
            obj and not obj.is_draft and permission_refusal(request.user, obj)
        )

    def save_model(self, request, obj, form, change):
        live = self.model.objects.filter(pk=obj.pk).first() if change else None
        if live is None:
            # New, or a deleted record brought back from its history: a draft either way.
            obj.publication = Publication.DRAFT
            obj._change_reason = DRAFTED
            super().save_model(request, obj, form, change)
            return
        # The history's revert posts an old version, publication included: the
        # publication changes only by publishing or returning to draft.
        obj.publication = live.publication
        refusal = live.live_edit_refusal(request.user)
        if not refusal:
            super().save_model(request, obj, form, change)
            return
        many_to_many = {field.name for field in self.opts.many_to_many}
        related = {name: value for name, value in form.cleaned_data.items() if name in many_to_many}
        obj._revision = Revision.propose(obj, request.user, related)
        obj._revision_refusal = refusal
        # The live record's relations stay as they are too. (Its citations are read-only
        # to this user, so the inline formsets save nothing.)
        form.save_m2m = lambda: None

    def log_change(self, request, obj, message):
        if hasattr(obj, "_revision_refusal"):
            # The admin's recent actions must not read as if the published record changed.
            message = _("Proposed a revision.") if obj._revision else _("Proposed no change.")
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if not hasattr(obj, "_revision_refusal"):
            return super().response_change(request, obj)
        if obj._revision is None:
            self.message_user(
                request,
                _("Nothing differs from the published version of “%(record)s”.") % {"record": obj},
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                _(
                    "%(reason)s Your changes to “%(record)s” are kept as a pending revision: "
                    "readers see the published version until an editor publishes them."
                )
                % {"reason": obj._revision_refusal, "record": obj},
                messages.WARNING,
            )
        return redirect(self.change_url(obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        pending = (
            obj.revisions.pending().select_related("author").prefetch_related("record")
            if obj
            else []
        )
        extra_context = {**(extra_context or {}), "pending_revisions": pending}
        return super().change_view(request, object_id, form_url, extra_context)

    def change_url(self, obj):
        info = self.opts.app_label, self.opts.model_name
        return reverse("admin:{}_{}_change".format(*info), args=[obj.pk])

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/publication/",
                self.admin_site.admin_view(self.publication_view),
                name="{}_{}_publication".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.action(
        description=gettext_lazy("Publish selected %(verbose_name_plural)s"),
        permissions=["publish"],
    )
    def publish_selected(self, request, queryset):
        self.change_publication(request, list(queryset), publish)

    @admin.action(
        description=gettext_lazy("Return selected %(verbose_name_plural)s to draft"),
        permissions=["publish"],
    )
    def return_selected_to_draft(self, request, queryset):
        self.change_publication(request, list(queryset), return_to_draft)

    def publication_view(self, request, object_id):
        return require_POST(self._publication_view)(request, object_id)

    def _publication_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        action = request.POST.get("publication")
        if action in ("publish", "draft"):
            change = publish if action == "publish" else return_to_draft
            self.change_publication(request, [obj], change)
        elif action in REVISION_CHANGES:
            self.change_revision(request, obj, REVISION_CHANGES[action])
        else:
            return HttpResponseBadRequest(
                _("Choose to publish, to return to draft, or to publish or withdraw a revision.")
            )
        return redirect(self.change_url(obj))

    def change_publication(self, request, records, change):
        try:
            changed = change(records, request.user)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        if not changed:
            self.message_user(request, _("Nothing to change."), messages.WARNING)
            return
        names = ", ".join(f"“{record}”" for record in changed)
        if change is publish:
            message = ngettext("Published %(names)s.", "Published %(names)s.", len(changed))
        else:
            message = ngettext(
                "Returned %(names)s to draft.", "Returned %(names)s to draft.", len(changed)
            )
        self.message_user(request, message % {"names": names}, messages.SUCCESS)

    def change_revision(self, request, obj, change):
        revision_id = request.POST.get("revision", "")
        revision = (
            obj.revisions.filter(pk=revision_id).first()
            if revision_id.isascii() and revision_id.isdigit()
            else None
        )
        if revision is None:
            self.message_user(
                request, _("“%(record)s” has no such revision.") % {"record": obj}, messages.ERROR
            )
            return
        try:
            change(revision, request.user)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        except ValidationError as invalid:
            self.message_user(
                request,
                _("The revision no longer fits “%(record)s”: %(errors)s")
                % {"record": obj, "errors": " ".join(invalid.messages)},
                messages.ERROR,
            )
        else:
            if change is publish_revision:
                message = _("Published the revision of “%(record)s”.")
            else:
                message = _("Withdrew the revision of “%(record)s”.")
            self.message_user(request, message % {"record": obj}, messages.SUCCESS)
