from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "china_belarus.json"


@pytest.fixture
def timeline(db):
    """The China–Belarus fixtures, loaded through the validating importer."""
    call_command("import_timeline", str(FIXTURE), verbosity=0)
