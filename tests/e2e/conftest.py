import os
from pathlib import Path

import pytest

from tests.conftest import insert_timeline

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by
# the test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists() or os.environ.get("REQUIRE_BROWSER"):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def no_csp_violations(page):
    """Fail any browser test during which the Content Security Policy blocked something."""
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and violations.append(message.text)
        ),
    )
    yield
    assert violations == []


@pytest.fixture
def site(live_server, transactional_db, timeline_rows):
    """The live server holding the China–Belarus fixtures."""
    insert_timeline(timeline_rows)
    return live_server.url


def wait_for_htmx(page):
    """Wait until htmx has no request in flight and has settled the last swap."""
    page.wait_for_function(
        "() => window.htmx"
        " && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
    )


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            // WCAG 2.2's target-size (24 px) is not on by default: turn it on.
            const results = await axe.run(document, {
                resultTypes: ["violations"],
                rules: {"target-size": {enabled: true}},
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
            }));
        }"""
    )
