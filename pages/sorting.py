"""The kindergarten list's sort order and its column headers (pure: no I/O).

The list sorts by code (the register's order, the default) or by the gap of one post — teachers,
childcare workers, health-care staff, principals — or of all posts together, largest or smallest first.
Each sortable header is a link that keeps the filters (search, street), starts again at the first page
and says in words what it does; the sorted column carries ``aria-sort``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from pages.rules import label_of
from staffing.codes import StaffingPost

DEFAULT = "code"
POST_COLUMNS: tuple[str, ...] = (
    StaffingPost.teacher.value,
    StaffingPost.childcare_worker.value,
    StaffingPost.health_doctor.value,
    StaffingPost.principal.value,
)
TOTAL = "gap"
SORTS: tuple[str, ...] = (DEFAULT, *POST_COLUMNS, TOTAL)
Sort = Literal["code", "teacher", "childcare_worker", "health_doctor", "principal", "gap"]
Order = Literal["asc", "desc"]
WORDS = {"asc": "从小到大", "desc": "从大到小"}


@dataclass(frozen=True)
class Header:
    """A column header of the kindergarten list: its text, the link that sorts by it (None: not a link,
    it is the order already and has no other), ``aria-sort`` when the list is sorted by it, and what a
    click does in words (for screen readers and the tooltip)."""

    key: str
    text: str
    href: str | None
    aria_sort: str | None
    action: str


@dataclass(frozen=True)
class Row:
    """A kindergarten of the list with each post's gap (None: not open today, so no figures)."""

    id: int
    code: str
    name: str
    street: str
    ownership: str
    classes: int
    children: int
    gaps: dict[str, int | None]
    gap: int | None


def gap_sort(sort: str, order: str) -> str:
    """The staffing figures' sort name (``staffing.gaps.sort_names``) for a column and direction."""
    if sort not in SORTS or sort == DEFAULT:
        raise ValueError(f"not a gap column: {sort!r}")
    name = "gap" if sort == TOTAL else f"{sort}_gap"
    return name if order == "desc" else f"{name}_asc"


def list_query(search: str | None, street: str | None, sort: str = DEFAULT, order: str = "asc") -> str:
    """The list's query string without paging: its filters and, unless the default, its order."""
    params: dict[str, str] = {}
    if search:
        params["search"] = search
    if street:
        params["street"] = street
    if sort != DEFAULT:
        params.update(sort=sort, order=order)
    return urlencode(params)


def href(search: str | None, street: str | None, sort: str, order: str) -> str:
    query = list_query(search, street, sort, order)
    return f"/kindergartens?{query}" if query else "/kindergartens"


def column_text(key: str) -> str:
    if key == DEFAULT:
        return "代码"
    if key == TOTAL:
        return "缺口合计"
    return f"{label_of('StaffingPost', key)}缺口"


def headers(search: str | None, street: str | None, sort: str, order: str) -> dict[str, Header]:
    """The sortable headers by key. A gap column sorts largest first on the first click and turns round
    on the next; the code column goes back to the register's order."""
    out: dict[str, Header] = {}
    for key in SORTS:
        text = column_text(key)
        active = key == sort
        if key == DEFAULT:
            aria = "ascending" if active else None
            link = None if active else href(search, street, DEFAULT, "asc")
            action = "" if active else f"按{text}排序"
        else:
            aria = ({"asc": "ascending", "desc": "descending"}[order]) if active else None
            next_order = ("asc" if order == "desc" else "desc") if active else "desc"
            link = href(search, street, key, next_order)
            action = f"按{text}{WORDS[next_order]}排序"
        out[key] = Header(key=key, text=text, href=link, aria_sort=aria, action=action)
    return out


def describe(sort: str, order: str) -> str:
    """The order in words: 按教师缺口从大到小排列."""
    if sort == DEFAULT:
        return "按园所代码排列"
    return f"按{column_text(sort)}{WORDS[order]}排列"


def row_of_kindergarten(kg: Any, figures: Any | None) -> Row:
    """A row of the register's order: the kindergarten (``KindergartenOut``) and its gaps, if open."""
    return Row(
        id=kg.id,
        code=kg.code,
        name=kg.name,
        street=kg.street,
        ownership=str(getattr(kg.ownership, "value", kg.ownership)),
        classes=kg.total_classes,
        children=kg.children,
        gaps={p: figures.gap_of(p) if figures else None for p in POST_COLUMNS},
        gap=figures.row.gap if figures else None,
    )


def row_of_gap(g: Any) -> Row:
    """A row of the gap order (``staffing.gaps.KindergartenGap``)."""
    return Row(
        id=g.kindergarten_id,
        code=g.row.key,
        name=g.row.label,
        street=g.street,
        ownership=g.ownership,
        classes=g.row.classes,
        children=g.row.children,
        gaps={p: g.gap_of(p) for p in POST_COLUMNS},
        gap=g.row.gap,
    )
