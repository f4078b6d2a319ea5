"""The search box on every page (issue 15): one term finds people (name or ID number), certificates
(their number), kindergartens (name or code) and reserve-pool candidates (name or ID number), each
through the service that answers the JSON API, so each kind is scoped and masked as the API scopes and
masks it:

- people: ``registry.staff.services.list_staff`` (district HR and inspectors everyone, a kindergarten
  admin their kindergarten's staff, a teacher themself; only district HR matches the ID number itself,
  anyone else the number as they see it, masked);
- certificates: ``certificates.search.find_by_number`` (scoped as every certificate read);
- kindergartens: ``registry.kindergartens.services.list_kindergartens``, for the roles that may read
  kindergartens (``kindergarten.read``: an admin finds their own);
- pool candidates: ``staffing.pool.list_candidates``, for the roles with ``pool.read``.

The term travels in the query string (a GET form, so a search can be bookmarked and gone back to); the
access log keeps no query string (``app.access_log``), so a searched ID number is not logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from certificates.search import find_by_number
from kernel.auth import Principal, allowed
from kernel.codes import Role
from registry.kindergartens.services import list_kindergartens
from registry.staff.services import list_staff
from staffing.pool import list_candidates

HITS = 20  # per kind: a search narrows down, it does not list
TERM_MAX = 100


@dataclass(frozen=True)
class Group:
    """The hits of one kind: what the page lists under one heading."""

    kind: str  # people, certificates, kindergartens, candidates
    title: str
    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


@dataclass
class Found:
    term: str
    groups: list[Group] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # what this role's search looks through

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


def kinds_for(role: Role) -> list[str]:
    """The kinds a role's search looks through (the API's permissions of each kind's list)."""
    kinds = ["people", "certificates"]  # staff.read and certificate.read: every role, scoped
    if allowed("kindergarten.read", role):
        kinds.append("kindergartens")
    if allowed("pool.read", role):
        kinds.append("candidates")
    return kinds


KIND_WORDS = {
    "people": "姓名、身份证号",
    "certificates": "证书编号",
    "kindergartens": "园名、园所代码",
    "candidates": "储备库候选人",
}


def label_for(role: Role) -> str:
    """The search box's label: everything this role can look for."""
    return "查找" + "、".join(KIND_WORDS[k] for k in kinds_for(role))


def placeholder_for(role: Role) -> str:
    """The search box's hint, short enough for a phone."""
    return "人员、证书、幼儿园" if "kindergartens" in kinds_for(role) else "姓名、证书编号"


async def search(who: Principal, term: str | None) -> Found:
    """Every kind the caller may look through, each with at most ``HITS`` hits and its total."""
    text = (term or "").strip()[:TERM_MAX]
    found = Found(term=text, kinds=kinds_for(who.role))
    if not text:
        return found
    people = await list_staff(who, search=text, limit=HITS, offset=0)
    found.groups.append(Group("people", "人员", people.items, people.total))
    certificates = await find_by_number(who, text, limit=HITS)
    found.groups.append(Group("certificates", "证书", certificates.items, certificates.total))
    if "kindergartens" in found.kinds:
        kgs = await list_kindergartens(who, search=text, limit=HITS, offset=0)
        found.groups.append(Group("kindergartens", "幼儿园", kgs.items, kgs.total))
    if "candidates" in found.kinds:
        pool = await list_candidates(
            who, status=None, post=None, source=None, street=None, search=text, limit=HITS, offset=0
        )
        found.groups.append(Group("candidates", "储备库候选人", pool.items, pool.total))
    return found


async def search_page(who: Principal, term: str | None) -> dict[str, Any]:
    found = await search(who, term)
    return {"found": found, "term": found.term, "hits": HITS, "kinds": [KIND_WORDS[k] for k in found.kinds]}
