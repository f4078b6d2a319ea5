"""What each page shows, composed from the services that answer the JSON API (called with the
caller's ``Principal``, so scoping is the API's: out of scope is NotFound). No query and no rule of
the domain lives here; ``pages.rules`` words and draws the answers.

Each function returns the template's context (a dict).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from certificates.services import compliance, dual_certificate, expiring, list_for_staff
from credits.transcripts import staff_transcript
from eligibility.rules import reasons_in_words
from eligibility.services import eligibilities, eligibility_batch
from ethics.rules import until_words
from ethics.services import staff_ethics
from kernel.auth import Principal, allowed
from kernel.codes import CertificateStatus
from kernel.common.time import today
from kernel.errors import DomainError, Invalid
from kernel.i18n import F_, _
from kernel.policy import policy_on
from pages import rules, sorting
from pages.schemas import Pager, PlacementForm
from registry.accounts.services import authenticate
from registry.kindergartens.services import get_kindergarten, list_kindergartens
from registry.staff.codes import Post, StaffStatus
from registry.staff.services import get_staff, list_staff
from reports.services import credit_transcript, issue
from staffing.gaps import gaps, kindergarten_gaps
from staffing.matching import matches
from staffing.placement import place as place_candidate
from staffing.pool import get_candidate
from staffing.progress import plan_progress
from staffing.schemas import PlacementIn
from training.coverage import coverage
from training.enrolments import staff_training

DISTRICT_LIST_LIMIT = 500  # the list services' largest page


# --- log in ------------------------------------------------------------------------------------------


async def login(username: str, password: str, address: str) -> Principal:
    """The API's login (argon2 check, throttled per username and address): Unauthorized, or
    TooManyAttempts or Busy with retry_after."""

    return await authenticate(username, password, address)


# --- a person's pages (teachers' self-service; others within their scope) ------------------------------


async def _person(who: Principal, staff_id: int) -> Any:

    return await get_staff(who, staff_id)  # out of scope: NotFound, as GET /staff/{id}


async def _cycles(who: Principal, staff_id: int) -> list[Any]:
    """This cycle's transcript and the one before (when a credit policy was in force then)."""

    current = await staff_transcript(who, staff_id, None)
    before = rules.previous_cycle(current.cycle)
    if before is None:
        return [current]
    try:
        return [current, await staff_transcript(who, staff_id, before)]
    except DomainError as exc:
        if exc.status != 422:  # no recognition policy for that cycle: this one only
            raise
        return [current]


async def person_page(who: Principal, staff_id: int) -> dict[str, Any]:
    """A person's record over time: the record and the dual-certificate verdict, their posts over time
    (the assignment history), certificates with their events, training results, credits per year of
    this cycle and the one before, ethics evaluations and sanctions; each from its domain's service
    (out of scope: NotFound, as the API)."""

    person = await _person(who, staff_id)
    certificates = await list_for_staff(who, staff_id)
    verdict = await dual_certificate(who, staff_id, None)
    training = await staff_training(who, staff_id)
    cycles = await _cycles(who, staff_id)
    ethics = await staff_ethics(who, staff_id)
    order = {CertificateStatus.valid: 0, CertificateStatus.suspended: 1, CertificateStatus.expired: 2}
    return {
        "person": person,
        "is_self": who.staff_id == staff_id,
        "certificates": sorted(certificates, key=lambda c: (order.get(c.status, 3), c.type.value, c.id)),
        "verdict": verdict,
        "missing": rules.missing_text(verdict.missing) if verdict.missing else "",
        "expiring": verdict.expiring,
        "today": verdict.on,
        "assignments": person.assignments,
        "training": training.records,
        "cycles": cycles,
        "ethics": ethics,
        "veto_words": rules.chinese_part(ethics.veto_today.detail) if ethics.veto_today else "",
        "veto_until": until_words(ethics.veto_today.reason_code, ethics.veto_today.until) if ethics.veto_today else "",
    }


async def credits_page(who: Principal, staff_id: int, cycle: str | None) -> dict[str, Any]:
    """Credits of a cycle (default: this one) as bars, with the status in words."""

    person = await _person(who, staff_id)
    transcript = await staff_transcript(who, staff_id, cycle)
    bars = rules.credit_bars(transcript)
    this_cycle = cycle is None
    return {
        "person": person,
        "transcript": transcript,
        "overall": bars.overall,
        "categories": bars.categories,
        "years": bars.years,
        "status_words": rules.STATUS_WORDS.get(transcript.status, ""),
        "this_cycle": this_cycle,
        "previous_cycle": rules.previous_cycle(transcript.cycle),
        "entries": sorted(transcript.entries, key=lambda e: (e.date, e.id), reverse=True),
    }


async def eligibility_page(who: Principal, staff_id: int) -> dict[str, Any]:
    """Eligibility today for each purpose (title evaluation and awards first) in plain words."""

    person = await _person(who, staff_id)
    day = today()
    verdict = await dual_certificate(who, staff_id, day)
    transcript = await staff_transcript(who, staff_id, None)
    ethics = await staff_ethics(who, staff_id)
    ctx = rules.ReasonContext(
        post=person.post.value,
        title=person.title.value,
        missing=verdict.missing,
        transcript=transcript,
        on=day,
        veto=ethics.veto_today,
        backbone_min_title=policy_on(day).eligibility.backbone_min_title,
    )
    answers = await eligibilities(who, staff_id, list(rules.PURPOSE_ORDER), day)
    cards = [rules.eligibility_card(answer, ctx) for answer in answers]
    return {
        "person": person,
        "cards": cards,
        "veto": ethics.veto_today,
        "veto_words": rules.chinese_part(ethics.veto_today.detail) if ethics.veto_today else "",
        "veto_until": until_words(ethics.veto_today.reason_code, ethics.veto_today.until) if ethics.veto_today else "",
        "on": day,
    }


async def transcript_pdf(who: Principal, staff_id: int, cycle: str | None) -> Any:
    """The credit transcript PDF (学分证明) of the reports package, issued with its verification code."""

    return await issue(who, await credit_transcript(who, staff_id, cycle))


# --- district HR: the dashboard and its lists ------------------------------------------------------------


async def dashboard(who: Principal) -> dict[str, Any]:
    """The plan's targets as bars, this year's training coverage, the gap by street as a chart, and
    the counts behind the violation and expiry lists."""

    progress = await plan_progress(who, None)
    by_street = await gaps(who, by="street", sort="gap", limit=DISTRICT_LIST_LIMIT, offset=0)
    dual = await compliance(
        who, by="district", on=None, kindergarten_id=None, street=None, group=None, post=None, limit=1, offset=0
    )
    _items, expiring_total = await expiring(who, 90, 1, 0)
    cov = await coverage(who)
    coverage_bars = [
        rules.bar(
            f"coverage_{category}",
            rules.label_of("CourseCategory", category),
            float(cell.covered),
            float(cell.on_post),
            "人",
            ok=cell.rate is not None and cell.rate >= cell.target,
            note=f"目标 {rules.pct_text(cell.target)}",
        )
        for category, cell in cov.district.items()
    ]
    chart = rules.gap_chart(by_street.rows)
    return {
        "progress": progress,
        "targets": [
            rules.target_bar(t, rules.target_note(t, progress.plan, progress.added_after_period))
            for t in progress.targets
        ],
        "coverage": cov,
        "coverage_bars": coverage_bars,
        "gaps": by_street,
        "chart": chart,
        "chart_posts": [(p, rules.label_of("StaffingPost", p)) for p in rules.CHART_POSTS],
        "streets_without_gap": by_street.rows_total - len(chart),
        "compliance": dual,
        "expiring_total": expiring_total,
    }


async def violations_page(who: Principal, post: str | None, limit: int, offset: int) -> dict[str, Any]:
    """People on post without their post's certificates (双证上岗), within the caller's scope."""

    dual = await compliance(
        who,
        by="district",
        on=None,
        kindergarten_id=None,
        street=None,
        group=None,
        post=post,
        limit=limit,
        offset=offset,
    )
    return {
        "compliance": dual,
        "violations": [(v, rules.missing_text(v.missing)) for v in dual.violations],
        "pager": Pager(total=dual.violations_total, limit=limit, offset=offset),
        "post": post,
        "posts": [p for p in Post if p != Post.other],
    }


async def rounds_page(who: Principal, purpose: str, on: date | None, limit: int, offset: int) -> dict[str, Any]:
    """Everyone on post in the caller's scope for one purpose (HR prepares an evaluation round from it):
    the counts of the whole selection, one page of people with the rules they do not meet in words,
    and the link to the whole list as a spreadsheet."""

    day = on or today()
    batch = await eligibility_batch(who, purpose, None, day, limit, offset)
    rows = [(item, reasons_in_words(item.failing)) for item in batch.items]
    query = urlencode({"purpose": purpose, "on": day.isoformat()})
    return {
        "batch": batch,
        "rows": rows,
        "purpose": purpose,
        "purposes": list(rules.PURPOSE_ORDER),
        "on": day,
        "pager": Pager(total=batch.total, limit=limit, offset=offset),
        "base": f"/rounds?{query}&",
        "download": f"/rounds.xlsx?{query}",
        "share": batch.eligible / batch.total if batch.total else None,
    }


async def expiring_page(who: Principal, within_days: int, limit: int, offset: int) -> dict[str, Any]:

    items, total = await expiring(who, within_days, limit, offset)
    return {"items": items, "pager": Pager(total=total, limit=limit, offset=offset), "within_days": within_days}


async def kindergartens_page(
    who: Principal, search: str | None, street: str | None, sort: str, order: str, limit: int, offset: int
) -> dict[str, Any]:
    """Kindergartens with each post's gap (the staffing figures, ``staffing.gaps.kindergarten_gaps``),
    in code order (every kindergarten of the register), or by one post's gap (or the total), either way
    (the kindergartens open today: the standard applies to them). Filters and paging are kept."""

    search, street = search or None, street or None
    if sort == sorting.DEFAULT:
        page = await list_kindergartens(who, search=search, street=street, limit=limit, offset=offset)
        ids = tuple(k.id for k in page.items)
        figures = await kindergarten_gaps(who, ids=ids, limit=max(len(ids), 1))
        by_id = {g.kindergarten_id: g for g in figures.items}
        rows = [sorting.row_of_kindergarten(k, by_id.get(k.id)) for k in page.items]
        total = page.total
    else:
        found = await kindergarten_gaps(
            who, street=street, search=search, sort=sorting.gap_sort(sort, order), limit=limit, offset=offset
        )
        rows = [sorting.row_of_gap(g) for g in found.items]
        total = found.total
    query = sorting.list_query(search, street, sort, order)
    return {
        "rows": rows,
        "posts": sorting.POST_COLUMNS,
        "headers": sorting.headers(search, street, sort, order),
        "sorted_by_gap": sort != sorting.DEFAULT,
        "sort": sort,
        "order": order,
        "sort_words": sorting.describe(sort, order),
        "clear": sorting.href(None, None, sort, order),
        "pager": Pager(total=total, limit=limit, offset=offset),
        "search": search or "",
        "street": street or "",
        "base": f"/kindergartens?{query}&" if query else "/kindergartens?",
    }


async def kindergarten_page(who: Principal, kindergarten_id: int) -> dict[str, Any]:
    """One kindergarten: its staff, its gaps against the staffing standard, its compliance."""

    kg = await get_kindergarten(who, kindergarten_id)  # out of scope: NotFound
    figures = await gaps(who, by="kindergarten", kindergarten_id=kindergarten_id, limit=1, offset=0)
    row = figures.rows[0] if figures.rows else figures.total
    dual = await compliance(
        who,
        by="kindergarten",
        on=None,
        kindergarten_id=kindergarten_id,
        street=None,
        group=None,
        post=None,
        limit=DISTRICT_LIST_LIMIT,
        offset=0,
    )
    staff = await list_staff(who, kindergarten_id=kindergarten_id, limit=DISTRICT_LIST_LIMIT, offset=0)
    violating = {v.staff_id: rules.missing_text(v.missing) for v in dual.violations}
    people = sorted(
        (s for s in staff.items if s.status != StaffStatus.left),
        key=lambda s: (list(Post).index(s.post), s.status != StaffStatus.on_post, s.name),
    )
    gap_bars = [rules.staffing_bar(p) for p in row.posts]
    return {
        "kg": kg,
        "gaps": row,
        "gap_bars": gap_bars,
        "compliance": dual,
        "violating": violating,
        "people": people,
        "staff_total": len(people),
        "may_match": allowed("pool.match", who.role),
    }


async def pool_matches_page(who: Principal, kindergarten_id: int, post: str, limit: int, offset: int) -> dict[str, Any]:
    """Pool candidates for a kindergarten's post, ranked (staffing.matching.matches), in words."""

    kg = await get_kindergarten(who, kindergarten_id)  # out of scope: NotFound
    found = await matches(who, kindergarten_id, post, None, limit, offset)
    return {
        "kg": kg,
        "matches": found,
        "items": [(m, rules.match_words(m, found.street, found.on)) for m in found.items],
        "post": post,
        "posts": [Post.teacher, Post.childcare_worker, Post.health_doctor, Post.principal],
        "pager": Pager(total=found.total, limit=limit, offset=offset),
        "may_place": allowed("pool.place", who.role),
        "today": found.on,
    }


async def candidate_page(who: Principal, candidate_id: int) -> dict[str, Any]:
    """A pool candidate as the API shows them (``staffing.pool.get_candidate``: the ID number masked
    but for district HR), with the place action's kindergartens left to the matching pages."""

    candidate = await get_candidate(who, candidate_id)
    return {"candidate": candidate, "today": today()}


async def place(who: Principal, candidate_id: int, form: PlacementForm) -> Any:
    """Place a candidate (staffing.placement.place: one transaction, audited)."""

    try:
        post = Post(form.post)
    except ValueError:
        raise Invalid.field(F_("post"), _("unknown post {post}", post=form.post)) from None
    starts_on: date | None = None
    if form.starts_on:
        try:
            starts_on = date.fromisoformat(form.starts_on)
        except ValueError:
            raise Invalid.field(F_("starts_on"), _("should be a date (YYYY-MM-DD)")) from None
    return await place_candidate(
        who, candidate_id, PlacementIn(kindergarten_id=form.kindergarten_id, post=post, starts_on=starts_on)
    )


__all__ = [
    "candidate_page",
    "credits_page",
    "dashboard",
    "eligibility_page",
    "expiring_page",
    "kindergarten_page",
    "kindergartens_page",
    "login",
    "person_page",
    "place",
    "pool_matches_page",
    "transcript_pdf",
    "violations_page",
]
