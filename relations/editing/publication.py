"""Publish and return to draft from the admin: a list column and filter, actions, and
buttons on the change form. The rules themselves are in relations/publication.py."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from relations.publication import DRAFTED, publish, return_to_draft


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

    def save_model(self, request, obj, form, change):
        if not change:
            obj._change_reason = DRAFTED
        super().save_model(request, obj, form, change)

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
        change = publish if request.POST.get("publication") == "publish" else return_to_draft
        self.change_publication(request, [obj], change)
        info = self.opts.app_label, self.opts.model_name
        return redirect(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))

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
