from django.contrib.sitemaps.views import sitemap
from django.urls import path

from relations import views
from relations.exports import views as export_views
from relations.sitemaps import SITEMAPS, robots_txt

app_name = "relations"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("about/", views.about, name="about"),
    path("export/<slug:fmt>/", export_views.export, name="export"),
    path("schemas/export-1.json", export_views.export_schema, name="export-schema"),
    path("feed/", export_views.feed, name="feed"),
    path("data/", export_views.data_page, name="data"),
    path("embed/", views.embed, name="embed"),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
