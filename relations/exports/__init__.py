"""The timeline written out for other tools: a download per format of the filtered view
(events.py holds what they share; downloads.py serves them, the feed and the Data page),
and the whole timeline as a fixture (fixture.py, for `manage.py export_timeline`)."""
