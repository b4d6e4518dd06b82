"""The China–Belarus data set as a reader meets it: enough events, each on evidence by the rules."""

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.utils.html import escape

from relations import evidence
from relations.anchors import anchor
from relations.dates import EventDate
from relations.models import Actor, Citation, Event, Source
from relations.passages import CONTEXT_CHARS
from tests.test_drafts import EXPORT_FORMATS, crawl

pytestmark = pytest.mark.django_db

# How internal names of the three stored articles could leak into reader-visible text.
SEED_NAME = re.compile(
    r"\b[Aa]rticles? 00\d|\(00\d\)|\b00\d_[0-9a-f]{16}(\.txt)?|\bseed (article|file)", re.I
)
README = Path(__file__).resolve().parent.parent / "README.md"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def events():
    return Event.objects.prefetch_related("citations__source").order_by("start_date", "slug")


def test_at_least_sixty_five_events_from_1991_to_2025(timeline):
    years = set(Event.objects.values_list("start_year", flat=True))
    assert Event.objects.count() >= 65
    assert min(years) == 1991
    assert max(years) == 2025


def test_every_decade_from_the_1990s_has_events(timeline):
    years = Event.objects.values_list("start_year", flat=True)
    assert {year // 10 * 10 for year in years} >= {1990, 2000, 2010, 2020}


def readme_years_without_events():
    """The years the README's Data section lists as having no event."""
    section = README.read_text(encoding="utf-8").split("**Years with no event.**", 1)[1]
    section = section.split("\n## ", 1)[0]
    return {int(year) for year in re.findall(r"^- (\d{4}):", section, re.MULTILINE)}


def test_years_without_events_are_the_ones_the_readme_lists(timeline):
    covered = set()
    for start, end in Event.objects.values_list("start_date", "end_date"):
        covered.update(range(start.year, (end or start).year + 1))
    empty = {year for year in range(min(covered), max(covered) + 1) if year not in covered}
    assert empty == readme_years_without_events()


def test_every_event_has_a_citation(timeline):
    assert not Event.objects.filter(citations__isnull=True).exists()


def test_every_event_date_is_valid_edtf_and_matches_the_stored_bounds(timeline):
    for event in events():
        when = EventDate.parse(event.date_edtf)
        assert when.earliest == event.start_date, event.slug
        assert (when.latest if when.latest != when.earliest else None) == event.end_date, event.slug


def test_every_quote_is_verbatim_and_anchors_uniquely(timeline):
    quoted = Citation.objects.exclude(quote="").select_related("source")
    assert quoted.exists()
    for citation in quoted:
        text = citation.source.text
        assert citation.quote in text
        found = anchor(text, citation.quote, citation.prefix, citation.suffix)
        assert (found.start, found.end) == (citation.start, citation.end)
        assert text[found.start : found.end] == citation.quote


def test_every_reference_citation_gives_a_locator(timeline):
    for citation in Citation.objects.filter(source__text="").select_related("source"):
        assert citation.locator.strip(), citation
        assert not citation.quote


def test_every_reference_names_its_publication_with_url_and_date(timeline):
    for source in Source.objects.filter(text=""):
        assert source.url.startswith(("http://", "https://")), source.slug
        assert source.publisher.strip() and source.title.strip(), source.slug
        # A page that gives no date says so rather than inventing one.
        assert source.published_on or "date" in source.notes.lower(), source.slug


def test_stored_status_is_what_the_rules_give(timeline):
    for event in events():
        verdict = evidence.assess(event.citations.all())
        assert (event.status, event.status_reason) == (verdict.status, verdict.reason), event.slug


def test_every_confirmed_event_satisfies_the_rules(timeline):
    confirmed = [e for e in events() if e.status == Event.Status.CONFIRMED]
    assert len(confirmed) >= 20
    for event in confirmed:
        counted = [c for c in event.citations.all() if evidence.counts(c)]
        supporting = [c for c in counted if c.stance == Citation.Stance.SUPPORTS]
        assert not [c for c in counted if c.stance == Citation.Stance.DISPUTES], event.slug
        assert not evidence.conflicting_claims(counted), event.slug
        origins = {evidence.origin_of(c.source) for c in supporting}
        reliable = [c for c in supporting if c.source.reliability == Source.Reliability.RELIABLE]
        official = [c for c in reliable if c.source.kind == Source.Kind.OFFICIAL]
        assert (len(origins) >= 2 and reliable) or official, event.slug


def test_no_event_rests_only_on_unreliable_sources_unless_reported_or_disputed(timeline):
    for event in events():
        supporting = [c for c in event.citations.all() if c.stance == Citation.Stance.SUPPORTS]
        if all(c.source.reliability == Source.Reliability.UNRELIABLE for c in supporting):
            assert event.status in (Event.Status.REPORTED, Event.Status.DISPUTED), event.slug


def test_every_source_has_a_real_title(timeline):
    for source in Source.objects.all():
        assert "untitled" not in source.title.lower(), source.slug


def test_titles_in_other_languages_have_one_english_gloss_format(timeline):
    for source in Source.objects.exclude(language="en"):
        # "Original title [English gloss]", or a descriptive title in square brackets.
        assert re.fullmatch(r"[^\[\]]+ \[[^\[\]]+\]|\[[^\[\]]+\]", source.title), source.slug


def test_no_event_rests_only_on_announcements_of_the_act(timeline):
    for event in events():
        stances = {c.stance for c in event.citations.all()}
        assert Citation.Stance.SUPPORTS in stances, event.slug


# A claim further than this from its event's span is about another event.
CLAIM_REACH_DAYS = 2 * 366


def test_no_claim_is_dated_far_outside_its_event(timeline):
    for event in events():
        when = event.when
        last = when.latest or when.earliest
        for citation in event.citations.all():
            claim = citation.claimed
            if claim is None:
                continue
            claim_last = claim.latest or claim.earliest
            gap = max((claim.earliest - last).days, (when.earliest - claim_last).days, 0)
            assert gap <= CLAIM_REACH_DAYS, (
                event.slug,
                citation.source.slug,
                citation.claimed_date,
            )


def test_deprecated_and_preferred_claims_give_their_reason(timeline):
    ranked = Citation.objects.exclude(rank=Citation.Rank.NORMAL)
    assert ranked.exists()
    for citation in ranked:
        assert citation.rank_reason.strip(), citation


def reader_visible_texts():
    for event in Event.objects.all():
        yield (
            event.slug,
            [event.title, event.summary, event.date_note, event.notes, event.status_reason],
        )
    for citation in Citation.objects.select_related("event", "source"):
        yield str(citation), [citation.locator, citation.note, citation.rank_reason]
    for source in Source.objects.all():
        yield (
            source.slug,
            [source.title, source.publisher, source.origin, source.notes, source.reliability_note],
        )


def test_no_reader_visible_text_names_a_seed_file(timeline):
    for name, texts in reader_visible_texts():
        for text in texts:
            assert not SEED_NAME.search(text), (name, text)


def test_event_and_source_pages_name_no_seed_file(client, timeline):
    urls = ["/", "/sources/"]
    urls += [event.get_absolute_url() for event in Event.objects.all()]
    urls += [source.get_absolute_url() for source in Source.objects.exclude(text="")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not SEED_NAME.search(response.content.decode()), url


def events_with_conflicting_claims():
    """Events whose citations give dates that cannot both be true, deprecated claims included."""
    found = []
    for event in events():
        dated = [(c, c.claimed) for c in event.citations.all() if c.claimed is not None]
        pairs = [
            (a, b)
            for i, (a, a_date) in enumerate(dated)
            for b, b_date in dated[i + 1 :]
            if not a_date.overlaps(b_date)
        ]
        if pairs:
            found.append((event, pairs))
    return found


def test_at_least_two_recorded_conflicts(timeline):
    assert len(events_with_conflicting_claims()) >= 2


def test_recorded_conflicts_are_visible_on_their_event_pages(client, timeline):
    for event, pairs in events_with_conflicting_claims():
        html = client.get(event.get_absolute_url()).content.decode()
        for first, second in pairs:
            for citation in (first, second):
                assert escape(citation.claimed.display) in html, (event.slug, citation.claimed_date)
                assert escape(citation.source.publisher) in html, (event.slug, citation.source.slug)
                if citation.rank_reason:
                    assert escape(citation.rank_reason) in html, (event.slug, citation.source.slug)


def test_heads_of_state_and_government_have_russian_and_chinese_aliases(timeline):
    for slug in ("xi-jinping", "alexander-lukashenko", "li-qiang", "jiang-zemin", "hu-jintao"):
        aliases = Actor.objects.get(slug=slug).aliases
        assert CYRILLIC.search(aliases), slug
        assert CJK.search(aliases), slug


# A reader may meet a stored third-party text only as its quotes with CONTEXT_CHARS
# either side: no run of LEAK_RUN characters from beyond that may reach them.
LEAK_RUN = 60
PROBE = LEAK_RUN // 2  # probes of PROBE characters every PROBE catch any longer run


def hidden_probes(source):
    """Stretches of the source's text beyond every quote and its context, as probes."""
    text = source.text
    shown = [False] * len(text)
    for citation in Citation.objects.public().filter(source=source).exclude(quote=""):
        for index in range(max(0, citation.start - CONTEXT_CHARS), citation.end + CONTEXT_CHARS):
            if index < len(text):
                shown[index] = True
    probes, run, visible_text = [], [], []
    for char, visible in zip(text + "\0", [*shown, True], strict=True):
        if not visible:
            run.append(char)
            continue
        hidden = "".join(run)
        visible_text.append(" | " + char if run else char)
        probes += [hidden[at : at + PROBE] for at in range(0, len(hidden) - PROBE + 1, PROBE)]
        run = []
    # A phrase the text repeats may be shown where it is quoted or near a quote; a
    # headline is shown as the source's title.
    visible_text = " ".join([*"".join(visible_text).split(), "\n", *source.title.split()])
    probes = [" ".join(probe.split()) for probe in probes]
    return [probe for probe in probes if probe not in visible_text]


def readable(url, body):
    """What a reader's software makes of a response: its text, unescaped, blanks collapsed."""
    if (
        url.startswith("/export/json")
        or url.startswith("/export/annotations")
        or (url.startswith("/export/timelinejs"))
    ):
        strings = []

        def walk(value):
            if isinstance(value, str):
                strings.append(html.unescape(value))
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(json.loads(body))
        text = "\n".join(strings)
    elif url.startswith("/export/csv"):
        text = "\n".join("\n".join(row) for row in csv.reader(io.StringIO(body)))
    elif url.startswith("/export/ics"):
        unfolded = body.replace("\r\n ", "").replace("\n ", "")
        text = re.sub(r"\\([\\;,])", r"\1", unfolded).replace("\\n", "\n")
    else:
        text = html.unescape(body)
    return " ".join(text.split())


def test_anonymous_readers_never_get_a_stored_text_beyond_its_quotes_in_context(client, timeline):
    stored = list(Source.objects.exclude(text=""))
    assert len(stored) == 3
    probes = {source.slug: hidden_probes(source) for source in stored}
    assert all(probes.values())  # each text has more than its quoted passages

    editor = User.objects.create_user("full-text-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    for source in stored:  # fills no cache a reader could be served from
        assert "Full text" in client.get(source.get_absolute_url()).content.decode()
    client.logout()

    first = [source.get_absolute_url() for source in stored]
    first += [
        event.get_absolute_url() for event in Event.objects.filter(citations__source__in=stored)
    ]
    first += [f"/export/{fmt}/?source={source.slug}" for source in stored for fmt in EXPORT_FORMATS]
    first += [f"/feed/?source={source.slug}" for source in stored]
    pages = crawl(client, first)
    assert set(first) <= set(pages)
    for url, (status, body) in pages.items():
        if status != 200:
            continue
        text = readable(url.removeprefix("htmx:"), body)
        for slug, hidden in probes.items():
            leaked = [probe for probe in hidden if probe in text]
            assert not leaked, (url, slug, leaked[:1])


def test_editors_read_a_stored_text_whole_kept_out_of_shared_caches(client, timeline):
    source = Source.objects.get(slug="chinese-troops-in-belarus-explainer")
    ending = "What are the potential consequences of the China-Belarus partnership"
    assert ending in source.text
    assert ending not in client.get(source.get_absolute_url()).content.decode()

    client.force_login(User.objects.create_user("reader", password="x-long-password"))
    assert ending not in client.get(source.get_absolute_url()).content.decode()

    editor = User.objects.create_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get(source.get_absolute_url())
    assert ending in response.content.decode()
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_belarusian_counterparts_are_actors_tagged_where_the_pages_name_them(timeline):
    tagged = {
        "stanislav-shushkevich": "joint-statement-1993",
        "vladimir-yermoshin": "hu-jintao-visit-2000",
        "vladimir-semashko": "wen-jiabao-minsk-communique-2007",
    }
    for slug, event in tagged.items():
        actor = Actor.objects.get(slug=slug)
        assert CYRILLIC.search(actor.aliases), slug
        assert actor.events.filter(slug=event).exists(), slug


def test_json_export_names_the_origin_each_citation_counts_for(client, timeline):
    response = client.get("/export/json/")
    data = json.loads(b"".join(response.streaming_content))
    trade = next(e for e in data["events"] if e["slug"] == "trade-2023-above-8-4-billion")
    origins = {c["origin"] for c in trade["citations"] if c["stance"] == "supports"}
    # TheWorldNews's sentences on trade are Reuters' own, so the rewrite adds no origin.
    assert origins == {"Reuters", "news.by"}
