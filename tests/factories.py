import datetime as dt

import factory
from factory.django import DjangoModelFactory

from relations.models import Actor, Citation, Event, Source


class ActorFactory(DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = Actor.Kind.COUNTRY


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Source {n}")
    publisher = factory.Sequence(lambda n: f"Publisher {n}")
    url = factory.LazyAttribute(lambda o: f"https://example.org/{o.slug}")
    published_on = dt.date(2024, 8, 23)
    reliability = Source.Reliability.RELIABLE
    publication = Source.Publication.PUBLISHED
    text = (
        "The two ministers met in Minsk on Thursday. "
        "They agreed to strengthen cooperation in trade and energy. "
        "Officials said a joint statement would follow."
    )


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    summary = "Ministers meet and agree to cooperate."
    start_date = dt.date(2024, 8, 22)
    category = Event.Category.DIPLOMACY
    publication = Event.Publication.PUBLISHED

    @factory.post_generation
    def actors(self, create, extracted, **kwargs):
        if create and extracted:
            self.actors.set(extracted)


class CitationFactory(DjangoModelFactory):
    class Meta:
        model = Citation

    event = factory.SubFactory(EventFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "They agreed to strengthen cooperation in trade and energy."
