"""A reader meets an event whose sources give different dates."""

import re

import pytest
from playwright.sync_api import expect

from relations.models import Event
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_event_whose_sources_disagree_shows_each_date_with_its_sources(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/events/diplomatic-relations-established/")

    event = Event.objects.get(slug="diplomatic-relations-established")
    dated = event.citations.exclude(claimed_date="")
    groups = page.locator(".claims-section .claim-group")
    expect(groups).to_have_count(len({c.claimed_date for c in dated}))
    expect(page.locator(".claim-sources li")).to_have_count(dated.count())
    in_use = page.locator(".claims-section .claim-in-use")
    expect(in_use).to_have_count(1)
    expect(groups.first).to_contain_text("20 January 1992")
    expect(groups.first).to_contain_text("In use")
    rejected = groups.filter(has_text="27 January 1992")
    expect(rejected).to_contain_text("Not in use")
    expect(rejected).to_contain_text("Deprecated: An unsourced blog")
    expect(page.locator(".status-line")).to_contain_text("Confirmed")
    expect(page.locator(".status-line")).to_contain_text(event.status_reason.split(":")[0])

    # The rejected claim's source is one click away, on the same page.
    rejected.get_by_role("link", name="eastandwest.me").click()
    expect(page).to_have_url(re.compile(r"#r-eastandwest-2022-01-11-china-belarus-relations-"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    context.close()


TARGETED = """() => {
    const marks = [...document.querySelectorAll(".source-text mark")];
    const target = document.querySelectorAll(":target");
    const style = (mark) => {
        const computed = getComputedStyle(mark);
        return [computed.backgroundColor, computed.textDecorationLine].join(" ");
    };
    const hit = marks.filter((mark) => mark.matches(":target"));
    const box = hit.length ? hit[0].getBoundingClientRect() : null;
    return {
        targets: target.length,
        tag: target.length ? target[0].tagName : null,
        text: hit.length ? hit[0].textContent : null,
        styles: hit.map(style),
        others: [...new Set(marks.filter((mark) => !mark.matches(":target")).map(style))],
        marks: marks.length,
        inView: box !== null && box.top >= 0 && box.bottom <= window.innerHeight,
    };
}"""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [1366, 390])
def test_read_in_the_source_highlights_that_one_passage_in_view(browser, site, width, javascript):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{site}/events/diplomatic-relations-established/")
    quote = "This enduring partnership dates back to 1992"
    page.locator(".excerpt", has_text=quote).get_by_role("link", name="Read in the source").click()
    expect(page).to_have_url(re.compile(r"/sources/[^/]+/#q-\d+-\d+$"))

    found = page.evaluate(TARGETED)
    assert found["targets"] == 1 and found["tag"] == "MARK"
    assert found["text"].startswith(quote)
    assert found["marks"] > 2
    # Every other quote is marked alike, and the passage looks different from all of them.
    assert len(found["others"]) == 1
    assert found["styles"] != found["others"]
    assert found["inView"]
    context.close()


CJK = r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
SLANTED_CJK = """(pattern) => {
    const cjk = new RegExp(pattern);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [], slanted = [];
    while (walker.nextNode()) {
        const text = walker.currentNode.textContent;
        if (!cjk.test(text)) continue;
        found.push(text);
        if (getComputedStyle(walker.currentNode.parentElement).fontStyle !== "normal") {
            slanted.push(text);
        }
    }
    return {found: found.length, slanted};
}"""


@pytest.mark.parametrize(
    "path",
    [
        "/events/diplomatic-relations-established/",
        "/sources/mfa-profile-china-belarus-relations/",
        "/sources/dw-zh-2023-12-03-lukashenko-visits-china/",
        "/sources/?language=zh-Hans",
    ],
)
def test_chinese_japanese_and_korean_text_is_never_slanted(page, site, path):
    response = page.goto(site + path)
    assert response.status == 200
    result = page.evaluate(SLANTED_CJK, CJK)
    assert result["found"] > 0
    assert result["slanted"] == []


def test_text_in_chinese_japanese_or_korean_stays_upright_whatever_would_slant_it(page, site):
    page.goto(f"{site}/events/diplomatic-relations-established/")
    styles = page.evaluate(
        """() => ["zh-Hans", "ja", "ko"].map((lang) => {
            const cite = document.createElement("cite");
            cite.lang = lang;
            cite.innerHTML = "<em>中白</em>";
            document.querySelector("main").append(cite);
            return [cite, cite.firstChild].map((el) => getComputedStyle(el).fontStyle);
        })"""
    )
    assert styles == [["normal", "normal"]] * 3


def test_link_to_this_quote_opens_the_quote_in_its_source(page, site):
    page.goto(f"{site}/events/diplomatic-relations-established/")
    quote = page.locator(".excerpt", has_text="This enduring partnership dates back to 1992")
    quote.get_by_role("link", name="Link to this quote").click()
    expect(page).to_have_url(
        re.compile(r"#q-theworldnews-2024-08-23-china-belarus-cooperation-\d+-\d+$")
    )
    quote.get_by_role("link", name="Read in the source").click()
    expect(page).to_have_url(
        re.compile(r"/sources/theworldnews-2024-08-23-china-belarus-cooperation/#q-\d+-\d+$")
    )
    anchor = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{anchor}")).to_be_attached()
    assert axe_violations(page) == []
