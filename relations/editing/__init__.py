"""What only editors use, through the admin and the management commands: the admin's
extra views (admin_views.py) and publication controls (publishing.py), which
relations/admin.py mixes into its ModelAdmins; sources from files and addresses
(sources.py, extract.py, fetch.py); events proposed from a stored text (textdates.py
finds its dates, candidates.py the events they date, proposals.py turns a chosen
passage into a citation or an event); spreadsheet import (spreadsheets.py); duplicate
checks (duplicates.py); the checks of `import_timeline` (import_checks.py); the
Editors group (editors.py). The public pages and the exports import nothing from here."""
