from django.core.management.base import BaseCommand, CommandError

from relations.readmodel.check import check


class Command(BaseCommand):
    """Compare what the timeline stores about its events with a fresh derivation, and name
    each difference; exits with status 1 when there is any (for monitoring)."""

    help = (
        "Check the read model's stored data (search documents, statuses, word index) "
        "against a fresh derivation; list each difference."
    )

    def handle(self, *args, **options):
        differences = check()
        for difference in differences:
            self.stdout.write(difference)
        if differences:
            raise CommandError(
                f"{len(differences)} difference(s): run manage.py rebuild_read_model."
            )
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("The read model matches its data."))
