"""Derive everything stored again, or name what differs from a fresh derivation."""

from relations.readmodel.writes import changed, renderings, writing


def check():
    """[description] of each difference between the derived data stored and what the
    events, citations and sources give now; empty when there is none."""
    from relations import words
    from relations.models import Event

    differences = []
    stored = {
        pk: (slug, document, status, reason)
        for pk, slug, document, status, reason in Event.objects.values_list(
            "pk", "slug", "search_document", "status", "status_reason"
        ).iterator(2000)
    }
    for pk, (document, status, reason) in Event.objects.all().derived().items():
        slug, stored_document, stored_status, stored_reason = stored[pk]
        if stored_document != document:
            differences.append(f"event {slug}: its search document is not its text's")
        if (stored_status, stored_reason) != (status, reason):
            differences.append(
                f"event {slug}: stored as {stored_status} ({stored_reason}), "
                f"its evidence makes it {status} ({reason})"
            )
    differences += [f"word index: {difference}" for difference in words.stale()]
    for rendering in renderings():
        differences += [f"{rendering.label}s: {difference}" for difference in rendering.stale()]
    return differences


def rebuild():
    """Derive every event's search document and status again, index every word and render
    every list item and CSV row again from empty, and move the data version, in one transaction."""
    from relations import words
    from relations.models import Event

    with writing():
        Event.objects.all().refresh_derived()
        words.rebuild()
        for rendering in renderings():
            rendering.rebuild()
        changed()
