"""The languages of the sources, as readers see them: a language's name, and which text is
in a language other than the page's, so that it gets a `lang` attribute (WCAG 3.1.2)."""

import re
from dataclasses import dataclass

from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

# Tags of the data set that Django's language info lacks, by their language's name.
OTHER_NAMES = {"fil": _("Filipino"), "zh": _("Chinese")}

# A title in another language is stored as 'Original [English gloss]' (or as a gloss alone,
# '[Report on …]', where the original is not known).
GLOSSED = re.compile(r"(?P<original>.*?)\s*\[(?P<gloss>[^\[\]]+)\]", re.DOTALL)


def language_name(code):
    """'Russian' for 'ru', 'Simplified Chinese' for 'zh-Hans', in the reader's language;
    the tag itself for a language neither Django nor OTHER_NAMES knows."""
    for tag in (code.lower(), code.split("-")[0].lower()):
        try:
            return get_language_info(tag)["name_translated"]
        except KeyError:
            if tag in OTHER_NAMES:
                return str(OTHER_NAMES[tag])
    return code


def differs_from_page(code):
    """Whether text in language `code` needs its own `lang` on a page in the reader's language."""
    page = (get_language() or "en").split("-")[0].lower()
    return bool(code) and code.split("-")[0].lower() != page


@dataclass(frozen=True)
class Title:
    """A source's title cut into the words in its own language and the English gloss."""

    original: str
    gloss: str


def split_title(title, language):
    """The title's original words (in `language`) and its gloss; an English title, or one
    without a bracketed gloss, is all original."""
    match = GLOSSED.fullmatch(title.strip())
    if match is None or not differs_from_page(language):
        return Title(title, "")
    return Title(match["original"], match["gloss"])
