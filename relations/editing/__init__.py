"""Editors' tools in the admin: publication, sources from files and addresses,
proposed events, spreadsheet import, duplicate checks. admin.py mixes them in."""
