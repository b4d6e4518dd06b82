"""The China–Belarus data set as a reader meets it: enough events, each on evidence by the rules."""

import re
from pathlib import Path

import pytest
from django.utils.html import escape

from relations import evidence
from relations.anchors import anchor
from relations.dates import EventDate
from relations.models import Actor, Citation, Event, Source

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
        origins = {c.source.origin or c.source.publisher for c in supporting}
        reliable = [c for c in supporting if c.source.reliability == Source.Reliability.RELIABLE]
        official = [c for c in reliable if c.source.kind == Source.Kind.OFFICIAL]
        assert (len(origins) >= 2 and reliable) or official, event.slug


def test_no_event_rests_only_on_unreliable_sources_unless_reported_or_disputed(timeline):
    for event in events():
        supporting = [c for c in event.citations.all() if c.stance == Citation.Stance.SUPPORTS]
        if all(c.source.reliability == Source.Reliability.UNRELIABLE for c in supporting):
            assert event.status in (Event.Status.REPORTED, Event.Status.DISPUTED), event.slug


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
