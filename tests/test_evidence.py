"""The evidence rules (relations/evidence.py), case by case, with their reason texts."""

from types import SimpleNamespace

import pytest

from relations.evidence import assess
from relations.models import Status

CONFIRMED, REPORTED, DISPUTED = Status.CONFIRMED, Status.REPORTED, Status.DISPUTED


def source(publisher, reliability="mixed", kind="news", origin=""):
    return SimpleNamespace(publisher=publisher, reliability=reliability, kind=kind, origin=origin)


def cite(src, stance="supports", claimed_date="", rank="normal"):
    return SimpleNamespace(source=src, stance=stance, claimed_date=claimed_date, rank=rank)


RELIABLE_WIRE = source("Reuters", "reliable")
MIXED_PAPER = source("Daily Paper")
UNRELIABLE_SITE = source("content-farm.example", "unreliable", kind="generated")


def test_no_citation_is_reported():
    assert assess([]) == (REPORTED, "No citation yet.")


def test_two_independent_origins_one_reliable_confirm():
    verdict = assess([cite(RELIABLE_WIRE), cite(MIXED_PAPER)])
    assert verdict.status == CONFIRMED
    assert verdict.reason == "2 independent origins, 1 rated reliable: Daily Paper, Reuters."


def test_two_origins_none_reliable_stay_reported():
    verdict = assess([cite(MIXED_PAPER), cite(source("Weekly"))])
    assert verdict == (REPORTED, "2 independent origins, none rated reliable: Daily Paper, Weekly.")


def test_one_reliable_news_origin_is_only_reported():
    verdict = assess([cite(RELIABLE_WIRE)])
    assert verdict == (
        REPORTED,
        "One origin: Reuters; confirmation needs a second independent origin.",
    )


def test_rewrites_of_one_story_count_as_one_origin():
    rewrite = source("TheWorldNews", kind="aggregator", origin="Reuters")
    other_rewrite = source("NewsMirror", kind="aggregator", origin="Reuters")
    verdict = assess([cite(rewrite), cite(other_rewrite), cite(RELIABLE_WIRE)])
    assert verdict.status == REPORTED
    assert verdict.reason.startswith("One origin: Reuters;")


def test_a_single_aggregator_rewrite_is_named_as_such():
    rewrite = source("TheWorldNews", kind="aggregator", origin="Reuters")
    assert assess([cite(rewrite)]) == (
        REPORTED,
        "One aggregator rewrite of Reuters (TheWorldNews); "
        "confirmation needs a second independent origin.",
    )


def test_one_reliable_official_document_of_a_party_confirms():
    ministry = source("PRC Ministry of Foreign Affairs", "reliable", kind="official")
    assert assess([cite(ministry)]) == (
        CONFIRMED,
        "An official document of a party to the events, rated reliable: "
        "PRC Ministry of Foreign Affairs.",
    )


def test_an_official_document_not_rated_reliable_does_not_confirm_alone():
    ministry = source("Ministry", "mixed", kind="official")
    assert assess([cite(ministry)]).status == REPORTED


def test_unreliable_source_alone_never_confirms():
    verdict = assess([cite(UNRELIABLE_SITE)])
    assert verdict == (
        REPORTED,
        "Only a source rated unreliable, which does not count: content-farm.example.",
    )


def test_unreliable_source_does_not_count_toward_corroboration():
    verdict = assess([cite(RELIABLE_WIRE), cite(UNRELIABLE_SITE)])
    assert verdict.status == REPORTED
    assert verdict.reason.endswith("Left out, rated unreliable: content-farm.example.")


def test_a_disputing_citation_makes_it_disputed():
    verdict = assess([cite(RELIABLE_WIRE), cite(MIXED_PAPER), cite(source("BelTA"), "disputes")])
    assert verdict == (DISPUTED, "BelTA disputes it.")


def test_an_unreliable_source_cannot_dispute_either():
    verdict = assess([cite(RELIABLE_WIRE), cite(MIXED_PAPER), cite(UNRELIABLE_SITE, "disputes")])
    assert verdict.status == CONFIRMED


def test_conflicting_claimed_dates_make_it_disputed():
    belta = source("BelTA", "reliable", kind="official")
    verdict = assess(
        [cite(RELIABLE_WIRE, claimed_date="1992-01-20"), cite(belta, claimed_date="1992-01-27")]
    )
    assert verdict == (
        DISPUTED,
        "Sources disagree on the date: Reuters gives 20 January 1992, BelTA gives 27 January 1992.",
    )


def test_claims_at_different_precisions_that_overlap_do_not_conflict():
    verdict = assess(
        [cite(RELIABLE_WIRE, claimed_date="1992"), cite(MIXED_PAPER, claimed_date="1992-01-20")]
    )
    assert verdict.status == CONFIRMED


def test_a_deprecated_claim_counts_for_nothing():
    verdict = assess(
        [
            cite(RELIABLE_WIRE, claimed_date="1992-01-20"),
            cite(MIXED_PAPER, claimed_date="1992-01-20"),
            cite(source("Blog"), claimed_date="1992-01-27", rank="deprecated"),
        ]
    )
    assert verdict.status == CONFIRMED
    assert verdict.reason.endswith("1 deprecated claim left out.")


def test_only_deprecated_claims_are_reported_as_such():
    assert assess([cite(MIXED_PAPER, rank="deprecated")]) == (
        REPORTED,
        "Only deprecated claims, which do not count.",
    )


def test_citations_that_only_dispute_leave_it_disputed():
    assert assess([cite(MIXED_PAPER, "disputes")]).status == DISPUTED


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        (["2013", "2015"], DISPUTED),
        (["[2013,2015]", "2015"], CONFIRMED),
        (["[..2015-03]", "2014"], CONFIRMED),
        (["2013-09~", "2013"], CONFIRMED),
    ],
)
def test_claims_conflict_only_when_no_day_fits_both(claims, status):
    first, second = claims
    verdict = assess(
        [cite(RELIABLE_WIRE, claimed_date=first), cite(MIXED_PAPER, claimed_date=second)]
    )
    assert verdict.status == status


def test_one_body_under_two_names_is_one_origin():
    ministry = source("Ministry of Foreign Affairs of China", "reliable")
    russian_site = source("Ministry of Foreign Affairs of China (Russian site)", "reliable")
    embassy = source(
        "Embassy of China in Poland", "reliable", origin="PRC Ministry of Foreign Affairs"
    )
    verdict = assess([cite(ministry), cite(russian_site), cite(embassy)])
    assert verdict == (
        REPORTED,
        "One origin: Ministry of Foreign Affairs of China; "
        "confirmation needs a second independent origin.",
    )


def test_a_service_of_an_outlet_is_the_outlet():
    verdict = assess([cite(source("BelTA (German service)", "reliable")), cite(source("BelTA"))])
    assert verdict.reason.startswith("One origin: BelTA;")


def test_an_announcement_before_the_act_does_not_support_it():
    announced = [cite(RELIABLE_WIRE, stance="announces"), cite(MIXED_PAPER, stance="announces")]
    verdict = assess(announced)
    assert verdict == (
        REPORTED,
        "No source reports that it happened. Left out, announced before the act only: "
        "Daily Paper, Reuters.",
    )
    confirmed = assess([*announced, cite(source("BelTA", "reliable")), cite(source("Xinhua"))])
    assert confirmed.status == CONFIRMED
    assert confirmed.reason == (
        "2 independent origins, 1 rated reliable: BelTA, Xinhua. "
        "Left out, announced before the act only: Daily Paper, Reuters."
    )


def test_a_passage_a_rewrite_took_from_a_wire_counts_as_the_wire():
    rewrite = source("TheWorldNews", kind="aggregator")
    taken = SimpleNamespace(source=rewrite, stance="supports", claimed_date="", rank="normal")
    taken.origin = "Reuters"
    verdict = assess([cite(RELIABLE_WIRE), taken])
    assert verdict == (
        REPORTED,
        "One origin: Reuters; confirmation needs a second independent origin.",
    )
    own_words = assess([cite(RELIABLE_WIRE), cite(rewrite)])
    assert own_words.reason == "2 independent origins, 1 rated reliable: Reuters, TheWorldNews."
