"""Text in another language than the page's is marked as such (WCAG 3.1.2), and a source's
language is named, not given as a tag."""

import re

import pytest
from django.utils.html import escape

from relations.models import Event, Source
from tests.factories import CitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db

ENGLISH_PAGE = '<html lang="en">'


def marked_title(source):
    """The title as a page in English should show it, from how the data set stores titles:
    'Original [English gloss]', or a gloss alone, '[Report on …]'."""
    if source.language.startswith("en") or source.title.startswith("["):
        return escape(source.title)
    original, _, gloss = source.title.partition(" [")
    marked = f'<span lang="{source.language}">{escape(original)}</span>'
    return f"{marked} {escape('[' + gloss)}" if gloss else marked


def test_a_source_page_title_marks_its_original_words_with_the_source_language(client, timeline):
    sources = Source.objects.all()
    assert {source.language for source in sources} >= {"ru", "zh-Hans", "zh-Hant", "ko", "ja"}
    for source in sources:
        html = client.get(source.get_absolute_url()).content.decode()
        assert ENGLISH_PAGE in html
        assert re.search(r"<h1>(.*?)</h1>", html, re.S)[1] == marked_title(source), source.slug


def test_titles_in_citations_and_lists_carry_their_language(client, timeline):
    event = Event.objects.get(slug="diplomatic-relations-established")
    html = client.get(event.get_absolute_url()).content.decode()
    cited = {citation.source for citation in event.citations.select_related("source")}
    foreign = [s for s in cited if not s.language.startswith("en") and not s.title.startswith("[")]
    assert {s.language for s in foreign} >= {"ru", "zh-Hans"}
    for source in cited:
        assert marked_title(source) in html, source.slug

    listing = client.get("/sources/?language=zh-Hant").content.decode()
    shown = Source.objects.filter(language="zh-Hant")
    assert shown
    for source in shown:
        assert f'<a href="{source.get_absolute_url()}">{marked_title(source)}</a>' in listing


def test_english_titles_get_no_lang_of_their_own(client, timeline):
    source = Source.objects.filter(language="en").first()
    html = client.get(source.get_absolute_url()).content.decode()
    assert f"<h1>{escape(source.title)}</h1>" in html


def test_quotes_from_a_text_in_another_language_carry_it(client, db):
    source = SourceFactory(
        language="ru",
        title="Встреча в Минске [Meeting in Minsk]",
        text="Стороны договорились укреплять сотрудничество. Визит продлится три дня.",
    )
    event = EventFactory()
    CitationFactory(event=event, source=source, quote="Стороны договорились")
    CitationFactory(event=event, source=source, quote="Визит продлится три дня.")
    page = client.get(event.get_absolute_url()).content.decode()
    assert '<blockquote lang="ru"' in page
    assert page.count('<p class="quote-key"><q lang="ru">') == 2
    cited = client.get(source.get_absolute_url()).content.decode()
    assert cited.count('<q lang="ru">') == 2
    assert '<blockquote class="source-text source-excerpt" lang="ru"' in cited


@pytest.mark.parametrize(
    ("code", "name"),
    [("en", "English"), ("ru", "Russian"), ("zh-Hans", "Simplified Chinese"), ("fil", "Filipino")],
)
def test_a_source_page_names_its_language(client, db, code, name):
    source = SourceFactory(language=code)
    html = client.get(source.get_absolute_url()).content.decode()
    assert f"<dt>Language</dt><dd>{name}</dd>" in html
