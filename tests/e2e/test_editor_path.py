"""The editor's whole path in Chromium: an article in, a cited draft event out, published."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from relations.editing.editors import ensure_editors_group
from tests.e2e.conftest import axe_violations
from tests.e2e.test_admin_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = (
    "Customs protocol signed in Minsk\n\n"
    "Minsk, 6 March 2025. The foreign ministers of Belarus and China signed a protocol on "
    "customs cooperation on Wednesday, officials said. The protocol simplifies checks on "
    "goods crossing by rail.\n\n"
    "Both sides recalled that diplomatic relations were established in 1992."
)
QUOTE = "signed a protocol on customs cooperation on Wednesday"


@pytest.fixture
def editor(site):
    user = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    user.groups.add(ensure_editors_group())
    return user


def select_text(page, container, text):
    """Select `text` inside `container` as a user dragging the mouse would."""
    container.evaluate(
        """(element, text) => {
            const node = element.firstChild;
            const start = node.textContent.indexOf(text);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + text.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        text,
    )


def test_from_a_pasted_article_to_a_published_event_on_the_timeline(page, site, editor):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, site, "/admin/relations/source/")
    page.get_by_role("link", name="Add from text, file or address").click()
    page.get_by_label("Paste the text").fill(ARTICLE)
    page.get_by_label("Title").fill("Customs protocol signed in Minsk")
    page.get_by_label("Publisher").fill("Example Wire")
    page.get_by_label("Published on").fill("2025-03-06")
    page.locator("#id_reliability").select_option("reliable")
    page.get_by_role("button", name="Extract and add as a draft").click()

    # The proposals: each dated sentence with its date, actors and category.
    expect(page.locator(".messagelist")).to_contain_text("Added the draft source")
    proposal = page.locator(".proposal", has_text=QUOTE)
    expect(proposal).to_contain_text("“on Wednesday” — inferred")
    expect(proposal).to_contain_text("Belarus, China")
    expect(page.locator(".proposal", has_text="established in 1992")).to_contain_text(
        "China and Belarus establish diplomatic relations"
    )
    page.screenshot(path="/tmp/f15-proposals.png", full_page=True)

    select_text(page, proposal.locator(".proposal-sentence"), QUOTE)
    expect(proposal.locator(".proposal-quote q")).to_have_text(QUOTE)
    proposal.get_by_role("button", name="Create a new event from this").click()

    # The new event, prefilled from the passage; the date inferred from "Wednesday".
    expect(page.locator(".passage-quote")).to_have_text(QUOTE)
    expect(page.get_by_label("Date (EDTF)")).to_have_value("2025-03-05")
    expect(page.get_by_label("Date note")).to_have_value(
        "Inferred from “on Wednesday” in “Customs protocol signed in Minsk”, "
        "published 6 March 2025."
    )
    page.get_by_label("Title").fill("Customs cooperation protocol signed")
    page.get_by_label("Category").select_option("trade")
    page.screenshot(path="/tmp/f15-new-event.png", full_page=True)
    page.get_by_role("button", name="Save as a draft with this quote").click()
    expect(page.locator(".messagelist")).to_contain_text("Added the draft event")
    expect(page.locator(".publication-state")).to_have_text("Draft: not public")

    # A draft: the editor previews it under a banner; the timeline does not list it.
    page.goto(f"{site}/?q=customs+cooperation+protocol")
    expect(page.locator("#results .event-title")).to_have_count(0)
    page.go_back()
    page.get_by_role("link", name="View on site").click()
    expect(page.locator(".draft-banner")).to_contain_text("only editors see this page")
    expect(page.locator("mark").first).to_have_text(QUOTE)
    assert axe_violations(page) == []
    page.go_back()

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Published")
    page.goto(f"{site}/?q=customs+cooperation+protocol")
    expect(page.locator("#results .event-title")).to_have_text(
        ["Customs cooperation protocol signed"]
    )
    page.get_by_role("link", name="Customs cooperation protocol signed", exact=True).click()
    expect(page.locator(".draft-banner")).to_have_count(0)
    expect(page.locator("mark").first).to_have_text(QUOTE)
