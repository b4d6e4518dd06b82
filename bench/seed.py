"""Fill a database with synthetic events for the benchmark.

    DATABASE_URL=sqlite:///bench/data/bench100k.sqlite3 python bench/seed.py 100000

Objects are built with factory-boy (the test factories, with synthetic values)
and written with bulk_create, in batches. Every citation quotes a sentence that
is really in its source's text, as the real data does. The same count always
gives the same data (seeded random generators).
"""

import datetime as dt
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import factory  # noqa: E402
import factory.random  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from faker import Faker  # noqa: E402

from relations.dates import EventDate  # noqa: E402
from relations.models import Actor, Category, Citation, Event, Source, Status  # noqa: E402
from tests.factories import ActorFactory, EventFactory, SourceFactory  # noqa: E402

BATCH = 2000
SOURCES, ACTORS = 300, 400
FIRST_YEAR, LAST_YEAR = 1950, 2025
VERBS = ["signs", "hosts talks on", "announces", "ratifies", "launches", "suspends", "reviews"]
TOPICS = [
    "a trade agreement", "energy cooperation", "a joint exercise", "a state loan",
    "the industrial park", "a customs protocol", "the visa regime", "rail freight",
    "a currency swap", "nuclear power", "grain exports", "a university exchange",
    "satellite launches", "potash shipments", "a health programme", "road building",
]  # fmt: skip

fake = Faker("en_US")


class SyntheticSourceFactory(SourceFactory):
    title = factory.Faker("sentence", nb_words=8)
    publisher = factory.Faker("company")
    reliability = factory.Faker("random_element", elements=["reliable", "mixed", "unreliable"])
    reliability_note = factory.Faker("sentence")
    text = factory.LazyFunction(lambda: "\n\n".join(fake.paragraphs(nb=12)))


class SyntheticEventFactory(EventFactory):
    summary = factory.Faker("paragraph", nb_sentences=4)
    category = factory.Faker("random_element", elements=Category.values)
    status = factory.Faker("random_element", elements=Status.values)


def random_date(rng):
    """(start, end or None, precision): one event in ten with a day precision spans days."""
    day = dt.date(FIRST_YEAR, 1, 1) + dt.timedelta(
        days=rng.randrange(365 * (LAST_YEAR - FIRST_YEAR))
    )
    precision = rng.choices(["day", "month", "year"], weights=[6, 3, 1])[0]
    end = None
    if precision == "month":
        day = day.replace(day=1)
    elif precision == "year":
        day = day.replace(month=1, day=1)
    elif rng.random() < 0.15:
        end = day + dt.timedelta(days=rng.choice([1, 2, 3, 7, 30, 90, 400]))
    return day, end, precision


def seed(count):
    Faker.seed(count)
    factory.random.reseed_random(count)
    rng = random.Random(count)
    call_command("migrate", verbosity=0)
    if Event.objects.exists():
        sys.exit("The database already holds events; seed an empty one.")

    with transaction.atomic():
        actors = Actor.objects.bulk_create(
            ActorFactory.build(name=f"{fake.unique.last_name()} {n}", slug=f"actor-{n}")
            for n in range(ACTORS)
        )
        sources = Source.objects.bulk_create(
            SyntheticSourceFactory.build(slug=f"source-{n}") for n in range(SOURCES)
        )
        sentences = {s.pk: [x for x in s.text.replace("\n", " ").split(". ") if x] for s in sources}

        for start in range(0, count, BATCH):
            events, quotes = [], []
            for n in range(start, min(start + BATCH, count)):
                day, end, precision = random_date(rng)
                title = f"{rng.choice(actors).name} {rng.choice(VERBS)} {rng.choice(TOPICS)}"
                cited = rng.sample(sources, rng.randint(1, 3))
                event_quotes = [(s.pk, rng.choice(sentences[s.pk])) for s in cited]
                event = SyntheticEventFactory.build(
                    slug=f"event-{n}", title=title, start_date=day, end_date=end,
                    precision=precision,
                )  # fmt: skip
                when = EventDate.from_span(day, end, precision)
                event.date_edtf = when.edtf
                event.start_date = when.earliest
                event.end_date = when.latest if when.latest != when.earliest else None
                event.search_document = event.build_search_document([q for _, q in event_quotes])
                event.start_year = day.year
                events.append(event)
                quotes.append(event_quotes)
            Event.objects.bulk_create(events)
            Citation.objects.bulk_create(
                Citation(event=event, source_id=source_id, quote=quote)
                for event, event_quotes in zip(events, quotes, strict=True)
                for source_id, quote in event_quotes
            )
            Event.actors.through.objects.bulk_create(
                Event.actors.through(event_id=event.pk, actor_id=actor.pk)
                for event in events
                for actor in rng.sample(actors, 2)
            )
            print(f"  {min(start + BATCH, count)} events", end="\r", flush=True)
    # Citations and actors written in bulk send no signals: derive every event again.
    call_command("rebuild_read_model", verbosity=0)
    print(f"Seeded {count} events, {Citation.objects.count()} citations.")


if __name__ == "__main__":
    seed(int(sys.argv[1]))
