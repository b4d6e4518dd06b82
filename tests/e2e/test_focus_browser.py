"""Keyboard focus is visible on every element a reader can tab to (WCAG 2.4.7, 1.4.11).

No validator sees a focus ring: these tests press Tab through the pages, in light and
dark, and measure the ring each focused element draws against what lies behind it.
"""

import pytest

from relations.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

# For the focused element: the colour and width of its ring (an outline, or for an
# axis link in the SVG the stroke of its hit area), the colour behind it, and the
# contrast between the two as WCAG computes it.
FOCUS_RING = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const c = [r, g, b].map((v) => v / 255)
            .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const behind = (node) => {
        for (let n = node.parentElement; n; n = n.parentElement) {
            const colour = rgb(getComputedStyle(n).backgroundColor);
            if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
        }
        return rgb(getComputedStyle(document.documentElement).backgroundColor).slice(0, 3);
    };
    const style = getComputedStyle(el);
    let colour = null, width = 0;
    if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) {
        colour = style.outlineColor;
        width = parseFloat(style.outlineWidth);
    } else {
        const hit = el.querySelector(".mark-hit, .bin-hit");
        if (hit) {
            const hitStyle = getComputedStyle(hit);
            if (hitStyle.stroke !== "none") {
                colour = hitStyle.stroke;
                width = parseFloat(hitStyle.strokeWidth);
            }
        }
    }
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.getAttribute("href") ? "[" + el.getAttribute("href").slice(0, 40) + "]" : "")
        + (el.name ? "[name=" + el.name + "]" : "");
    if (colour === null) return {name, width: 0, contrast: 0};
    const a = luminance(rgb(colour).slice(0, 3)), b = luminance(behind(el));
    const contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return {name, width, contrast: Math.round(contrast * 100) / 100};
}"""


def rings_while_tabbing(page, presses):
    """The ring of each element focused by `presses` presses of Tab, in order."""
    rings = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring is not None:
            rings.append(ring)
    return rings


def invisible(rings):
    return [ring for ring in rings if ring["width"] < 2 or ring["contrast"] < 3]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_focused_element_on_the_front_page_shows_a_ring(page, site, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(site)
    rings = rings_while_tabbing(page, 80)

    assert len(rings) >= 40
    assert invisible(rings) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focused_axis_marks_show_a_ring(page, site, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{site}/?year_from=2023&year_to=2023")
    page.locator(".axis a.mark").first.focus()
    page.keyboard.press("Shift+Tab")
    rings = rings_while_tabbing(page, 3)

    marks = [ring for ring in rings if "/events/" in ring["name"]]
    assert marks
    assert invisible(rings) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_focused_element_on_an_event_page_shows_a_ring(page, site, scheme):
    event = Event.objects.public().order_by("start_date").first()
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{site}{event.get_absolute_url()}")
    rings = rings_while_tabbing(page, 40)

    assert len(rings) >= 10
    assert invisible(rings) == []
