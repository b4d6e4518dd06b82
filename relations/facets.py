"""The filter panel's counts: how many events each option would show, the other filters as
they are.

Faceted search as readers know it from shops and library catalogues: with 2023 chosen,
"Diplomacy 2" says what ticking it gives, not how many the whole timeline has. The read
model counts (`Result.option_counts`); each select's options are escaped once per data
version (`Options`, kept by `EventFilter.panel`), so that a request only joins them with
its numbers: the actor and source selects have hundreds of options on a large timeline,
far too many to render as widgets for every list the reader asks for.

An option that would show no event stays offered, marked "(0)": choosing it shows an
empty list whose chips undo it in one click, and the panel keeps its shape as the counts
change. Only an option that no published event has is disabled, unless it is chosen (a
disabled option would not be sent with the form).
"""

import hashlib
from itertools import repeat

from django.utils.html import format_html
from django.utils.safestring import mark_safe

SELECTS = ("status", "actor", "source")


def written(numbers):
    """The numbers as the panel writes them, thousands separated ("1,234"): str() is far
    quicker where none reaches a thousand."""
    if max(numbers, default=0) < 1000:
        return map(str, numbers)
    return map(format, numbers, repeat(","))


class Options:
    """A select's options for one data version, each written up to its count.

    `choices` are (value, label, key, total): `key` is what the read model counts the
    option by (an actor's or source's id, a status's value), `total` its number of
    published events.
    """

    def __init__(self, empty_label, choices):
        self.keys = [key for _, _, key, _ in choices]  # for Result.option_counts_of
        self.places = {str(value): place for place, (value, *_) in enumerate(choices)}
        heads = [
            format_html('<option value="{}"{}>{} (', value, " disabled" if not total else "", label)
            for value, label, _, total in choices
        ]
        self.empty = format_html('<option value="">{}</option>', empty_label)
        self.empty_chosen = format_html('<option selected value="">{}</option>', empty_label)
        # What comes before each count: the option before it closed, this one opened.
        first = self.empty + (heads[0] if heads else "")
        self.glue = [first, *(")</option>" + head for head in heads[1:])]

    def html(self, counts, current):
        """The options with their numbers `counts` (in the order of `keys`), `current` chosen."""
        if not self.keys:
            return self.empty_chosen if current == "" else self.empty
        numbers = written(counts)
        parts = [None] * (2 * len(self.glue) + 1)
        parts[0::2] = [*self.glue, ")</option>"]
        parts[1::2] = numbers
        place = self.places.get(current)
        if current == "":
            parts[0] = parts[0].replace("<option ", "<option selected ", 1)
        elif place is not None:
            # The chosen option is never disabled; an escaped label holds no " disabled>".
            chosen = parts[2 * place].rsplit("<option ", 1)
            chosen[1] = "selected " + chosen[1].replace(" disabled>", ">", 1)
            parts[2 * place] = "<option ".join(chosen)
        return mark_safe("".join(parts))  # escaped by format_html above; counts are numbers


class Panel:
    """What the filter panel shows for one data version, whatever the filters: the
    categories a reader is offered and each select's options."""

    def __init__(self, category_totals, selects):
        self.category_totals = category_totals
        self.selects = selects
        # Which options the page's selects hold: the numbers of a response fit them only
        # if it is the same. Not the data version, which moves with every draft saved.
        options = "".join(part for name in SELECTS for part in selects[name].glue)
        self.fingerprint = hashlib.sha256(options.encode()).hexdigest()[:16]

    def counted(self, result, current):
        """{"category": {value: n}, "status" | "actor" | "source": [n, … in the order of
        the select's options]}: the numbers for the filters of `result`; `current`,
        {name: the value chosen}. A category is offered when published events have it or
        it is chosen."""
        counts = result.option_counts("category")
        chosen = current.get("category", ())
        return {
            "category": {
                value: counts.get(value, 0)
                for value, total in self.category_totals.items()
                if total or value in chosen
            },
            **{
                name: result.option_counts_of(name, options.keys)
                for name, options in self.selects.items()
            },
        }

    def selects_html(self, counted, current):
        """{name: the select's options}, with the numbers `counted` and `current` chosen."""
        return {
            name: options.html(counted[name], current.get(name, ""))
            for name, options in self.selects.items()
        }

    def swapped(self, counted):
        """The counts for an htmx fragment, swapped into the page out of band: each
        category's whole (its box keeps the focus), and the selects' numbers in the order
        of their options, which timeline.js writes into them.

        Sending the selects themselves would more than double a fragment (hundreds of
        options at 100,000 events) and its compression, and inserting options into a
        select that holds a chosen one leaves the wrong one chosen. The numbers carry the
        fingerprint of the options they follow; the script loads the page again when the
        page's options are others."""
        # Category values and select names are the code's own slugs; the rest are numbers.
        categories = "".join(
            f'<span class="count" id="count-category-{value}" data-hx-swap-oob="true">{n:,}</span>'
            for value, n in counted["category"].items()
        )
        numbers = "".join(f' data-{name}="{" ".join(written(counted[name]))}"' for name in SELECTS)
        return mark_safe(
            f'{categories}<div id="option-counts" hidden data-hx-swap-oob="true"'
            f' data-options="{self.fingerprint}"{numbers}></div>'
        )
