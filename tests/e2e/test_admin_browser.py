import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from relations.editing.editors import ensure_editors_group

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = (
    "Minsk, 5 March 2025. The two foreign ministers signed a protocol on customs "
    "cooperation on Wednesday, officials said."
)


@pytest.fixture
def editor(site):
    user = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    # Transactional tests empty the database, migration data included: recreate the group.
    user.groups.add(ensure_editors_group())
    return user


def log_in(page, site, next_path):
    page.goto(f"{site}/admin/login/?next={next_path}")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a-long-editor-password")
    page.get_by_role("button", name="Log in").click()


def fill_event(page, title, category, start_date, source_title, quote):
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill(f"{title}.")
    page.get_by_label("Category").select_option(category)
    page.get_by_label("Date (EDTF)").fill(start_date)
    inline = page.locator("#citations-0")
    choose_autocomplete(page, inline, source_title)
    inline.get_by_label("Quote").fill(quote)
    page.get_by_role("button", name="Save", exact=True).click()


def choose_autocomplete(page, container, text):
    """Pick `text` in a select2 autocomplete widget inside `container`."""
    container.locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_editor_adds_a_source_and_an_event_that_then_appears_on_the_timeline(page, site, editor):
    log_in(page, site, "/admin/relations/source/add/")
    page.get_by_label("Title").fill("Customs protocol signed")
    page.get_by_label("Publisher").fill("Example Wire")
    page.get_by_label("Published on").fill("2025-03-05")
    page.locator("#id_reliability").select_option("reliable")
    page.locator("#id_text").fill(ARTICLE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto(f"{site}/admin/relations/event/add/")
    fill_event(
        page,
        "Customs cooperation protocol signed",
        "trade",
        "2025-03-05",
        "Customs protocol signed",
        "signed a protocol on customs cooperation on Wednesday",
    )
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # A draft until an editor publishes it, with the source it cites.
    page.goto(f"{site}/?q=customs+cooperation+protocol")
    expect(page.locator("#results .event-title")).to_have_count(0)
    page.goto(f"{site}/admin/relations/event/?publication__exact=draft")
    page.get_by_role("link", name="Customs cooperation protocol signed", exact=True).click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Published")

    page.goto(f"{site}/?q=customs+cooperation+protocol")
    expect(page.locator("#results .event-title")).to_have_text(
        ["Customs cooperation protocol signed"]
    )
    page.get_by_role("link", name="Customs cooperation protocol signed", exact=True).click()
    expect(page.locator("mark").first).to_have_text(
        "signed a protocol on customs cooperation on Wednesday"
    )


def test_admin_refuses_a_misquote_and_shows_the_closest_passage(page, site, editor):
    log_in(page, site, "/admin/relations/event/add/")
    fill_event(
        page,
        "Talks in Minsk",
        "diplomacy",
        "2024-08-22",
        "China and Belarus Bolster Cooperation",
        "a meeting between Premier Li Qiang and Golovchenko",
    )

    expect(page.locator(".errorlist")).to_contain_text("Closest passage")
