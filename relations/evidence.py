"""What the evidence says about an event: its status and the sentence that explains it.

`assess(citations)` is a pure function of an event's citations (each with its
source); models store its result and pages show it. The rules, in order:

1. Left out: a citation of a source rated unreliable, a citation whose claim
   an editor has deprecated (with a reason), and a citation that only
   announces the act before it happened (stance "announces": "will sign",
   "will attend") count for nothing. They stay on the event's page, shown
   apart.
2. Disputed: a counted citation disputes the event, or two counted citations
   claim dates that cannot both be true (their ranges do not overlap).
3. Confirmed: at least two independent origins support the event and at least
   one of them is rated reliable; or one supporting source is an official
   document of a party to the events rated reliable. Sources with the same
   origin (an aggregator's rewrite of Reuters and Reuters itself) are one
   origin.
4. Reported: everything else, including an event with no counted citation.

One body, one origin: an origin is the body a citation's own `origin` (a
passage a rewrite took from another outlet), else its source's `origin`, else
the source's `publisher` names, read by `body()`: a bracketed qualifier (a
service, a site, a gloss: "BelTA (German service)") names no other body, and
the other names a body goes by resolve through BODY_ALIASES.

Mirrors and reprints: a faithful copy of an official text or of a wire or
state-media story (the whole text, unchanged, with its author named) is
rated as its origin and has that origin, the copy named as the publisher;
it never counts as a second origin. A rewrite or a copy that adds text of
its own is rated for itself, and has an origin only where the copy says
whose story it reproduces.

Editors cannot set "confirmed" by hand; an override to reported or disputed
needs a written reason and is shown as the editor's judgement (Event.assess in
relations/models/events.py).
"""

import re
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relations.dates import EventDate, InvalidDate
from relations.models.choices import Rank, Reliability, SourceKind, Stance, Status


class Assessment(NamedTuple):
    status: str
    reason: str


# Other names of a body that counts as one origin, each to the body's one name.
BODY_ALIASES = {
    "PRC Ministry of Foreign Affairs": "Ministry of Foreign Affairs of China",
    "Chinese Ministry of Foreign Affairs": "Ministry of Foreign Affairs of China",
    "China's foreign ministry": "Ministry of Foreign Affairs of China",
    "外交部": "Ministry of Foreign Affairs of China",
    "中华人民共和国外交部": "Ministry of Foreign Affairs of China",
    "МИД КНР": "Ministry of Foreign Affairs of China",
    "МИД Беларуси": "Ministry of Foreign Affairs of Belarus",
    "ecns.cn": "China News Service",
    "中国新闻社": "China News Service",
    "Xinhua News Agency": "Xinhua",
    "新华社": "Xinhua",
    "Belarusian Telegraph Agency": "BelTA",
    "БелТА": "BelTA",
    "President of Belarus": "President of the Republic of Belarus",
}
QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


def body(name):
    """The one name of the body `name` stands for."""
    base = QUALIFIER.sub("", name.strip()) or name.strip()
    return BODY_ALIASES.get(base, base)


def origin_of(source):
    """Who the reporting really comes from: sources with the same origin count once."""
    return body(source.origin or source.publisher)


def citation_origin(citation):
    """The origin one citation counts for: its own, where the passage reproduces another
    outlet than the rest of its source (a rewrite's paragraph taken from a wire story)."""
    own = getattr(citation, "origin", "")
    return body(own) if own else origin_of(citation.source)


def counts(citation):
    """Whether a citation takes part in the rules (rule 1)."""
    return (
        citation.source.reliability != Reliability.UNRELIABLE
        and citation.rank != Rank.DEPRECATED
        and citation.stance != Stance.ANNOUNCES
    )


def claimed(citation):
    """The citation's claimed date as an EventDate, or None."""
    if not citation.claimed_date:
        return None
    try:
        return EventDate.read(citation.claimed_date)
    except InvalidDate:
        return None


def conflicting_claims(citations):
    """Pairs of counted citations whose claimed dates cannot both be true."""
    dated = [(c, claimed(c)) for c in citations if counts(c) and claimed(c) is not None]
    return [
        (first, second)
        for index, (first, first_date) in enumerate(dated)
        for second, second_date in dated[index + 1 :]
        if not first_date.overlaps(second_date)
    ]


def dates_in_dispute(citations):
    """[(date, sources)] for each date a counted claim gives that another counted claim
    contradicts, earliest first; each source named once per date."""
    involved = _unique(c for pair in conflicting_claims(citations) for c in pair)
    by_date = {}
    for citation in involved:
        date = claimed(citation)
        sources = by_date.setdefault(date.edtf, (date, []))[1]
        if citation.source not in sources:
            sources.append(citation.source)
    return sorted(by_date.values(), key=lambda item: (item[0].earliest, item[0].edtf))


def assess(citations):
    """(status, reason) for an event with these citations."""
    citations = list(citations)
    counted = [c for c in citations if counts(c)]
    left_out = _left_out_note(citations)

    disputing = [c for c in counted if c.stance == Stance.DISPUTES]
    if disputing:
        names = _names(c.source.publisher for c in disputing)
        reason = ngettext("%(names)s disputes it.", "%(names)s dispute it.", len(disputing)) % {
            "names": names
        }
        return Assessment(Status.DISPUTED, reason + left_out)
    disputed = dates_in_dispute(counted)
    if disputed:
        *others, last = [
            ngettext("%(date)s (%(count)d source)", "%(date)s (%(count)d sources)", len(sources))
            % {"date": date.display, "count": len(sources)}
            for date, sources in disputed
        ]
        # Translators: "dates" is one or more of "20 January 1992 (2 sources)", comma-separated.
        reason = _("Sources disagree on the date: %(dates)s or %(last)s.") % {
            "dates": ", ".join(others),
            "last": last,
        }
        return Assessment(Status.DISPUTED, reason + left_out)

    supporting = [c for c in counted if c.stance == Stance.SUPPORTS]
    official = [
        c
        for c in supporting
        if c.source.kind == SourceKind.OFFICIAL and c.source.reliability == Reliability.RELIABLE
    ]
    origins = _unique(citation_origin(c) for c in supporting)
    reliable_origins = _unique(
        citation_origin(c) for c in supporting if c.source.reliability == Reliability.RELIABLE
    )

    if len(origins) >= 2 and reliable_origins:
        reason = _("%(origins)d independent origins, %(reliable)d rated reliable: %(names)s.") % {
            "origins": len(origins),
            "reliable": len(reliable_origins),
            "names": _names(origins),
        }
        return Assessment(Status.CONFIRMED, reason + left_out)
    if official:
        reason = _("An official document of a party to the events, rated reliable: %(name)s.") % {
            "name": _names(c.source.publisher for c in official)
        }
        return Assessment(Status.CONFIRMED, reason + left_out)

    if len(origins) >= 2:
        reason = _("%(origins)d independent origins, none rated reliable: %(names)s.") % {
            "origins": len(origins),
            "names": _names(origins),
        }
    elif len(origins) == 1:
        rewrites = [
            c.source
            for c in supporting
            if c.source.kind == SourceKind.AGGREGATOR and c.source.origin
        ]
        if len(rewrites) == len(supporting):
            reason = ngettext(
                "One aggregator rewrite of %(origin)s (%(publishers)s); "
                "confirmation needs a second independent origin.",
                "Aggregator rewrites of %(origin)s only (%(publishers)s); "
                "confirmation needs a second independent origin.",
                len({s.publisher for s in rewrites}),
            ) % {"origin": origins[0], "publishers": _names(s.publisher for s in rewrites)}
        else:
            reason = _(
                "One origin: %(origin)s; confirmation needs a second independent origin."
            ) % {"origin": origins[0]}
    elif citations and not counted:
        unreliable = [c.source for c in citations if c.source.reliability == Reliability.UNRELIABLE]
        if any(c.stance == Stance.ANNOUNCES for c in citations):
            return Assessment(Status.REPORTED, _("No source reports that it happened.") + left_out)
        if unreliable:
            names = _names(s.publisher for s in unreliable)
            return Assessment(
                Status.REPORTED,
                ngettext(
                    "Only a source rated unreliable, which does not count: %(names)s.",
                    "Only sources rated unreliable, which do not count: %(names)s.",
                    len({s.publisher for s in unreliable}),
                )
                % {"names": names},
            )
        return Assessment(Status.REPORTED, _("Only deprecated claims, which do not count."))
    elif citations:
        return Assessment(Status.REPORTED, _("No source supports it.") + left_out)
    else:
        return Assessment(Status.REPORTED, _("No citation yet."))
    return Assessment(Status.REPORTED, reason + left_out)


def _left_out_note(citations):
    unreliable = _unique(
        c.source.publisher for c in citations if c.source.reliability == Reliability.UNRELIABLE
    )
    deprecated = [
        c
        for c in citations
        if c.source.reliability != Reliability.UNRELIABLE and c.rank == Rank.DEPRECATED
    ]
    announced = _unique(
        c.source.publisher
        for c in citations
        if c.stance == Stance.ANNOUNCES
        and c.source.reliability != Reliability.UNRELIABLE
        and c.rank != Rank.DEPRECATED
    )
    notes = []
    if unreliable:
        notes.append(
            ngettext(
                "Left out, rated unreliable: %(names)s.",
                "Left out, rated unreliable: %(names)s.",
                len(unreliable),
            )
            % {"names": _names(unreliable)}
        )
    if deprecated:
        notes.append(
            ngettext(
                "%(count)d deprecated claim left out.",
                "%(count)d deprecated claims left out.",
                len(deprecated),
            )
            % {"count": len(deprecated)}
        )
    if announced:
        notes.append(
            _("Left out, announced before the act only: %(names)s.") % {"names": _names(announced)}
        )
    return "".join(" " + note for note in notes)


def _unique(values):
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _names(values):
    return ", ".join(sorted(_unique(values)))


# What the event page shows beside the status ---------------------------------


@dataclass(frozen=True)
class Claim:
    """A date one citation's source gives for the event, and whether the timeline uses it."""

    citation: object
    date: EventDate
    in_use: bool
    why: str
    agrees: bool = False  # with the timeline's date, though not the claim in use


def date_claims(citations, event_date):
    """The dates the sources give, the ones in use first, each with why.

    In use: the preferred claims; without one, the counted claims that give the
    timeline's date, or where none gives it exactly, those consistent with it.
    """
    dated = [(c, claimed(c)) for c in citations if claimed(c) is not None]
    has_preferred = any(c.rank == Rank.PREFERRED and counts(c) for c, _ in dated)
    given_exactly = any(counts(c) and date.edtf == event_date.edtf for c, date in dated)
    claims = []
    for citation, date in dated:
        agrees = date.overlaps(event_date)
        if citation.rank == Rank.DEPRECATED:
            in_use, why = False, _("Deprecated: %(reason)s") % {"reason": citation.rank_reason}
        elif citation.source.reliability == Reliability.UNRELIABLE:
            in_use, why = False, _("Not counted: the source is rated unreliable.")
        elif citation.rank == Rank.PREFERRED:
            in_use, why = True, _("Preferred: %(reason)s") % {"reason": citation.rank_reason}
        elif has_preferred:
            in_use = False
            if agrees:
                why = _("Agrees with the preferred date.")
            else:
                why = _("Differs from the date in use.")
        else:
            in_use = date.edtf == event_date.edtf if given_exactly else agrees
            if in_use:
                why = _("Agrees with the timeline's date.")
            elif agrees:
                why = _("Consistent with the timeline's date; other sources give it exactly.")
            else:
                why = _("Differs from the timeline's date.")
        agrees = agrees and not in_use and counts(citation)
        claims.append(Claim(citation, date, in_use, why, agrees))
    claims.sort(key=lambda claim: (not claim.in_use, claim.date.earliest))
    return claims


@dataclass(frozen=True)
class ClaimGroup:
    """The claims that give one date: the sources behind it and whether the timeline uses it.

    Its first claim decides its standing (in use, counted, why): a preferred claim
    before the others, counted ones before those left out.
    """

    date: EventDate
    claims: tuple

    @property
    def lead(self):
        return self.claims[0]

    @property
    def in_use(self):
        return self.lead.in_use

    @property
    def agrees(self):
        return self.lead.agrees

    @property
    def counts(self):
        return counts(self.lead.citation)

    @property
    def why(self):
        return self.lead.why

    @property
    def sources(self):
        return _unique(claim.citation.source for claim in self.claims)

    @property
    def entries(self):
        """[(claim, note)]: a note where a claim stands apart from the group, with a rank or a
        verdict of its own (a deprecated claim among counted ones, a second preferred one)."""
        return [
            (
                claim,
                claim.why
                if claim.why != self.why
                and (claim.citation.rank != Rank.NORMAL or not counts(claim.citation))
                else "",
            )
            for claim in self.claims
        ]


def claim_groups(citations, event_date):
    """The dates the sources give, one group per date: those in use first, then those that
    count, then the rest, each by date."""
    by_date = {}
    for claim in date_claims(citations, event_date):
        by_date.setdefault(claim.date.edtf, []).append(claim)
    groups = [
        ClaimGroup(
            claims[0].date,
            tuple(
                sorted(
                    claims,
                    key=lambda claim: (
                        not claim.in_use,
                        not counts(claim.citation),
                        claim.citation.rank != Rank.PREFERRED,
                    ),
                )
            ),
        )
        for claims in by_date.values()
    ]
    groups.sort(key=lambda group: (not group.in_use, not group.counts, group.date.earliest))
    return groups


def sources_summary(citations):
    """(counted origins, publishers left out as unreliable), each sorted.

    What "Independent sources" lists, with the unreliable ones shown apart.
    """
    counted = _unique(
        citation_origin(c) for c in citations if counts(c) and c.stance == Stance.SUPPORTS
    )
    left_out = _unique(
        c.source.publisher for c in citations if c.source.reliability == Reliability.UNRELIABLE
    )
    return sorted(counted), sorted(left_out)
