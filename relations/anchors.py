"""Quotes anchored in their source text, as W3C Web Annotation selectors.

A citation of a stored text keeps a TextQuoteSelector (`exact` — the quote —
with the `prefix` and `suffix` needed to make it unique in the text), a
TextPositionSelector (`start`, `end`: offsets in Unicode code points, end
exclusive) and the SHA-256 of the text it was anchored in. When the text
changes, every anchor is found again by exact matching only: a quote that is
no longer in the text, or no longer unique, is reported, never matched
approximately. https://www.w3.org/TR/annotation-model/#text-quote-selector
"""

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CONTEXT_CHARS = 32  # what Hypothesis and other annotation clients keep either side


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    text_hash: str


class AnchorError(ValueError):
    """The quote cannot be anchored in the text; the message says why and what to do."""


def text_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def occurrences(text, exact, prefix="", suffix=""):
    """Offsets where `exact` starts with `prefix` just before and `suffix` just after it."""
    needle = prefix + exact + suffix
    found, index = [], text.find(needle)
    while index >= 0:
        found.append(index + len(prefix))
        index = text.find(needle, index + 1)
    return found


def anchor(text, exact, prefix="", suffix=""):
    """The unique place of the quote in `text`, or AnchorError."""
    starts = occurrences(text, exact, prefix, suffix)
    if len(starts) == 1:
        return Anchor(starts[0], starts[0] + len(exact), text_hash(text))
    if not starts:
        if (prefix or suffix) and exact in text:
            raise AnchorError(
                _(
                    "The quote is in the text, but not with this prefix and suffix: they must be "
                    "the characters just before and just after it."
                )
            )
        raise AnchorError(_("The quote is not found verbatim in the text."))
    contexts = "; ".join(
        "“…{}[{}]{}…”".format(*surrounding_context(text, start, start + len(exact), 24))
        for start in starts[:5]
    )
    raise AnchorError(
        ngettext(
            "The quote occurs %(count)d time in the text.",
            "The quote occurs %(count)d times in the text: %(contexts)s. Give a prefix (the "
            "characters just before it) or a suffix (just after it) that picks out one of them.",
            len(starts),
        )
        % {"count": len(starts), "contexts": contexts}
    )


def surrounding_context(text, start, end, width=CONTEXT_CHARS):
    """(prefix, exact, suffix) with up to `width` characters either side."""
    return text[max(0, start - width) : start], text[start:end], text[end : end + width]


def disambiguators(text, start, end):
    """The shortest (prefix, suffix) that make text[start:end] unique in `text`.

    For a quote chosen by position (a selection in the editors' tools): empty
    when the quote occurs once; else the prefix grows a word at a time, then
    the suffix, until only this occurrence matches.
    """
    exact = text[start:end]
    prefix = suffix = ""
    while len(occurrences(text, exact, prefix, suffix)) > 1:
        if len(prefix) < start:
            cut = text.rfind(" ", 0, start - len(prefix) - 1)
            prefix = text[cut + 1 if cut >= 0 else 0 : start]
        elif end + len(suffix) < len(text):
            cut = text.find(" ", end + len(suffix) + 1)
            suffix = text[end : cut if cut >= 0 else len(text)]
        else:
            break
    return prefix, suffix
