from django.contrib.sitemaps.views import sitemap
from django.urls import path

from relations import views
from relations.exports import downloads
from relations.sitemaps import SITEMAPS, robots_txt

app_name = "relations"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("about/", views.about, name="about"),
    path("export/<slug:fmt>/", downloads.export, name="export"),
    path("schemas/export-1.json", downloads.export_schema, name="export-schema"),
    path("feed/", downloads.feed, name="feed"),
    path("data/", downloads.data_page, name="data"),
    path("embed/", views.embed, name="embed"),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
