from django.core.management.base import BaseCommand

from relations.readmodel.check import rebuild


class Command(BaseCommand):
    """Derive again everything the timeline stores about its events: search documents,
    statuses and the word index; then move the data version, so that every server
    process reads the events again on its next request."""

    help = (
        "Rebuild the read model's stored data (search documents, statuses, word index) "
        "from the events, citations and sources, and move the data version."
    )

    def handle(self, *args, **options):
        rebuild()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Read model rebuilt."))
