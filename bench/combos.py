"""Random queries, as readers send them: the first-request scenario of `make bench`.

Every filter of the timeline is a kind (KINDS), and each kind is drawn as often
as the others: `mixed` draws any combination of them, `with_kind` only queries
that use one kind (alone, with text, or with other filters drawn at random),
so that the benchmark can give a p95 per filter kind. Actors and sources are
drawn from the slugs the database holds (`Seeded`).

The same seed always gives the same list, so runs are comparable; each query
is distinct, so no result is cached from an earlier request.
"""

import random
from dataclasses import dataclass
from urllib.parse import urlencode

CATEGORIES = ["diplomacy", "trade", "security", "energy", "finance", "infrastructure",
              "multilateral"]  # fmt: skip
STATUSES = ["confirmed", "reported", "disputed"]
# Words readers type: from the synthetic titles (bench/seed.py), whole and in part.
WORDS = ["trade", "energy", "loan", "park", "customs", "visa", "rail", "freight", "nuclear",
         "grain", "exercise", "potash", "health", "road", "satellite", "swap", "signs",
         "ratifies", "launch", "suspend", "agreement", "cooperation", "industrial",
         "university", "currency", "shipments"]  # fmt: skip
FIRST_YEAR, LAST_YEAR = 1950, 2025
PAGE_SIZE = 50


@dataclass(frozen=True)
class Seeded:
    """What the benchmark's database holds: the slugs a query can name."""

    actors: list
    sources: list
    events: int


def _category(rng, seeded):
    return [("category", c) for c in rng.sample(CATEGORIES, rng.choice([1, 1, 2, 3]))]


def _status(rng, seeded):
    return [("status", rng.choice(STATUSES))]


def _years(rng, seeded):
    year_from = rng.randint(FIRST_YEAR, LAST_YEAR)
    shape = rng.random()
    if shape < 0.6:
        year_to = min(LAST_YEAR, year_from + rng.choice([0, 1, 5, 10, 20, 40]))
        return [("year_from", year_from), ("year_to", year_to)]
    if shape < 0.8:
        return [("year_from", year_from)]
    return [("year_to", year_from)]


def _text(rng, seeded):
    return [("q", " ".join(rng.sample(WORDS, rng.choice([1, 1, 2]))))]


def _actor(rng, seeded):
    return [("actor", rng.choice(seeded.actors))]


def _source(rng, seeded):
    return [("source", rng.choice(seeded.sources))]


def _month(rng, seeded):
    # The form takes a month only within a one-year window.
    year = rng.randint(FIRST_YEAR, LAST_YEAR)
    return [("year_from", year), ("year_to", year), ("month", rng.randint(1, 12))]


def _order(rng, seeded):
    return [("order", "-date")]


def _page(rng, seeded):
    # Past a query's last page the view shows its last page, as a reader following an old link.
    last = max(2, seeded.events // PAGE_SIZE)
    low, high = rng.choices([(2, 5), (6, 40), (41, last)], weights=[3, 2, 1])[0]
    return [("page", rng.randint(min(low, last), min(high, last)))]


DRAW = {
    "category": _category,
    "status": _status,
    "years": _years,
    "text": _text,
    "actor": _actor,
    "source": _source,
    "month": _month,
    "order": _order,
    "page": _page,
}
KINDS = list(DRAW)


def query(rng, kinds, seeded):
    """The query string of one query using these filter kinds, in the form's order."""
    params = []
    for kind in KINDS:
        # A month sets its own one-year window, which replaces any other years.
        if kind in kinds and not (kind == "years" and "month" in kinds):
            params += DRAW[kind](rng, seeded)
    return urlencode(params)


def with_kind(rng, kind, seeded):
    """A query using `kind`: half of them with text; half alone or with text only, the
    other half with other kinds drawn at random, each as likely as the others."""
    kinds = {kind}
    if rng.random() < 0.5:
        kinds.add("text")
    if rng.random() < 0.5:
        kinds |= {other for other in KINDS if rng.random() < 0.2}
    return "/?" + query(rng, kinds, seeded)


def any_kinds(rng, seeded):
    """A query of one or more kinds, each kind in a third of the queries."""
    kinds = set()
    while not kinds:
        kinds = {kind for kind in KINDS if rng.random() < 1 / 3}
    return "/?" + query(rng, kinds, seeded)


def _distinct(count, draw, limit_factor=50):
    """`count` distinct results of draw(), or fewer if the draws keep repeating."""
    paths, seen = [], set()
    for _ in range(count * limit_factor):
        if len(paths) == count:
            break
        path = draw()
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths


def mixed(count, seeded, seed=14):
    """Distinct queries of any combination of kinds."""
    rng = random.Random(f"mixed-{seed}")
    return _distinct(count, lambda: any_kinds(rng, seeded))


def for_kind(kind, count, seeded, seed=14):
    """Distinct queries that use `kind`."""
    rng = random.Random(f"{kind}-{seed}")
    return _distinct(count, lambda: with_kind(rng, kind, seeded))


def event_pages(count, slugs, seed=17):
    """Distinct event pages."""
    rng = random.Random(seed)
    return [f"/events/{slug}/" for slug in rng.sample(sorted(slugs), min(count, len(slugs)))]


def filtered_exports(count, seeded, seed=18):
    """Distinct CSV exports of a filtered timeline, each of at most about 1,000 events at
    100,000 (bench/seed.py): an actor (about 500 events), a source (about 700), a month,
    one category over at most four years, a status in one year, or a word in one year of
    one category."""
    rng = random.Random(seed)

    def draw():
        params = rng.choice(
            [
                lambda: _actor(rng, seeded),
                lambda: _source(rng, seeded),
                lambda: _month(rng, seeded),
                lambda: _category_years(rng, span=rng.randint(0, 3)),
                lambda: _status(rng, seeded) + _category_years(rng, span=0, categories=0),
                lambda: _text(rng, seeded) + _category_years(rng, span=0),
            ]
        )()
        return "/export/csv/?" + urlencode(params)

    return _distinct(count, draw)


def _category_years(rng, span, categories=1):
    year = rng.randint(FIRST_YEAR, LAST_YEAR - span)
    chosen = [("category", c) for c in rng.sample(CATEGORIES, categories)]
    return [*chosen, ("year_from", year), ("year_to", year + span)]
