"""What search engines are told: robots.txt, and a sitemap of the public pages.

Filtered timelines and the embed are the same events again; they say `noindex`
in their pages (templates/base.html) rather than being listed here.
"""

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from relations.models import Event, Source


class PageSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["relations:timeline", "relations:sources", "relations:about"]

    def location(self, name):
        return reverse(name)


class EventSitemap(Sitemap):
    def items(self):
        return Event.objects.public().order_by("start_date", "slug").only("slug", "updated_at")

    def lastmod(self, event):
        return event.updated_at


class SourceSitemap(Sitemap):
    def items(self):
        return Source.objects.public().order_by("slug").only("slug")


SITEMAPS = {"pages": PageSitemap, "events": EventSitemap, "sources": SourceSitemap}


@require_safe
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("relations:sitemap"))
    exports = reverse("relations:export", args=["csv"]).removesuffix("csv/")
    lines = [
        "User-agent: *",
        # The editors' side, and downloads that repeat the pages in other formats.
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {exports}",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
