from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from relations.models import Event, Source


@require_GET
def timeline(request):
    events = Event.objects.with_source_counts().prefetch_related("actors")
    return render(request, "relations/timeline.html", {"events": events})


@require_GET
def event_detail(request, slug):
    event = get_object_or_404(Event, slug=slug)
    return render(request, "relations/event.html", {"event": event})


@require_GET
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    return render(request, "relations/source.html", {"source": source})
