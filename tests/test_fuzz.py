"""Property-based fuzzing of every public URL's query parameters: never a 5xx."""

import re

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relations.filters import EventFilter

PUBLIC_URLS = [
    "/",
    "/events/joint-statement-2024/",
    "/sources/",
    "/sources/chinese-troops-in-belarus-explainer/",
    "/export/json/",
    "/export/csv/",
    "/export/ics/",
    "/export/timelinejs/",
    "/feed/",
    "/healthz",
]

garbage = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "", "0", "-1", "1e5", "nan", "abc", "\x00", "%00", "' OR 1=1 --", "\"*",
            "NEAR(a b)", "a AND b", "*", "日本語", "ﬁ", "é" * 300,
        ]
    ),
)  # fmt: skip

# Values the form accepts, so that a query gets past validation often enough to
# reach what comes after it (pagination, search, the chart, the exports).
valid = {
    "q": st.sampled_from(["visit", "Minsk Golovchenko", "a", "8.4", "“", "Belarus’s"]),
    "category": st.sampled_from(
        [c for c, _ in EventFilter.base_filters["category"].extra["choices"]]
    ),
    "actor": st.sampled_from(["china", "li-qiang"]),
    "source": st.sampled_from(["idn-2023-08-china-defence-minister-in-belarus"]),
    "status": st.sampled_from(["confirmed", "disputed"]),
    "year_from": st.integers(1, 9999).map(str),
    "year_to": st.integers(1, 9999).map(str),
    "month": st.integers(1, 12).map(str),
    "order": st.just("-date"),
    "page": st.integers(-5, 10**6).map(str),
}
known = st.fixed_dictionaries(
    {},
    optional={
        name: st.one_of(valid[name], garbage) for name in [*EventFilter.base_filters, "page"]
    },
)
extra = st.lists(st.tuples(st.text(max_size=12), garbage), max_size=3)
queries = st.tuples(known, extra).map(lambda parts: [*parts[0].items(), *parts[1]])
headers = st.sampled_from(
    [{}, {"HX-Request": "true"}, {"HX-Request": "true", "HX-History-Restore-Request": "true"}]
)


@pytest.mark.parametrize("url", PUBLIC_URLS)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=queries, request_headers=headers)
def test_no_query_string_causes_a_server_error(client, timeline, url, query, request_headers):
    response = client.get(url, query, headers=request_headers)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, (url, query)
    # 302: the timeline drops empty parameters by redirecting; 414: an absurdly long query.
    assert response.status_code in (200, 302, 400, 414), (url, query, response.status_code)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(slug=st.text(max_size=80))
def test_no_path_causes_a_server_error(client, db, slug):
    for prefix in ("/events/", "/sources/", "/export/"):
        assert client.get(prefix + slug.replace("/", "") + "/").status_code < 500


def results_keys():
    return {key for key in cache._cache if "timeline-results:" in key}


def without_nonce(response):
    return re.sub(rb'nonce="[^"]*"', b"", response.content)


KNOWN = {*EventFilter.base_filters, "page"}
unknown = st.lists(
    st.tuples(st.text(min_size=1, max_size=12).filter(lambda name: name not in KNOWN), garbage),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=known, extra=unknown, request_headers=headers)
def test_unknown_parameters_add_no_cache_entry_and_change_no_byte(
    client, timeline, query, extra, request_headers
):
    """Whatever else a query carries, the timeline answers as to its known parameters alone."""
    clean = client.get("/", query, headers=request_headers)
    keys = results_keys()
    noisy = client.get("/", [*query.items(), *extra], headers=request_headers)
    assert noisy.status_code in (clean.status_code, 414)
    if noisy.status_code != 414:
        assert without_nonce(noisy) == without_nonce(clean)
    assert results_keys() == keys
