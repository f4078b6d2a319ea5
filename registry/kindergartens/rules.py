"""Pure rules of the kindergarten register."""

from __future__ import annotations

from datetime import date

from kernel.i18n import _

AGE_BANDS = ("small", "middle", "large", "mixed", "nursery")


def total_classes(classes: dict[str, int]) -> int:
    return sum(int(classes.get(b, 0)) for b in AGE_BANDS)


def over_capacity(children: int, places: int) -> bool:
    """More children enrolled than approved places: flagged, never refused."""
    return children > places


def dates_problem(opened_on: date | None, closed_on: date | None) -> str | None:
    if opened_on and closed_on and closed_on < opened_on:
        return _("is before opened_on")
    return None
