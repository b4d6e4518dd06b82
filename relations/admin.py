from django import forms
from django.contrib import admin
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from relations.editing.admin_views import EventToolsAdmin, SourceToolsAdmin
from relations.editing.publishing import PublicationAdmin
from relations.models import Actor, Citation, Event, FrontPage, Source

admin.site.site_header = "Relations Timeline: editors"
admin.site.site_title = "Relations Timeline"
admin.site.index_title = "Timeline data"

QUOTE_WIDGET = forms.Textarea(attrs={"rows": 3, "cols": 80})


class CitationInline(admin.StackedInline):
    """A record's citations; read-only to whoever's changes to the record wait for review."""

    model = Citation
    extra = 1
    autocomplete_fields = ["source"]
    fields = [
        "source", "quote", ("prefix", "suffix"), "locator", "stance",
        ("claimed_date", "rank"), "rank_reason", "origin", "note",
    ]  # fmt: skip

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "quote":
            kwargs["widget"] = QUOTE_WIDGET
        elif db_field.name in ("note", "rank_reason"):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def may_change_citations(self, request, obj):
        return obj is None or not obj.citation_refusal(request.user)

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self.may_change_citations(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_change_citations(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_change_citations(
            request, obj
        )


class SourceCitationInline(CitationInline):
    """A source's citations, listed with the event each one supports."""

    autocomplete_fields = ["event"]
    fields = [
        "event", "quote", ("prefix", "suffix"), "locator", "stance",
        ("claimed_date", "rank"), "rank_reason", "origin", "note",
    ]  # fmt: skip
    extra = 0
    verbose_name_plural = "Citations of this source"


class CitationCountAdmin(SimpleHistoryAdmin):
    """Lists objects with how many citations each has."""

    def get_queryset(self, request):
        # distinct: a search on quotes joins the citations, which would multiply a plain count.
        return (
            super().get_queryset(request).annotate(citation_total=Count("citations", distinct=True))
        )

    @admin.display(description="Citations", ordering="citation_total")
    def citation_count(self, obj):
        return obj.citation_total


@admin.register(Event)
class EventAdmin(EventToolsAdmin, PublicationAdmin, CitationCountAdmin):
    list_display = ["title", "date", "category", "status", "citation_count"]
    ordering = ["-start_date", "slug"]
    list_filter = ["category", "status", "status_override", "precision", "actors"]
    search_fields = ["title", "summary", "slug", "citations__quote"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["actors"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CitationInline]
    readonly_fields = ["date_bounds", "status_from_evidence"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "category", "actors"]}),
        ("Date", {"fields": ["date_edtf", "date_bounds", "date_note"]}),
        (
            "Status",
            {
                "fields": ["status_from_evidence", "status_override", "status_override_reason"],
                "description": "The status follows from the citations by the written rules "
                "(About page). Override it only with a reason readers will see.",
            },
        ),
        ("Notes", {"fields": ["notes"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["date_edtf"].required = True
        return form

    @admin.display(description="Date", ordering="start_date")
    def date(self, event):
        return event.date_display

    @admin.display(description="Reads as")
    def date_bounds(self, event):
        if not event.pk:
            return "—"
        latest = event.end_date or (None if event.when.open_end else event.start_date)
        return (
            f"{event.date_display} — earliest {event.start_date.isoformat()}, "
            f"latest {latest.isoformat() if latest else 'open'}"
        )

    @admin.display(description="Status")
    def status_from_evidence(self, event):
        if not event.pk:
            return "Computed from the citations when saved."
        return f"{event.get_status_display()} — {event.status_reason}"


@admin.register(Source)
class SourceAdmin(SourceToolsAdmin, PublicationAdmin, CitationCountAdmin):
    list_display = ["title", "publisher", "published", "kind", "reliability", "citation_count"]
    ordering = ["title"]
    list_filter = ["reliability", "kind", "language"]
    search_fields = ["title", "publisher", "origin", "slug", "text"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SourceCitationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "publisher",
                    "origin",
                    "url",
                    "archive_url",
                    "kind",
                    "language",
                ]
            },
        ),
        ("Publication date", {"fields": ["published_on", "published_precision"]}),
        ("Reliability", {"fields": ["reliability", "reliability_note"]}),
        (
            "Full text",
            {
                "fields": ["text"],
                "description": "Leave empty for a reference: a source cited by locator "
                "(page, paragraph) whose text is not stored here.",
            },
        ),
        ("Notes", {"fields": ["notes"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("url", "archive_url"):
            kwargs["assume_scheme"] = "https"
        elif db_field.name == "text":
            kwargs["widget"] = forms.Textarea(
                attrs={"rows": 24, "cols": 100, "class": "vLargeTextField"}
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Published", ordering="published_on")
    def published(self, source):
        return source.published_display


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["short_quote", "event", "source", "stance", "claimed_date", "rank"]
    list_filter = ["stance", "rank", "source__reliability"]
    search_fields = ["quote", "event__title", "source__title"]
    autocomplete_fields = ["event", "source"]
    list_select_related = ["event", "source"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (
            obj and obj.event.citation_refusal(request.user)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (
            obj and obj.event.citation_refusal(request.user)
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CitationForm(form):
            def clean_event(self):
                event = self.cleaned_data["event"]
                if refusal := event.citation_refusal(request.user):
                    raise forms.ValidationError(refusal)
                return event

        return CitationForm

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "quote":
            kwargs["widget"] = QUOTE_WIDGET
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Quote", ordering="quote")
    def short_quote(self, citation):
        if not citation.quote:
            return f"[{citation.locator}]"
        return citation.quote if len(citation.quote) <= 90 else citation.quote[:89] + "…"


@admin.register(Actor)
class ActorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "aliases"]
    fields = ["name", "slug", "kind", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(FrontPage)
class FrontPageAdmin(admin.ModelAdmin):
    """The front page's introduction: one row, changed but never added or deleted."""

    fields = ["introduction"]
    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
