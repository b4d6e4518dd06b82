"""The editors' tools as ModelAdmin mixins: extra admin views under each model's URLs."""

import base64

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from relations.editing import proposals as passages
from relations.editing import spreadsheets
from relations.editing.duplicates import candidate_from, probable_duplicates
from relations.editing.sources import SourceFromDocumentForm, create_source
from relations.models import Category, Source


def within_upload_limits(request):
    """Whether the form data fits the limits; reading it is what raises when it does not."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    # The file limit, plus room for the other fields and the multipart framing.
    if length > settings.SOURCE_FETCH_MAX_BYTES + 64 * 1024:
        return False
    try:
        return request.POST is not None
    except RequestDataTooBig:
        return False


def admin_context(model_admin, request, title, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        **extra,
    }


class SourceToolsAdmin:
    """Add a source from text, a file or an address; list the events proposed from its text."""

    change_list_template = "admin/relations/source/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "add-from-document/",
                view(csrf_exempt(self.add_from_document)),
                name="relations_source_add_from",
            ),
            path(
                "<path:object_id>/proposals/",
                view(self.proposals_view),
                name="relations_source_proposals",
            ),
            path("cite/", view(self.cite_view), name="relations_source_cite"),
            *super().get_urls(),
        ]

    def add_from_document(self, request):
        """The size of a paste is checked before the CSRF check reads the form: read
        there, too much pasted text would end in a bare 400 with no word on why."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and not within_upload_limits(request):
            self.message_user(
                request,
                _(
                    "Too large: pasted text can be at most %(paste)s and a file at most "
                    "%(file)s. Save a longer text as a .txt file and upload it."
                )
                % {
                    "paste": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
                    "file": filesizeformat(settings.SOURCE_FETCH_MAX_BYTES),
                },
                messages.ERROR,
            )
            context = admin_context(
                self, request, _("Add a source from a document"), form=SourceFromDocumentForm()
            )
            return TemplateResponse(
                request, "admin/relations/source/add_from.html", context, status=413
            )
        return csrf_protect(self.add_document)(request)

    def add_document(self, request):
        form = SourceFromDocumentForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            source = create_source(form, request.user)
            if source is not None:
                self.message_user(
                    request,
                    _("Added the draft source “%(title)s” (%(length)d characters).")
                    % {"title": source.title, "length": len(source.text)},
                    messages.SUCCESS,
                )
                return redirect("admin:relations_source_proposals", source.pk)
        context = admin_context(self, request, _("Add a source from a document"), form=form)
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/relations/source/add_from.html", context, status=status
        )

    def proposals_view(self, request, object_id):
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404(_("There is no such source."))
        if not self.has_view_permission(request, source):
            raise PermissionDenied
        proposals = passages.source_proposals(source)
        citations = list(source.citations.select_related("event"))
        for proposal in proposals:
            proposal.date_text = passages.describe_date(proposal.date)
            proposal.category_label = Category(proposal.category).label
            sentence = proposal.sentence
            proposal.cited_for = list(
                dict.fromkeys(c.event for c in citations if c.quote and c.quote in sentence)
            )
        context = admin_context(
            self,
            request,
            _("Proposed events in “%(title)s”") % {"title": source.title},
            source=source,
            original=source,
            proposals=proposals,
            can_change=request.user.has_perm("relations.add_citation"),
            media=self.media,
        )
        return TemplateResponse(request, "admin/relations/source/proposals.html", context)

    def cite_view(self, request):
        if request.method != "POST":
            return redirect("admin:relations_source_changelist")
        if not request.user.has_perm("relations.add_citation"):
            raise PermissionDenied
        data = request.POST.copy()
        if data.get("other_event", "").strip():
            data["event"] = data["other_event"].strip()
        form = passages.CitePassageForm(data)
        source_id = request.POST.get("source", "")
        back = (
            reverse("admin:relations_source_proposals", args=[source_id])
            if source_id.isdigit()
            else reverse("admin:relations_source_changelist")
        )
        if not form.is_valid():
            for error in form.errors.values():
                self.message_user(request, " ".join(error), messages.ERROR)
            return redirect(back)
        data = form.cleaned_data
        if refusal := data["event"].citation_refusal(request.user):
            self.message_user(request, refusal, messages.ERROR)
            return redirect(back)
        try:
            passages.cite(
                data["event"], data["source"], data["quote"], request.user, start=data["start"]
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return redirect(back)
        self.message_user(
            request,
            _("Added the quote “%(quote)s” to “%(event)s”.")
            % {"quote": data["quote"], "event": data["event"]},
            messages.SUCCESS,
        )
        return redirect(back)


class DuplicateCheckForm(forms.ModelForm):
    """The event form, which asks before saving an event that is probably already there."""

    not_a_duplicate = forms.BooleanField(
        required=False, label=gettext_lazy("This is a different event: save it anyway")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = []

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            actors = [actor.pk for actor in cleaned.get("actors") or []]
            self.duplicates = probable_duplicates(candidate_from(cleaned, self.instance), actors)
            if self.duplicates and not cleaned.get("not_a_duplicate"):
                raise ValidationError(passages.duplicate_message(self.duplicates))
        return cleaned


class EventToolsAdmin:
    """Start an event from a passage; warn of probable duplicates on the change form."""

    form = DuplicateCheckForm

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "from-passage/", view(self.from_passage_view), name="relations_event_from_passage"
            ),
            path("import/", view(self.import_view), name="relations_event_import"),
            *super().get_urls(),
        ]

    def from_passage_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = passages.EventFromPassageForm(request.POST)
            if form.is_valid():
                event = form.save_with_citation(request.user)
                self.message_user(
                    request,
                    _("Added the draft event “%(title)s” with its quote.") % {"title": event.title},
                    messages.SUCCESS,
                )
                return redirect("admin:relations_event_change", event.pk)
        else:
            passage = passages.PassageForm(request.GET)
            if not passage.is_valid():
                raise Http404(_("Choose a passage on a source's proposals page."))
            data = passage.cleaned_data
            proposal = passages.proposal_at(data["source"], data["start"], data["end"])
            if proposal is None:
                raise Http404(_("The passage has no date; choose one on the proposals page."))
            form = passages.EventFromPassageForm(
                initial=passages.initial_from_proposal(
                    data["source"], proposal, data["start"], data["end"]
                )
            )
        source = Source.objects.filter(pk=form["source"].value()).first()
        start, end = form["start"].value(), form["end"].value()
        quote = ""
        if source is not None and str(start).isdigit() and str(end).isdigit():
            quote = source.text[int(start) : int(end)].strip()
        context = admin_context(
            self, request, _("New event from a passage"), form=form, source=source, quote=quote
        )
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/relations/event/from_passage.html", context, status=status
        )

    def import_view(self, request):
        """Upload a spreadsheet, see each row's outcome, then apply it in one transaction."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SpreadsheetForm(request.POST or None, request.FILES or None)
        outcomes, status = None, 200
        if request.method == "POST" and form.is_valid():
            data, name = form.spreadsheet()
            try:
                outcomes = spreadsheets.preview(data, name)
                if "apply" in request.POST:
                    created, updated = spreadsheets.apply(outcomes, request.user)
                    self.message_user(
                        request,
                        _(
                            "Imported %(created)d new and %(updated)d updated events: changes "
                            "to published events are pending revisions, the rest are drafts."
                        )
                        % {"created": created, "updated": updated},
                        messages.SUCCESS,
                    )
                    return redirect(
                        reverse("admin:relations_event_changelist") + "?publication__exact=draft"
                    )
            except spreadsheets.SpreadsheetError as exc:
                form.add_error(None, str(exc))
                status = 400
        elif request.method == "POST":
            status = 400
        errors = sum(1 for outcome in outcomes or [] if outcome.outcome == "error")
        context = admin_context(
            self,
            request,
            _("Import events from a spreadsheet"),
            form=form,
            outcomes=outcomes,
            errors=errors,
            payload=form.encoded if outcomes is not None else "",
        )
        return TemplateResponse(
            request, "admin/relations/event/import.html", context, status=status
        )


SPREADSHEET_MAX_BYTES = 2 * 1024 * 1024


class SpreadsheetForm(forms.Form):
    """The upload, or on the preview page the same file carried as base64 to apply it."""

    file = forms.FileField(
        required=False,
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy(
            ".csv or .xlsx with the columns of this site's CSV export or of the TimelineJS template"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    payload = forms.CharField(required=False, widget=forms.HiddenInput)
    filename = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > SPREADSHEET_MAX_BYTES:
                raise ValidationError(_("The spreadsheet is larger than 2 MB; split it."))
            self.data_bytes, self.name = upload.read(), upload.name
        elif cleaned.get("payload"):
            try:
                self.data_bytes = base64.b64decode(cleaned["payload"], validate=True)
            except ValueError as exc:
                raise ValidationError(_("Upload the spreadsheet again.")) from exc
            self.name = cleaned.get("filename") or "upload.csv"
        else:
            raise ValidationError(_("Choose a .csv or .xlsx file."))
        return cleaned

    def spreadsheet(self):
        return self.data_bytes, self.name

    @property
    def encoded(self):
        return base64.b64encode(self.data_bytes).decode("ascii")
