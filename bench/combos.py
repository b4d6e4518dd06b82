"""Random filter combinations, as readers send them: the first-request scenario of `make bench`.

The same seed always gives the same list, so runs are comparable; each
combination is distinct, so no result is cached from an earlier request.
"""

import random
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


def combination(rng):
    """One query: some of category, years, text, status and page."""
    params = []
    for category in rng.sample(CATEGORIES, rng.choice([0, 0, 1, 1, 2, 3])):
        params.append(("category", category))
    if rng.random() < 0.6:
        year_from = rng.randint(FIRST_YEAR, LAST_YEAR)
        year_to = min(LAST_YEAR, year_from + rng.choice([0, 1, 5, 10, 20, 40]))
        params += [("year_from", year_from), ("year_to", year_to)]
    elif rng.random() < 0.3:
        params.append(("year_from", rng.randint(FIRST_YEAR, LAST_YEAR)))
    if rng.random() < 0.4:
        params.append(("q", " ".join(rng.sample(WORDS, rng.choice([1, 1, 2])))))
    if rng.random() < 0.4:
        params.append(("status", rng.choice(STATUSES)))
    if rng.random() < 0.2:
        params.append(("order", "-date"))
    page = rng.choices([1, rng.randint(2, 5), rng.randint(6, 40)], weights=[6, 3, 1])[0]
    if page > 1:
        params.append(("page", page))
    return "/?" + urlencode(params)


def combinations(count, seed=14):
    rng = random.Random(seed)
    paths = []
    seen = set()
    while len(paths) < count:
        path = combination(rng)
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths
