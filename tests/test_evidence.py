"""The evidence rules (relations/evidence.py), case by case, with their reason texts."""

from types import SimpleNamespace

import pytest

from relations.dates import EventDate
from relations.evidence import assess, claim_groups
from relations.models import Status

CONFIRMED, REPORTED, DISPUTED = Status.CONFIRMED, Status.REPORTED, Status.DISPUTED


def source(publisher, reliability="mixed", kind="news", origin=""):
    return SimpleNamespace(publisher=publisher, reliability=reliability, kind=kind, origin=origin)


def cite(src, stance="supports", claimed_date="", rank="normal", rank_reason="", locator="p. 1"):
    return SimpleNamespace(
        source=src,
        stance=stance,
        claimed_date=claimed_date,
        rank=rank,
        rank_reason=rank_reason,
        locator=locator,
    )


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


def test_a_dispute_notes_what_was_left_out():
    verdict = assess(
        [
            cite(source("BelTA"), "disputes"),
            cite(MIXED_PAPER),
            cite(source("Blog"), rank="deprecated", rank_reason="Unsourced."),
        ]
    )
    assert verdict == (DISPUTED, "BelTA disputes it. 1 deprecated claim left out.")


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
        "Sources disagree on the date: 20 January 1992 (1 source) or 27 January 1992 (1 source).",
    )


def test_a_dispute_names_the_dates_and_how_many_sources_give_each_not_the_sources():
    # The 2024 joint document: one outlet gives the 22nd, three the 23rd.
    verdict = assess(
        [
            cite(source("yzaobao.com"), claimed_date="2024-08-22"),
            cite(source("4esnok.by"), claimed_date="2024-08-23"),
            cite(source("Business Recorder"), claimed_date="2024-08-23", rank="preferred"),
            cite(source("TheWorldNews"), claimed_date="2024-08-23"),
        ]
    )
    assert verdict == (
        DISPUTED,
        "Sources disagree on the date: 22 August 2024 (1 source) or 23 August 2024 (3 sources).",
    )


def test_several_dates_in_dispute_are_listed_earliest_first():
    verdict = assess(
        [
            cite(source("C"), claimed_date="2015"),
            cite(source("A"), claimed_date="2013"),
            cite(source("D"), claimed_date="2015"),
            cite(source("B"), claimed_date="2014"),
        ]
    )
    assert verdict.reason == (
        "Sources disagree on the date: 2013 (1 source), 2014 (1 source) or 2015 (2 sources)."
    )


def test_a_source_that_gives_a_date_in_two_places_counts_once_for_it():
    paper = source("Daily Paper")
    verdict = assess(
        [
            cite(paper, claimed_date="1992-01-20", locator="headline"),
            cite(paper, claimed_date="1992-01-20", locator="second paragraph"),
            cite(RELIABLE_WIRE, claimed_date="1992-01-27"),
        ]
    )
    assert verdict.reason == (
        "Sources disagree on the date: 20 January 1992 (1 source) or 27 January 1992 (1 source)."
    )


def test_a_date_consistent_with_both_sides_is_not_named_in_the_dispute():
    verdict = assess(
        [
            cite(source("A"), claimed_date="2024-08-22"),
            cite(source("B"), claimed_date="2024-08-23"),
            cite(source("C"), claimed_date="2024-08"),
        ]
    )
    assert verdict.reason == (
        "Sources disagree on the date: 22 August 2024 (1 source) or 23 August 2024 (1 source)."
    )


def test_dates_left_out_take_no_part_in_the_dispute_and_are_noted():
    verdict = assess(
        [
            cite(source("A"), claimed_date="2024-08-22"),
            cite(source("B"), claimed_date="2024-08-23"),
            cite(source("Blog"), claimed_date="2024-09-01", rank="deprecated"),
            cite(UNRELIABLE_SITE, claimed_date="2024-07-01"),
        ]
    )
    assert verdict == (
        DISPUTED,
        "Sources disagree on the date: 22 August 2024 (1 source) or 23 August 2024 (1 source). "
        "Left out, rated unreliable: content-farm.example. 1 deprecated claim left out.",
    )


def test_one_date_given_by_every_source_is_no_dispute():
    verdict = assess(
        [
            cite(RELIABLE_WIRE, claimed_date="1992-01-20"),
            cite(MIXED_PAPER, claimed_date="1992-01-20"),
        ]
    )
    assert verdict.status == CONFIRMED


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


# The dates the sources give, grouped for the event page ---------------------------


def groups_of(citations, event_date):
    return [
        (group.date.edtf, [claim.citation.source.publisher for claim in group.claims])
        for group in claim_groups(citations, EventDate.read(event_date))
    ]


def test_claims_are_grouped_by_the_date_they_give_the_one_in_use_first():
    citations = [
        cite(
            source("Blog", "unreliable"),
            claimed_date="1992-01-27",
            rank="deprecated",
            rank_reason="An unsourced blog.",
        ),
        cite(source("BelTA", "reliable"), claimed_date="1992-01-20"),
        cite(source("TheWorldNews"), claimed_date="1992"),
        cite(source("Xinhua", "reliable"), claimed_date="1992-01-20"),
    ]
    groups = claim_groups(citations, EventDate.read("1992-01-20"))
    assert groups_of(citations, "1992-01-20") == [
        ("1992-01-20", ["BelTA", "Xinhua"]),
        ("1992", ["TheWorldNews"]),
        ("1992-01-27", ["Blog"]),
    ]
    in_use, consistent, deprecated = groups
    assert in_use.in_use and len(in_use.sources) == 2
    assert in_use.why == "Agrees with the timeline's date."
    assert not consistent.in_use and consistent.agrees
    assert consistent.why == "Consistent with the timeline's date; other sources give it exactly."
    assert not deprecated.in_use and not deprecated.counts
    assert deprecated.why == "Deprecated: An unsourced blog."


def test_without_the_exact_date_the_claims_consistent_with_it_are_in_use():
    citations = [cite(source("A"), claimed_date="1992"), cite(source("B"), claimed_date="1993")]
    groups = claim_groups(citations, EventDate.read("1992-01"))
    assert [(g.date.edtf, g.in_use) for g in groups] == [("1992", True), ("1993", False)]
    assert groups[1].why == "Differs from the timeline's date."


def test_the_preferred_claim_leads_its_group_and_gives_its_reason():
    citations = [
        cite(source("yzaobao.com"), claimed_date="2024-08-22"),
        cite(source("4esnok.by"), claimed_date="2024-08-23"),
        cite(
            source("Business Recorder"),
            claimed_date="2024-08-23",
            rank="preferred",
            rank_reason="The date the ministry published it.",
        ),
    ]
    assert groups_of(citations, "2024-08-23") == [
        ("2024-08-23", ["Business Recorder", "4esnok.by"]),
        ("2024-08-22", ["yzaobao.com"]),
    ]
    used, other = claim_groups(citations, EventDate.read("2024-08-23"))
    assert used.in_use and used.why == "Preferred: The date the ministry published it."
    assert [note for _, note in used.entries] == ["", ""]  # agreeing with it needs no note
    assert not other.in_use and other.why == "Differs from the date in use."


def test_a_claim_left_out_within_a_counted_group_says_why_on_its_own():
    citations = [
        cite(source("A"), claimed_date="1992-01-20"),
        cite(
            source("Blog"),
            claimed_date="1992-01-20",
            rank="deprecated",
            rank_reason="Copied from A.",
        ),
        cite(UNRELIABLE_SITE, claimed_date="1992-01-20"),
        cite(source("B"), claimed_date="1992-01-27"),
    ]
    group = claim_groups(citations, EventDate.read("1992-01-20"))[0]
    assert group.in_use and len(group.sources) == 3
    assert [(claim.citation.source.publisher, note) for claim, note in group.entries] == [
        ("A", ""),
        ("Blog", "Deprecated: Copied from A."),
        ("content-farm.example", "Not counted: the source is rated unreliable."),
    ]


def test_a_source_counts_once_in_a_group_however_often_it_gives_the_date():
    paper = source("Daily Paper")
    citations = [
        cite(paper, claimed_date="2013", locator="headline"),
        cite(paper, claimed_date="2013", locator="last paragraph"),
        cite(RELIABLE_WIRE, claimed_date="2014"),
    ]
    group = claim_groups(citations, EventDate.read("2013"))[0]
    assert len(group.claims) == 2 and len(group.sources) == 1
