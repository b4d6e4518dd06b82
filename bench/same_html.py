"""The same pages before and after a change: render a fixed list of public pages in-process
and write their normalised bodies as JSON, or compare two such files.

    export DATABASE_URL=sqlite:////tmp/x.sqlite3 ALLOWED_HOSTS=testserver DJANGO_DEBUG=1
    python bench/same_html.py before.json           # in the old checkout
    python manage.py migrate                        # in the new one, then:
    python bench/same_html.py after.json
    python bench/same_html.py --compare before.json after.json

The pages: the timeline (full and htmx fragment) unfiltered and with about 160
random filters drawn from the database's own actors, sources, years and months,
alone and combined with text, categories, status and order; filtered CSV
exports, feeds and Data pages; event pages. Nonces, CSRF tokens and feed
timestamps are left out, and whitespace between tags is ignored.
"""

import json
import os
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

TEXTS = ["belarus", "loan", "great stone", "xi", "visa", "potash"]
CATEGORIES = ["diplomacy", "trade", "security", "energy", "finance", "infrastructure",
              "multilateral"]  # fmt: skip


def normal(text):
    text = re.sub(r'nonce="[^"]*"', "", text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r"<updated>[^<]+</updated>", "", text)
    text = re.sub(r">\s+<", "><", text)
    return re.sub(r"\s+", " ", text).strip()


def timeline_paths(actors, sources, years, rng):
    paths = ["/", "/?order=-date", "/?page=2"]
    for _ in range(160):
        params = []
        kind = rng.choice(["actor", "source", "month", "year", "text", "mix"])
        if kind in ("actor", "mix") or rng.random() < 0.2:
            params.append(("actor", rng.choice(actors)))
        if kind in ("source", "mix") or rng.random() < 0.2:
            params.append(("source", rng.choice(sources)))
        if kind in ("month", "year", "mix") or rng.random() < 0.3:
            year = rng.choice(years)
            if kind == "month" or rng.random() < 0.3:
                params += [("year_from", year), ("year_to", year), ("month", rng.randint(1, 12))]
            else:
                params += [("year_from", year), ("year_to", year + rng.choice([0, 0, 3, 10]))]
        if kind == "text" or rng.random() < 0.25:
            params.append(("q", rng.choice(TEXTS)))
        if rng.random() < 0.3:
            params.append(("category", rng.choice(CATEGORIES)))
        if rng.random() < 0.2:
            params.append(("status", rng.choice(["confirmed", "reported", "disputed"])))
        if rng.random() < 0.2:
            params.append(("order", "-date"))
        paths.append("/?" + urlencode(params))
    return list(dict.fromkeys(paths))


def render(out):
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from relations.models import Actor, Event, Source

    actors = sorted(Actor.objects.values_list("slug", flat=True))
    sources = sorted(Source.objects.public().values_list("slug", flat=True))
    years = sorted(set(Event.objects.public().values_list("start_year", flat=True)))
    paths = timeline_paths(actors, sources, years, random.Random(7))
    queries = [path.split("?", 1)[1] for path in paths[3:70]]
    others = [
        *(f"/export/csv/?{query}" for query in queries[:37]),
        *(f"/feed/?{query}" for query in queries[37:57]),
        *(f"/data/?{query}" for query in queries[57:]),
        *(
            f"/events/{slug}/"
            for slug in Event.objects.public().values_list("slug", flat=True)[:20]
        ),
    ]
    found = {}
    client = Client()
    for path in paths + others:
        for htmx in (False, True) if path in paths else (False,):
            cache.clear()
            response = client.get(path, headers={"HX-Request": "true"} if htmx else {})
            body = b"".join(response.streaming_content) if response.streaming else response.content
            found[f"{'htmx ' if htmx else ''}{path}"] = [
                response.status_code,
                normal(body.decode()),
            ]
    Path(out).write_text(json.dumps(found, indent=0))
    print(len(found), "responses")


def compare(before_path, after_path):
    before = json.loads(Path(before_path).read_text())
    after = json.loads(Path(after_path).read_text())
    differ = [key for key in before if before[key] != after.get(key)]
    for key in differ:
        print("differs:", key)
    print(f"{len(before) - len(differ)} of {len(before)} responses the same")
    return 1 if differ else 0


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        sys.exit(compare(*sys.argv[2:4]))
    render(sys.argv[1])
