"""Render docs/og-card/card.html to static/relations/og-card.png, the site's share image.

Run again after changing the card: `.venv/bin/python docs/og-card/render.py`
(Playwright with Debian's Chromium, as the browser tests use).
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
OUT = HERE.parents[1] / "static" / "relations" / "og-card.png"

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1200, "height": 630})
    page.goto((HERE / "card.html").as_uri())
    page.screenshot(path=str(OUT))
    browser.close()
print(f"wrote {OUT}")
