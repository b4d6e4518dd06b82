import random
import re
import string
from difflib import SequenceMatcher
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from relations.passages import longest_common_run, mark_citations, marked_excerpts, surrounding
from tests.factories import SourceFactory

TEXT = "Alpha beta gamma. Delta epsilon zeta. Eta theta <iota> kappa."


def citation(pk, quote):
    return SimpleNamespace(pk=pk, quote=quote, event=SimpleNamespace(title=f"Event {pk}"))


def test_surrounding_cuts_at_word_boundaries():
    passage = surrounding(TEXT, "Delta epsilon", context=8)
    assert passage.quote == "Delta epsilon"
    assert passage.before == "gamma. "
    assert passage.after == " zeta."
    assert passage.clipped_start and passage.clipped_end


def test_surrounding_of_missing_quote_is_none():
    assert surrounding(TEXT, "omega") is None


def test_mark_citations_escapes_the_text():
    html = mark_citations(TEXT, [citation(1, "Eta theta <iota>")], {1: 1})
    assert "<mark id=" in html
    assert "&lt;iota&gt;" in html
    assert "<iota>" not in html


def test_a_quote_link_targets_the_marked_passage_itself():
    citations = [citation(1, "Alpha beta"), citation(2, "Delta epsilon")]
    html = mark_citations(TEXT, citations, {1: 1, 2: 2})
    first, second = TEXT.index("Alpha beta"), TEXT.index("Delta epsilon")
    assert f'<mark id="q-{first}-{first + 10}">Alpha beta</mark>' in html
    assert f'<mark id="q-{second}-{second + 13}">Delta epsilon</mark>' in html
    assert "<span" not in html  # no empty anchor to land on beside the passage


def test_one_passage_cited_by_two_events_is_one_mark_with_one_id():
    html = mark_citations(
        TEXT, [citation(1, "Alpha beta"), citation(2, "Alpha beta")], {1: 1, 2: 2}
    )
    assert html.count("<mark") == 1 and html.count('id="q-0-10"') == 1
    assert 'href="#ref-1"' in html and 'href="#ref-2"' in html


def test_overlapping_quotes_share_one_mark_with_both_anchors():
    citations = [citation(1, "beta gamma. Delta"), citation(2, "Delta epsilon")]
    html = mark_citations(TEXT, citations, {1: 1, 2: 2})
    first, second = TEXT.index("beta gamma. Delta"), TEXT.index("Delta epsilon")
    assert html.count("<mark") == 1
    # The mark is the first quote's passage; the second's anchor is where it starts inside.
    assert (
        f'<mark id="q-{first}-{first + 17}">beta gamma. <span id="q-{second}-{second + 13}"' in html
    )
    assert 'href="#ref-1"' in html and 'href="#ref-2"' in html
    # The text itself is unchanged once the markup is removed.
    assert "beta gamma. Delta epsilon zeta." in _strip_tags(html)


def _strip_tags(html):
    return re.sub(r"<sup>.*?</sup>|<[^>]+>", "", html)


def synthetic_article(size, seed=0):
    """Deterministic English-like text of `size` characters."""
    rnd = random.Random(seed)
    words = ["".join(rnd.choices(string.ascii_lowercase, k=rnd.randint(2, 9))) for _ in range(3000)]
    text = ""
    while len(text) < size:
        text += " ".join(rnd.choices(words, k=40)).capitalize() + ". "
    return text[:size]


@settings(max_examples=200, deadline=None)
@given(text=st.text("abc ", max_size=60), quote=st.text("abc ", max_size=20))
def test_longest_common_run_is_as_long_as_difflibs(text, quote):
    run = longest_common_run(text, quote)
    expected = SequenceMatcher(None, text, quote, autojunk=False).find_longest_match()
    assert run.length == expected.size
    assert (
        text[run.text_start : run.text_start + run.length]
        == (quote[run.quote_start : run.quote_start + run.length])
    )


def test_closest_passage_to_a_long_misquote_in_a_300_kb_source_is_found_in_linear_work():
    text = synthetic_article(300_000)
    original = text[150_000:151_000]
    # The quote an editor typed: the passage with a straight apostrophe slipped in.
    quote = original[:400] + "'" + original[401:]
    assert quote not in text

    passage = SourceFactory.build(text=text).closest_passage(quote)
    run = longest_common_run(text, quote)

    assert original in passage
    assert len(passage) < len(quote) + 2 * 40
    # One pass over the text: difflib compared every pair, ~300,000,000 of them.
    assert run.steps <= 2 * len(text)


def test_closest_passage_reads_at_most_the_scan_limit():
    text = synthetic_article(50_000)
    run = longest_common_run(text, text[40_000:40_500] + "!", limit=10_000)
    assert run.steps <= 2 * 10_000
    assert run.text_start + run.length <= 10_000


def test_closest_passage_in_text_without_spaces_stays_near_the_quote():
    text = "中国和白俄罗斯" * 20_000
    passage = SourceFactory.build(text=text).closest_passage("白俄罗斯总统")
    assert "白俄罗斯" in passage
    assert len(passage) <= len("白俄罗斯总统") + 2 * 40


def test_marked_excerpts_show_each_quote_in_bounded_context_with_its_anchor():
    text = " ".join(f"word{n}" for n in range(200))
    quote = "word100 word101"
    start = text.index(quote)
    cited = SimpleNamespace(
        pk=7, quote=quote, start=start, end=start + len(quote), event=SimpleNamespace(title="E")
    )
    [excerpt] = marked_excerpts(text, [cited], {7: 1}, context=20)
    assert f'id="q-{start}-{start + len(quote)}"' in excerpt.html
    assert excerpt.html.startswith(f'word98 word99 <mark id="q-{start}-{start + len(quote)}">')
    assert "word96" not in excerpt.html and "word104" not in excerpt.html
    assert excerpt.clipped_start and excerpt.clipped_end
