"""Every public page as outside tools judge it: the W3C Nu HTML checker, axe-core with
WCAG 2.2's target-size rule, reflow at 320 px and layout shift on a phone."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from relations.models import Citation
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)

PUBLIC_PAGES = [
    "/",
    "/?category=security&year_from=2023&year_to=2023",
    "/?year_from=2023&year_to=2023&month=8",
    "/?category=security&year_from=2024&year_to=1992",
    "/?q=nothing-matches-this",
    "/events/li-shangfu-visits-belarus/",
    "/events/diplomatic-relations-established/",
    "/events/joint-statement-2024/",
    "/sources/",
    "/sources/?language=ru&order=-events",
    "/sources/theworldnews-2024-08-23-china-belarus-cooperation/",
    "/sources/chinese-troops-in-belarus-explainer/",
    "/sources/mfa-profile-china-belarus-relations/",
    "/embed/?category=security",
    "/data/?category=security",
    "/events/no-such-event/",
]
WIDTHS = [1366, 390]


def java_or_skip():
    java = shutil.which("java")
    if java is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("java is needed for the W3C Nu HTML checker (apt-get install default-jre)")
        pytest.skip("no java on the PATH: the W3C Nu HTML checker (vnu-jar) cannot run")
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: run `npm ci` (make test does)")
    return java


def test_every_public_page_passes_the_w3c_nu_html_checker(page, site, tmp_path):
    java = java_or_skip()
    files = []
    for number, path in enumerate(PUBLIC_PAGES):
        response = page.request.get(site + path)
        file = tmp_path / f"page-{number}.html"
        file.write_bytes(response.body())
        files.append((path, file))
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--errors-only",
            *map(str, dict(files).values()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    by_file = {str(file): path for path, file in files}
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [
        f"{by_file.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:"
        f"{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)
    assert len(files) == len(PUBLIC_PAGES)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_no_axe_violations_with_target_size_on(browser, site, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site + path)
    assert axe_violations(page) == []
    context.close()


QUOTED_SOURCE = "theworldnews-2024-08-23-china-belarus-cooperation"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "path",
    [
        "/events/diplomatic-relations-established/",
        "/events/joint-statement-2024/",
        f"/sources/{QUOTED_SOURCE}/",  # at a quote's passage, as "Read in the source" leads
    ],
)
def test_evidence_pages_have_no_axe_violations_in_light_and_dark(
    browser, site, path, width, scheme
):
    if path.startswith("/sources/"):
        quote = Citation.objects.filter(source__slug=QUOTED_SOURCE).first()
        path += f"#q-{quote.start}-{quote.end}"
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(site + path)
    assert axe_violations(page) == []
    context.close()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_reflows_at_320_px(browser, site, path):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


CLS = """() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve(total), 1500);
})"""


@pytest.mark.parametrize(
    "path", ["/", "/?category=security&year_from=2020", "/events/li-shangfu-visits-belarus/"]
)
def test_layout_shift_on_a_phone_stays_below_a_tenth(browser, site, path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    page = context.new_page()
    page.goto(site + path, wait_until="load")
    assert page.evaluate(CLS) < 0.1
    expect(page.locator("#main")).to_be_visible()
    context.close()
