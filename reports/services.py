"""PDF reports: gather a document's data from the other areas' services, give it a verification code,
render it (in a worker thread) and record that it was issued.

Every builder reads through the services that answer the JSON endpoints, with the caller's
``Principal``, so a PDF shows exactly what the caller may see there (a teacher their own record, a
kindergarten admin their own kindergarten; out of scope is 404). No rule is re-implemented here.

A document is a ``ReportDoc``: its kind, subject, template and ``data`` (what it prints). ``issue``
hashes the canonical form of ``data`` with the kind, subject, issuer and generation time
(``rules.document_digest``), cuts the verification code from the digest, renders the HTML and PDF off
the event loop and records the code in ``report_document`` (append-only).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from certificates.services import compliance, dual_certificate, list_for_staff
from credits.policies import policy_versions
from credits.transcripts import staff_transcript
from eligibility.services import eligibilities
from ethics.reads import vetoed_staff
from ethics.rules import until_words
from kernel.auth import Principal
from kernel.codes import label
from kernel.common.privacy import mask_id_number
from kernel.common.time import today, utcnow
from kernel.db import get_engine, is_sqlite, write_transaction
from kernel.errors import NotFound
from kernel.i18n import _
from kernel.settings import get_settings
from kernel.workers import run_cpu
from registry.kindergartens.services import get_kindergarten
from registry.staff.codes import Post, StaffStatus
from registry.staff.services import list_staff, load_visible, to_out
from reports import render, rules, staffing_seam
from reports.charts import ChartSpec, Series
from reports.codes import ReportKind
from reports.schemas import PersonOut, VerificationOut
from reports.tables import ReportDocument as RD

TITLES_EN = {
    ReportKind.staff_certificates: "Certificate report",
    ReportKind.credit_transcript: "Continuing-education credit transcript",
    ReportKind.kindergarten_staffing: "Kindergarten staffing report",
    ReportKind.district_staffing: "District staffing report",
    ReportKind.district_compliance: "District dual-certificate compliance",
    ReportKind.ethics_vetoes: "Ethics one-vote veto list",
}
PAGE_SIZE = 500  # the list services' largest page
DISTRICT_LABEL = "全区"
LOWEST_KINDERGARTENS = 20  # the district compliance report lists the kindergartens with the lowest rates


@dataclass
class ReportDoc:
    kind: ReportKind
    subject: str  # "staff:12", "kindergarten:5", "district"
    subject_label: str  # what the public check shows
    subtitle: str
    template: str
    data: dict[str, Any]  # everything the document prints (hashed for the verification code)
    filename: str
    charts: dict[str, ChartSpec] = field(default_factory=dict)  # drawn from ``data`` at render time

    @property
    def title(self) -> str:
        return label(ReportKind, self.kind)


@dataclass(frozen=True)
class Issued:
    kind: ReportKind
    code: str
    digest: str
    pdf: bytes
    html: str
    pages: int
    filename: str
    generated_at: datetime


# --- one snapshot per document -----------------------------------------------------------------------

P = ParamSpec("P")
T = TypeVar("T")


@asynccontextmanager
async def read_snapshot() -> AsyncIterator[None]:
    """On SQLite, a document's reads run in one (deferred, read-only) transaction: the document states one
    consistent state of the database (a WAL snapshot), and Piccolo reuses that transaction's connection
    instead of opening a connection (and a thread) per query, which was most of a transcript's data time.
    On PostgreSQL the reads go through the pool, concurrently where the builders gather them."""
    engine = get_engine()
    if not is_sqlite(engine) or engine.current_transaction.get() is not None:
        yield
        return
    async with engine.transaction():
        yield


def snapshot(
    prepare: Callable[[], Awaitable[Any]] | None = None,
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Run a builder inside ``read_snapshot``; ``prepare`` runs first, outside it (a service that may write
    on first use, such as the credit policies' seeding, must not write inside the read transaction)."""

    def wrap(build: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @wraps(build)
        async def run(*args: P.args, **kwargs: P.kwargs) -> T:
            if prepare is not None:
                await prepare()
            async with read_snapshot():
                return await build(*args, **kwargs)

        return run

    return wrap


async def _credit_policies_seeded() -> None:

    await policy_versions()  # the first read of a new database seeds the policy table (a write)


# --- issuing and verifying -----------------------------------------------------------------------


def page_of(doc: ReportDoc, code: str, generated_at: datetime) -> render.Page:
    return render.Page(
        bureau=get_settings().bureau_name,
        title=doc.title,
        title_en=TITLES_EN[doc.kind],
        subtitle=doc.subtitle,
        generated_at=generated_at,
        code=code,
    )


async def issue(who: Principal, doc: ReportDoc) -> Issued:
    """Render ``doc`` for ``who`` and record its verification code."""
    generated_at = utcnow()
    issuer = get_settings().bureau_name
    digest = rules.document_digest(doc.kind.value, doc.subject, issuer, generated_at, doc.data)
    code = rules.code_of(digest)
    html, pdf, pages = await run_cpu(
        render.render_document, doc.template, page_of(doc, code, generated_at), doc.data, doc.charts
    )
    async with write_transaction():
        # the same content at the same microsecond is the same document: recorded once
        if not await RD.exists().where(RD.code == code):
            await RD.insert(
                RD(
                    code=code,
                    digest=digest,
                    kind=doc.kind.value,
                    subject=doc.subject[:64],
                    subject_label=doc.subject_label[:200],
                    title=f"{doc.title} {doc.subtitle}".strip()[:200],
                    pages=pages,
                    generated_at=generated_at,
                    generated_by=who.username[:64],
                )
            )
    return Issued(doc.kind, code, digest, pdf, html, pages, doc.filename, generated_at)


async def verify(code_text: str) -> VerificationOut:
    """What a printed code certifies. Unknown, mistyped or tampered codes are 404 alike."""
    code = rules.normalise_code(code_text)
    row = None if code is None else await RD.select().where(RD.code == code).first()
    if row is None:
        raise NotFound(_("no document with this verification code: it was not issued by this registry"))
    kind = ReportKind(row["kind"])
    return VerificationOut(
        code=rules.display_code(row["code"]),
        valid=True,
        kind=kind,
        kind_label=label(ReportKind, kind),
        subject=row["subject_label"],
        generated_at=row["generated_at"],
        pages=row["pages"],
        issuer=get_settings().bureau_name,
    )


# --- shared pieces ---------------------------------------------------------------------------------


def person_of(row: dict[str, Any]) -> PersonOut:
    """A staff row as the PDFs print it: the masked ID number (registry.staff's masking helper)."""

    out = to_out(row, None)
    return PersonOut(
        **out.model_dump(exclude={"id_number", "birth_date", "created_at", "updated_at"}),
        id_number=mask_id_number(out.id_number),
    )


def staff_id_of(who: Principal) -> int:
    if who.staff_id is None:
        raise NotFound(_("this account has no staff record"))
    return who.staff_id


async def _all_staff(who: Principal, kindergarten_id: int) -> list[Any]:

    items: list[Any] = []
    while True:
        page = await list_staff(who, kindergarten_id=kindergarten_id, limit=PAGE_SIZE, offset=len(items))
        items.extend(page.items)
        if not page.items or len(items) >= page.total:
            return items


async def _compliance(who: Principal, by: str, on: date, **filters: Any) -> Any:
    """Grouped figures and EVERY violation (paged through the service)."""

    args: dict[str, Any] = {"kindergarten_id": None, "street": None, "group": None, "post": None, **filters}
    first = await compliance(who, by=by, on=on, limit=PAGE_SIZE, offset=0, **args)
    violations = list(first.violations)
    while len(violations) < first.violations_total:
        more = await compliance(who, by=by, on=on, limit=PAGE_SIZE, offset=len(violations), **args)
        if not more.violations:
            break
        violations.extend(more.violations)
    return first.model_copy(update={"violations": violations, "limit": len(violations), "offset": 0})


async def _figures(who: Principal, by: str, on: date, **filters: Any) -> Any:
    """Grouped figures only (no violations)."""

    args: dict[str, Any] = {"kindergarten_id": None, "street": None, "group": None, "post": None, **filters}
    return await compliance(who, by=by, on=on, limit=0, offset=0, **args)


async def _by_post(who: Principal, on: date, **filters: Any) -> list[dict[str, Any]]:
    """On-post certified rate per post (posts that require certificates and have someone on post)."""
    per_post = await asyncio.gather(*(_figures(who, "district", on, post=post.value, **filters) for post in Post))
    return [
        {"post": post.value, **figures.total.model_dump(include={"on_post", "compliant", "rate"})}
        for post, figures in zip(Post, per_post, strict=True)
        if figures.total.on_post
    ]


# --- teacher certificate report ----------------------------------------------------------------------


@snapshot()
async def staff_certificates(who: Principal, staff_id: int) -> ReportDoc:

    row = await load_visible(who, staff_id)  # out of scope: 404
    person = person_of(row)
    certificates = await list_for_staff(who, staff_id)
    verdict = await dual_certificate(who, staff_id, None)
    data = {
        "as_of": verdict.on,
        "person": person,
        "certificates": [
            c.model_dump(include={"type", "number", "issuer", "issued_on", "expires_on", "status", "reason"})
            | {"registration_due": c.registration_due, "registrations": len(c.registrations)}
            for c in certificates
        ],
        "verdict": verdict.model_dump(exclude={"staff_id"}),
    }
    return ReportDoc(
        kind=ReportKind.staff_certificates,
        subject=f"staff:{staff_id}",
        subject_label=rules.mask_name(person.name),
        subtitle=f"{person.name} · {person.kindergarten_name}",
        template="staff_certificates.html",
        data=data,
        filename=f"certificates-{staff_id}.pdf",
    )


# --- credit transcript (学分证明) ------------------------------------------------------------------------


@snapshot(prepare=_credit_policies_seeded)
async def credit_transcript(who: Principal, staff_id: int, cycle: str | None) -> ReportDoc:

    row = await load_visible(who, staff_id)  # out of scope: 404
    person = person_of(row)
    transcript = await staff_transcript(who, staff_id, cycle)
    verdicts = await eligibilities(who, staff_id)  # the five purposes from one read of each source
    data = {
        "person": person,
        "transcript": transcript.model_dump(exclude={"staff_id", "name"}),
        "eligibility": [v.model_dump(exclude={"staff_id"}) for v in verdicts],
    }
    return ReportDoc(
        kind=ReportKind.credit_transcript,
        subject=f"staff:{staff_id}",
        subject_label=rules.mask_name(person.name),
        subtitle=f"{person.name} · {transcript.cycle} 周期",
        template="credit_transcript.html",
        data=data,
        filename=f"credits-{staff_id}-{transcript.cycle}.pdf",
    )


# --- kindergarten staffing report ------------------------------------------------------------------------


@snapshot()
async def kindergarten_staffing(who: Principal, kindergarten_id: int) -> ReportDoc:

    kg = await get_kindergarten(who, kindergarten_id)  # out of scope: 404
    day = today()
    compliance = await _compliance(who, "kindergarten", day, kindergarten_id=kindergarten_id)
    violating = {v.staff_id: v.missing for v in compliance.violations}
    # the staff list: everyone not left, principals first (the order of the Post codes), then by name
    order = {post.value: i for i, post in enumerate(Post)}
    staff = sorted(
        (s for s in await _all_staff(who, kindergarten_id) if s.status != StaffStatus.left),
        key=lambda s: (order.get(s.post, len(order)), s.name, s.id),
    )
    people = []
    for s in staff:
        person = person_of_out(s)
        on_post = s.status == StaffStatus.on_post
        people.append(
            {
                **person.model_dump(include={"name", "id_number", "post", "employment", "title", "status", "hired_on"}),
                "certified": (s.id not in violating) if on_post else None,
            }
        )
    data = {
        "as_of": day,
        "kindergarten": kg.model_dump(exclude={"created_at", "updated_at"}),
        # issue 5's staffing figures (required, on post, qualified, gap per post); None until the
        # staffing package answers (see reports/staffing_seam.py)
        "staffing": await staffing_seam.kindergarten_gaps(who, kindergarten_id, day),
        "compliance": compliance.total.model_dump(include={"on_post", "compliant", "rate"}),
        "by_post": await _by_post(who, day, kindergarten_id=kindergarten_id),
        "violations": [v.model_dump(include={"name", "post", "missing"}) for v in compliance.violations],
        "staff": people,
        "staff_by_status": _count(s.status.value for s in staff),
    }
    return ReportDoc(
        kind=ReportKind.kindergarten_staffing,
        subject=f"kindergarten:{kindergarten_id}",
        subject_label=kg.name,
        subtitle=f"{kg.name}（{kg.code}）",
        template="kindergarten_staffing.html",
        data=data,
        filename=f"kindergarten-{rules.safe_filename(kg.code)}.pdf",
    )


def person_of_out(s: Any) -> PersonOut:
    """A ``StaffOut`` (already masked for non-HR callers) as the PDFs print it: masked for everyone."""

    return PersonOut(
        **s.model_dump(exclude={"id_number", "birth_date", "created_at", "updated_at"}),
        id_number=mask_id_number(s.id_number),
    )


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


# --- district compliance report ---------------------------------------------------------------------------


@snapshot()
async def district_compliance(who: Principal, on: date | None) -> ReportDoc:
    day = on or today()
    district, streets, groups, kindergartens, by_post = await asyncio.gather(
        _compliance(who, "district", day),
        _figures(who, "street", day),
        _figures(who, "group", day),
        _figures(who, "kindergarten", day),
        _by_post(who, day),
    )
    lowest = sorted(
        (r for r in kindergartens.rows if r.compliant < r.on_post),
        key=lambda r: (r.rate if r.rate is not None else 1.0, -r.on_post, r.key),
    )[:LOWEST_KINDERGARTENS]
    data = {
        "as_of": day,
        "policy": district.policy,
        "total": district.total.model_dump(include={"on_post", "compliant", "rate"}),
        "by_post": by_post,
        "by_street": [r.model_dump() for r in streets.rows],
        "by_group": [r.model_dump() for r in groups.rows],
        "kindergartens": len(kindergartens.rows),
        "lowest": [r.model_dump() for r in lowest],
        "violations": [v.model_dump(exclude={"staff_id", "kindergarten_id"}) for v in district.violations],
    }
    rates = [r.rate for r in groups.rows if r.rate is not None]
    chart = ChartSpec(
        kind="bar",
        title="各协作组持证上岗率 On-post certified rate by collaboration group",
        categories=[f"第{r.label}组" for r in groups.rows],
        series=[Series("持证上岗率", [r.rate for r in groups.rows])],
        value_label="持证上岗率",
        percent=True,
        # the rates differ by a few points: start the axis below the lowest, in steps of 5 points
        value_min=rules.axis_floor(min(rates)) if rates else None,
        height_mm=62,
    )
    return ReportDoc(
        kind=ReportKind.district_compliance,
        subject="district",
        subject_label=DISTRICT_LABEL,
        subtitle=f"截至 {day.isoformat()}",
        template="district_compliance.html",
        data=data,
        filename=f"district-compliance-{day.isoformat()}.pdf",
        charts={"by_group": chart},
    )


# --- ethics veto list (district HR only) ---------------------------------------------------------------


@snapshot()
async def ethics_vetoes(who: Principal, on: date | None) -> ReportDoc:

    day = on or today()
    vetoes = await vetoed_staff(day)  # no scoping in the ethics service: the guard allows district HR only
    rows = []
    for staff_id, veto in vetoes.items():
        person = person_of(await load_visible(who, staff_id))
        rows.append(
            {
                **person.model_dump(include={"name", "id_number", "kindergarten_code", "kindergarten_name", "post"}),
                "status": person.status,
                "reason_code": veto.reason_code,
                "detail": veto.detail,
                "until": veto.until,
                "until_words": until_words(veto.reason_code, veto.until),
            }
        )
    rows.sort(key=lambda r: (r["kindergarten_code"], r["name"], r["id_number"]))
    data = {"as_of": day, "vetoes": rows, "by_reason": _count(r["reason_code"] for r in rows)}
    return ReportDoc(
        kind=ReportKind.ethics_vetoes,
        subject="district",
        subject_label=DISTRICT_LABEL,
        subtitle=f"截至 {day.isoformat()}",
        template="ethics_vetoes.html",
        data=data,
        filename=f"ethics-vetoes-{day.isoformat()}.pdf",
    )


# --- district staffing report (issue 5's figures) ----------------------------------------------------------


@snapshot()
async def district_staffing(who: Principal, on: date | None) -> ReportDoc:
    day = on or today()
    figures = await staffing_seam.district(who, day)  # raises NotAvailable until issue 5 is in
    return ReportDoc(
        kind=ReportKind.district_staffing,
        subject="district",
        subject_label=DISTRICT_LABEL,
        subtitle=f"截至 {day.isoformat()}",
        template="district_staffing.html",
        data=figures.data,
        filename=f"district-staffing-{day.isoformat()}.pdf",
        charts=figures.charts,
    )
