from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "relations"
    verbose_name = "Relations timeline"

    def ready(self):
        from relations import signals

        signals.connect()
