"""What a reader asks the timeline for, as plain values: the read model's one question."""

import calendar
import dataclasses
import datetime as dt

# The filters that choose the axis's window rather than the events shown in it.
WINDOW = ("year_from", "year_to", "month")
ORDERS = ("timeline", "newest", "updated")


@dataclasses.dataclass(frozen=True)
class Criteria:
    """Published events matching every criterion set, in `order`.

    `actor` and `source` are primary keys; `month` (1–12) is taken within the
    one year `year_from` == `year_to`, as the filter form requires.
    """

    text: str = ""
    categories: tuple = ()
    status: str | None = None
    actor: int | None = None
    source: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    month: int | None = None
    order: str = "timeline"

    def __post_init__(self):
        if self.order not in ORDERS:
            raise ValueError(f"unknown order {self.order!r}")
        if self.month is not None and (self.year_from is None or self.year_from != self.year_to):
            raise ValueError("a month is chosen within one year")

    @classmethod
    def from_form(cls, data, order=None):
        """From an EventFilter's cleaned data (model instances for actor and source)."""
        return cls(
            text=data.get("q") or "",
            categories=tuple(sorted(data.get("category") or ())),
            status=data.get("status") or None,
            actor=data["actor"].pk if data.get("actor") else None,
            source=data["source"].pk if data.get("source") else None,
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            month=int(data["month"]) if data.get("month") else None,
            order=order or ("newest" if data.get("order") else "timeline"),
        )

    def without(self, *names):
        return dataclasses.replace(self, **{name: empty(name) for name in names})

    def without_window(self):
        return self.without(*WINDOW)

    def days(self):
        """(first, last) day of the month chosen, or None."""
        if self.month is None:
            return None
        last = calendar.monthrange(self.year_from, self.month)[1]
        return dt.date(self.year_from, self.month, 1), dt.date(self.year_from, self.month, last)


def empty(name):
    return {"text": "", "categories": (), "order": "timeline"}.get(name)
