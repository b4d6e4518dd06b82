from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "china_belarus.json"


@pytest.fixture
def timeline(db):
    """The China–Belarus fixtures, loaded through the validating importer."""
    call_command("import_timeline", str(FIXTURE), verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached pages: data version numbers repeat between tests."""
    cache.clear()
