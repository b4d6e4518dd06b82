import re
from types import SimpleNamespace

from relations.passages import mark_citations, surrounding

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
    assert "<mark>" in html
    assert "&lt;iota&gt;" in html
    assert "<iota>" not in html


def test_overlapping_quotes_share_one_mark_with_both_anchors():
    citations = [citation(1, "beta gamma. Delta"), citation(2, "Delta epsilon")]
    html = mark_citations(TEXT, citations, {1: 1, 2: 2})
    assert html.count("<mark>") == 1
    assert 'id="citation-1"' in html and 'id="citation-2"' in html
    assert html.index('id="citation-1"') < html.index('id="citation-2"')
    assert 'href="#ref-1"' in html and 'href="#ref-2"' in html
    # The text itself is unchanged once the markup is removed.
    assert "beta gamma. Delta epsilon zeta." in _strip_tags(html)


def _strip_tags(html):
    return re.sub(r"<sup>.*?</sup>|<[^>]+>", "", html)
