"""What readers see of the evidence: claims, quotes and references, statuses with reasons."""

import csv
import io
import json
import re
from html import unescape

import pytest
from django.utils.html import escape

from relations import evidence
from relations.models import Citation, Event, Source
from tests.factories import CitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db

DIPLOMATIC = "/events/diplomatic-relations-established/"


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def section(html, heading_id):
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def shown_claim_groups(html):
    """[(date, "N sources", standing, why, [publishers])] as the claims section shows them."""
    groups = re.findall(
        r'<li class="claim-group[^"]*">(.*?)</ul>', section(html, "claims-heading"), re.S
    )
    return [
        (
            re.search(r"<time[^>]*>(.*?)</time>", group)[1],
            re.search(r'class="claim-count">(.*?)</span>', group)[1],
            re.search(r'class="claim-standing">(.*?)</strong>', group)[1],
            unescape(re.search(r'class="claim-why">(.*?)</span>', group)[1]),
            re.findall(r'<li><a href="#[^"]+">(.*?)</a>', group),
        )
        for group in groups
    ]


def expected_claim_groups(event):
    """{date shown: (publishers of the sources giving it, the claims' ranks and reasons)}."""
    groups = {}
    for citation in event.citations.exclude(claimed_date="").select_related("source"):
        publishers, ranks = groups.setdefault(citation.claimed.display, (set(), set()))
        publishers.add(citation.source.publisher)
        ranks.add((citation.rank, citation.rank_reason))
    return groups


def test_claims_are_grouped_by_the_date_they_give_the_one_in_use_first(client, timeline):
    event = Event.objects.get(slug="diplomatic-relations-established")
    shown = shown_claim_groups(client.get(DIPLOMATIC).content.decode())
    expected = expected_claim_groups(event)
    assert len(expected) < event.citations.exclude(claimed_date="").count()  # some share a date
    assert {date: set(publishers) for date, _, _, _, publishers in shown} == {
        date: publishers for date, (publishers, _) in expected.items()
    }
    for _, count, _, _, publishers in shown:
        assert count == f"{len(publishers)} source{'s' if len(publishers) > 1 else ''}"
    # The timeline's own date first, in use; no other group is.
    assert shown[0][0] == event.date_display and shown[0][2] == "In use"
    assert all(standing != "In use" for _, _, standing, _, _ in shown[1:])
    # A deprecated claim's group gives the rank and its reason.
    [(rank, reason)] = expected["27 January 1992"][1]
    deprecated = next(group for group in shown if group[0] == "27 January 1992")
    assert rank == "deprecated"
    assert deprecated[2:4] == ("Not in use", f"Deprecated: {reason}")


def test_a_disputed_date_shows_the_preferred_group_first_and_names_the_dates_in_dispute(
    client, timeline
):
    event = Event.objects.get(slug="joint-statement-2024")
    html = client.get(event.get_absolute_url()).content.decode()
    shown = shown_claim_groups(html)
    expected = expected_claim_groups(event)
    assert {date: set(publishers) for date, _, _, _, publishers in shown} == {
        date: publishers for date, (publishers, _) in expected.items()
    }
    preferred = event.citations.get(rank="preferred")
    first = shown[0]
    assert first[0] == preferred.claimed.display == event.date_display
    assert first[2:4] == ("In use", f"Preferred: {preferred.rank_reason}")
    assert f'>{preferred.source.publisher}</a> <span class="claim-rank">(preferred)</span>' in html
    assert [standing for _, _, standing, _, _ in shown[1:]] == ["Not in use"] * (len(shown) - 1)

    # The status names the dates, each with how many sources give it, earliest first.
    counted = [c for c in event.citations.select_related("source") if c.counts and c.claimed]
    dates = sorted({(c.claimed.earliest, c.claimed.display) for c in counted})
    assert len(dates) == 2
    given = [
        f"{display} ({count} source{'s' if count > 1 else ''})"
        for count, display in (
            (len({c.source_id for c in counted if c.claimed.display == display}), display)
            for _, display in dates
        )
    ]
    sentence = f"Sources disagree on the date: {given[0]} or {given[1]}."
    assert event.status == "disputed" and event.status_reason == sentence
    status = re.search(r'<p class="status-line">(.*?)</p>', html, re.S)[1]
    assert escape(sentence) in status
    assert not any(c.source.publisher in unescape(status) for c in counted)


def test_claims_are_not_shown_when_the_sources_agree(client, timeline):
    html = client.get("/events/eagle-assault-2024-exercise/").content.decode()
    assert "claims-heading" not in html


def test_quoted_evidence_and_references_are_shown_apart(client, timeline):
    html = client.get(DIPLOMATIC).content.decode()
    quoted = html[
        html.index("Quoted from texts kept here") : html.index("References (not stored here)")
    ]
    references = html[html.index("References (not stored here)") :]
    assert "<blockquote" in quoted and "This enduring partnership dates back to 1992" in quoted
    assert "<blockquote" not in references.split("</section>")[0]
    profile = Citation.objects.get(
        event__slug="diplomatic-relations-established",
        source__slug="mfa-profile-china-belarus-relations",
    )
    assert f"where: {profile.locator}" in references
    assert 'href="https://www.chinanews.com.cn/gj/zlk/2014/01-16/348_2.shtml"' in references


def test_every_quote_has_a_link_to_itself_that_resolves(client, timeline):
    html = client.get(DIPLOMATIC).content.decode()
    links = re.findall(r'<a href="#([^"]+)" class="quote-link">Link to this quote</a>', html)
    event = Event.objects.get(slug="diplomatic-relations-established")
    assert len(links) == event.citations.exclude(quote="").count()
    for fragment in links:
        assert f'id="{fragment}"' in html
    source_links = re.findall(r'href="(/sources/[^"#]+/)#(q-\d+-\d+)"', html)
    assert source_links
    for path, fragment in source_links:
        assert f'id="{fragment}"' in client.get(path).content.decode()


def test_quote_links_are_the_same_on_every_database(timeline):
    citation = Citation.objects.exclude(quote="").select_related("source").first()
    assert citation.fragment == f"q-{citation.source.slug}-{citation.start}-{citation.end}"
    assert str(citation.pk) not in citation.fragment.split("-")[-2:]


def test_independent_sources_leave_unreliable_ones_out_and_show_them_apart(client, timeline):
    html = client.get(DIPLOMATIC).content.decode()
    event = Event.objects.get(slug="diplomatic-relations-established")
    cited = event.citations.select_related("source")
    counted = sorted(
        {evidence.origin_of(c.source) for c in cited if c.counts and c.stance == "supports"}
    )
    unreliable = sorted({c.source.publisher for c in cited if c.source.reliability == "unreliable"})
    assert unreliable
    assert f"{len(counted)} independent sources count: {', '.join(counted)}." in html
    assert f"Not counted, rated unreliable: {', '.join(unreliable)}" in html
    listing = client.get("/?q=establish+diplomatic+relations").content.decode()
    rated = f"(and {len(unreliable)} rated unreliable, not counted)"
    assert f"{len(counted)} independent sources {rated}" in listing


def test_status_is_shown_with_its_reason_on_the_event_page_and_the_list(client, timeline):
    event = Event.objects.get(slug="eagle-assault-2024-exercise")
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Confirmed" in page and escape(event.status_reason) in page
    listing = client.get("/?category=security").content.decode()
    assert f"Confirmed: {escape(event.status_reason)}" in listing


def test_an_override_is_shown_as_the_editors_judgement(client, db):
    event = EventFactory(status_override="disputed", status_override_reason="Minsk denies it.")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "status-judgement" in html
    assert "Editors&#x27; judgement: Minsk denies it." in html


def test_source_list_filters_to_quoted_texts_or_references(client, timeline):
    def titles(query):
        found, page = set(), 1
        while True:
            html = client.get(f"/sources/{query or '?'}&page={page}").content.decode()
            found |= set(re.findall(r'<th scope="row"><a href="/sources/([^/]+)/"', html))
            if 'rel="next"' not in html:
                return found
            page += 1

    texts = set(Source.objects.exclude(text="").values_list("slug", flat=True))
    references = set(Source.objects.filter(text="").values_list("slug", flat=True))
    assert titles("?kind=text") == texts
    assert titles("?kind=reference") == references
    assert titles("") == texts | references
    response = client.get("/sources/?kind=rumours")
    assert response.status_code == 400
    assert "There is no kind of source “rumours”." in response.content.decode()


def test_reference_page_lists_its_citations_by_locator(client, timeline):
    html = client.get("/sources/eastandwest-2022-01-11-china-belarus-relations/").content.decode()
    assert "Full text" not in html
    assert "its text is not kept here" in html
    blog = Citation.objects.get(source__slug="eastandwest-2022-01-11-china-belarus-relations")
    assert f"where: {blog.locator}" in html
    assert "gives 27 January 1992 (deprecated)" in re.sub(r"<[^>]+>", "", html)


def test_about_page_states_the_rules(client, db):
    html = client.get("/about/").content.decode()
    assert 'id="status-rules"' in html
    assert "A source rated unreliable never counts" in html
    assert "at least two independent origins" in html
    assert "never shown as lasting 365 days" in html


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sources/",
        *(
            f"/events/{slug}/"
            for slug in [
                "diplomatic-relations-established",
                "belt-and-road-initiative-announced",
                "comprehensive-strategic-partnership",
                "industrial-park-agreement",
                "li-shangfu-visits-belarus",
                "li-qiang-golovchenko-talks-minsk",
                "joint-statement-2024",
                "trade-2023-above-8-4-billion",
                "eagle-assault-2024-exercise",
            ]
        ),
    ],
)
def test_no_reader_page_names_a_seed_file(client, timeline, path):
    html = client.get(path).content.decode()
    assert not re.search(
        r"\b(Article|Seed article|seed) 00[014]\b|\(00[014]\)|_[0-9a-f]{16}\.txt", html
    )


def test_no_source_page_names_a_seed_file(client, timeline):
    for slug in Source.objects.values_list("slug", flat=True):
        html = client.get(f"/sources/{slug}/").content.decode()
        assert not re.search(r"\b(Article|Seed article) 00[014]\b|\(00[014]\)", html), slug


def test_no_source_page_repeats_an_id(client, timeline):
    # A reference cited by several events at the same place listed each under one id.
    for slug in Source.objects.values_list("slug", flat=True):
        ids = re.findall(r'\sid="([^"]+)"', client.get(f"/sources/{slug}/").content.decode())
        assert len(ids) == len(set(ids)), slug


def test_annotations_export_is_a_web_annotation_collection_of_the_filtered_view(client, timeline):
    response = client.get("/export/annotations/?category=security")
    assert response["Content-Type"].startswith("application/ld+json")
    data = json.loads(body(response))
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["id"] == "http://testserver/export/annotations/?category=security"
    items = data["first"]["items"]
    assert (
        data["total"] == len(items) == Citation.objects.filter(event__category="security").count()
    )
    texts = {s.slug: s.text for s in Source.objects.all()}
    for item in items:
        assert item["type"] == "Annotation" and item["motivation"] == "linking"
        event_url = item["body"][0]["source"]
        assert item["id"].startswith(event_url + "#")
        target = item["target"]
        if "selector" not in target:
            continue  # a reference: its locator is a textual body
        quote, position = target["selector"]
        slug = target["source"].rstrip("/").rsplit("/", 1)[1]
        text = texts[slug]
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
        assert text.count(quote["prefix"] + quote["exact"] + quote["suffix"]) == 1


def test_annotations_export_gives_a_reference_its_locator(client, timeline):
    data = json.loads(body(client.get("/export/annotations/?q=diplomatic")))
    blog = next(i for i in data["first"]["items"] if "eastandwest" in i["target"]["source"])
    values = [b.get("value") for b in blog["body"]]
    locator = Citation.objects.get(
        source__slug="eastandwest-2022-01-11-china-belarus-relations"
    ).locator
    assert locator in values
    assert any("1992-01-27" in (v or "") and "deprecated" in v for v in values)


def test_json_and_csv_exports_carry_the_edtf_date_the_reason_and_the_claims(client, timeline):
    data = json.loads(body(client.get("/export/json/?q=establish+diplomatic+relations")))
    event = next(e for e in data["events"] if e["slug"] == "diplomatic-relations-established")
    stored = Event.objects.get(slug="diplomatic-relations-established")
    assert event["date_edtf"] == "1992-01-20"
    assert event["status_reason"] == stored.status_reason
    claims = sorted((c["claimed_date"], c["rank"]) for c in event["citations"] if c["claimed_date"])
    assert claims == sorted(
        stored.citations.exclude(claimed_date="").values_list("claimed_date", "rank")
    )
    assert ("1992-01-27", "deprecated") in claims
    rows = list(csv.DictReader(io.StringIO(body(client.get("/export/csv/?category=trade")))))
    assert rows[0]["date_edtf"] == "2023"


def test_timelinejs_shows_a_vague_date_honestly(client, db):
    EventFactory(date_edtf="[2013,2015]", title="Joined at some point")
    data = json.loads(body(client.get("/export/timelinejs/")))
    (slide,) = data["events"]
    assert slide["display_date"] == "2013 or 2015"
    assert slide["start_date"] == {"year": 2013, "display_date": "2013"}
    assert slide["end_date"] == {"year": 2015, "display_date": "2015"}


def test_a_new_conflict_between_counted_sources_makes_the_event_disputed(client, db):
    event = EventFactory(date_edtf="1992-01-20")
    CitationFactory(
        event=event, source=SourceFactory(publisher="Xinhua"), claimed_date="1992-01-20"
    )
    CitationFactory(event=event, source=SourceFactory(publisher="BelTA"), claimed_date="1992-01-27")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Disputed" in html
    assert (
        "Sources disagree on the date: 20 January 1992 (1 source) or 27 January 1992 (1 source)."
        in html
    )
    assert html.count('class="claim-group claim-in-use"') == 1
