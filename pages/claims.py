"""A teacher's credit claims on the pages (issue 16): "报告培训" (``/my/claims/new``: the course, its
dates, hours, category and source, a note, and the certificate as a file or a camera photo),
"我的申报" (``/my/claims``: each claim's status, the reason of a returned or rejected one, the credits
of an approved one) and a claim's page (``/my/claims/{id}``: the claim with its evidence; a returned
claim's form "修改后重新提交", a POST page route over ``claims.amend``: the API's PUT).

The rules are the claims service's (``credits.claims``): the page reads the multipart form as typed,
hands it over as the API's ``ClaimForm``, and shows each refusal (422 fields, 409 the same file
claimed twice, 413 too large, 415 not a PDF, JPEG or PNG) next to its input, the typed values kept
(a file input cannot be refilled: the file is chosen again).

The certificate comes through one of two inputs, ``file`` (a PDF, JPEG or PNG from the phone's files
or a computer) and ``photo`` (``capture="environment"``: the camera at once). One input cannot do both
on every phone: with ``accept`` naming a PDF, Android's Chrome opens the document picker without the
camera, and ``capture`` on that input would forbid choosing a PDF (iOS then offers only the camera);
so the camera has its own image-only input, shown on touch screens (``pointer: coarse``, CSS: no
script), and the form takes whichever was used (both: the form asks for one).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from credits import claims
from credits.claim_controllers import MULTIPART_OVERHEAD
from credits.claim_schemas import ClaimForm, ClaimOut
from credits.codes import ClaimStatus, CourseCategory, CreditSource
from credits.policies import policy_versions
from credits.rules import policy_for
from kernel.auth import Principal, requires
from kernel.codes import label
from kernel.common.time import today
from kernel.errors import DomainError, NotFound
from kernel.i18n import _, field_label
from kernel.settings import get_settings
from pages.form_support import FormErrors, Render, add_domain, set_flash
from pages.rules import size_text

Req = Request[Any, Any, Any]
RenderDep = NamedDependency[Render]

MINE = "/my/claims"
NEW = f"{MINE}/new"
FIELDS = ("title", "provider", "date_from", "date_to", "hours", "category", "source", "note")
INPUTS = (*FIELDS, "file", "photo")
MY_PAGE = 50  # claims on "我的申报" (a teacher has a handful a year)
ACCEPT = "image/jpeg,image/png,application/pdf"
PHOTO_ACCEPT = "image/jpeg,image/png"
INPUT_LABELS = {"file": "证书文件", "photo": "拍照上传"}  # the inputs' labels (_claim_fields.html)
MAX_BYTES = get_settings().evidence_max_bytes  # REGISTRY_EVIDENCE_MAX_BYTES: the service's limit (413)
# The page's own body limit: room for a file well over the evidence limit (in either input, or both),
# so the service's 413 reaches the handler and the form is answered with the values kept; only a body
# above this is refused before the handler (pages.controllers.page_error: a page linking to the form).
PAGE_UPLOAD_LIMIT = 3 * MAX_BYTES + MULTIPART_OVERHEAD
DUPLICATE = "duplicate-evidence"  # the claims service's code for a file claimed once already


def located(name: str) -> str | None:
    """A claim field's input on the form (the API's ``file`` is the file input)."""
    return name if name in INPUTS else None


async def choices() -> dict[str, Any]:
    """The form's selects: categories, and sources with the policy's hours per credit today."""
    rates = policy_for(today(), await policy_versions()).recognition.hours_per_credit
    sources = []
    for s in CreditSource:
        rate = rates.get(s.value)
        text = label(CreditSource, s.value)
        sources.append((s.value, f"{text}（{rate:g} 学时 = 1 学分）" if rate else text))
    return {
        "categories": [(c.value, label(CourseCategory, c.value)) for c in CourseCategory],
        "sources": sources,
        "today": today(),
        "accept": ACCEPT,
        "photo_accept": PHOTO_ACCEPT,
        "max_bytes": MAX_BYTES,
        "max_text": size_text(MAX_BYTES),
    }


def values_of(claim: ClaimOut) -> dict[str, str]:
    """A claim's fields as its form shows them."""
    hours = f"{claim.hours:g}"
    return {
        "title": claim.title,
        "provider": claim.provider,
        "date_from": claim.date_from.isoformat(),
        "date_to": claim.date_to.isoformat(),
        "hours": hours,
        "category": claim.category.value,
        "source": claim.source.value,
        "note": claim.note,
    }


async def posted_claim(request: Req, errors: FormErrors) -> tuple[dict[str, str], ClaimForm]:
    """The form as typed and the API's ``ClaimForm`` of it, with the file from whichever input was
    used (none: ``file=None``; both: an error on the file input)."""
    form = await request.form()
    values = {}
    for name in FIELDS:
        value = form.get(name)
        values[name] = value.strip() if isinstance(value, str) else ""
    uploads = [u for u in (form.get("photo"), form.get("file")) if isinstance(u, UploadFile)]
    chosen = [u for u in uploads if u.filename]
    if len(chosen) > 1:
        errors.add("file", _("choose one file: the photo or the file, not both"))
    for u in uploads:
        if len(chosen) != 1 or u is not chosen[0]:
            await u.close()
    return values, ClaimForm(**values, file=chosen[0] if len(chosen) == 1 else None)


def unlabelled(name: str, message: str) -> str:
    """A field's message without its field's name in front (the page puts the label before it)."""
    for label_text in {field_label(name), INPUT_LABELS.get(name, "")} - {""}:
        for colon in ("：", ": "):
            message = message.removeprefix(label_text + colon)
    return message


def refused(errors: FormErrors, exc: DomainError) -> int | None:
    """The service's refusal on the form: each message next to its input. A file over the limit is
    said with the limit in words; a file claimed before names the first claim (returned: its id, for
    the link to it)."""
    add_domain(errors, exc, located)
    for name, message in list(errors.fields.items()):
        errors.fields[name] = unlabelled(name, message)
    if exc.status == 413 and "file" in errors.fields:
        errors.fields["file"] = _(
            "larger than {limit}: choose a smaller file, or photograph it again", limit=size_text(MAX_BYTES)
        )
    first = exc.extra.get("claim_id")
    return first if exc.code == DUPLICATE and isinstance(first, int) else None


async def claim_context(who: Principal, claim: ClaimOut) -> dict[str, Any]:
    """What a claim's page shows: the claim and its evidence (``/claims/{id}/evidence``)."""
    media = claim.evidence.media_type
    return {
        "claim": claim,
        "evidence_href": f"/claims/{claim.id}/evidence",
        "evidence_kind": "pdf" if media == "application/pdf" else "image",
    }


class MyClaimPages(Controller):
    path = MINE
    guards = [requires("claim.submit")]

    @get("/", summary="我的申报: my credit claims, newest first, with their status")
    async def mine(self, request: Req, render: RenderDep) -> Response[Any]:
        page = await claims.list_claims(request.user, mine=True, limit=MY_PAGE, offset=0)
        return render.page(request, "my_claims.html", {"claims": page.items, "total": page.total})

    @get("/new", summary="报告培训: the form of a credit claim with its evidence")
    async def form(self, request: Req, render: RenderDep) -> Response[Any]:
        context = {**await choices(), "values": dict.fromkeys(FIELDS, ""), "errors": FormErrors(), "duplicate_of": None}
        return render.page(request, "claim_new.html", context)

    @post(
        "/new",
        summary="Submit a credit claim (multipart: the fields and the file or photo)",
        status_code=303,
        request_max_body_size=PAGE_UPLOAD_LIMIT,
    )
    async def submit(self, request: Req, render: RenderDep) -> Response[Any]:
        errors = FormErrors()
        duplicate_of = None
        values, form = await posted_claim(request, errors)
        if not errors:
            try:
                claim = await claims.submit(request.user, form)
            except DomainError as exc:
                duplicate_of = refused(errors, exc)
            else:
                set_flash(request, _("Claim submitted: your kindergarten checks it first"))
                return Redirect(path=f"{MINE}/{claim.id}", status_code=303)
        context = {**await choices(), "values": values, "errors": errors, "duplicate_of": duplicate_of}
        return render.page(request, "claim_new.html", context, status_code=errors.status)

    @get("/{claim_id:int}", summary="One of my claims with its evidence (returned: the form to amend it)")
    async def one(self, request: Req, render: RenderDep, claim_id: FromPath[int]) -> Response[Any]:
        claim = await _own(request.user, claim_id)
        return render.page(request, "claim.html", await _mine_context(request.user, claim, None, FormErrors()))

    @post(
        "/{claim_id:int}/amend",
        summary="Amend a claim returned to me (the file may be left out): submitted again",
        status_code=303,
        request_max_body_size=PAGE_UPLOAD_LIMIT,
    )
    async def amend(self, request: Req, render: RenderDep, claim_id: FromPath[int]) -> Response[Any]:
        who: Principal = request.user
        claim = await _own(who, claim_id)
        errors = FormErrors()
        duplicate_of = None
        values, form = await posted_claim(request, errors)
        if not errors:
            try:
                amended = await claims.amend(who, claim_id, form)
            except DomainError as exc:
                duplicate_of = refused(errors, exc)
            else:
                set_flash(request, _("Claim submitted again: your kindergarten checks it first"))
                return Redirect(path=f"{MINE}/{amended.id}", status_code=303)
        context = await _mine_context(who, claim, values, errors)
        context["duplicate_of"] = duplicate_of
        return render.page(request, "claim.html", context, status_code=errors.status)


async def _own(who: Principal, claim_id: int) -> ClaimOut:
    """The caller's own claim (another's, even one she may see otherwise: the claims' 404)."""
    claim = await claims.get_claim(who, claim_id)
    if claim.staff_id != who.staff_id:
        raise NotFound(_("no credit claim {claim}", claim=claim_id))
    return claim


async def _mine_context(
    who: Principal, claim: ClaimOut, values: dict[str, str] | None, errors: FormErrors
) -> dict[str, Any]:
    context = await claim_context(who, claim)
    amendable = claim.status == ClaimStatus.returned
    context.update(mine=True, reviewing=False, amendable=amendable, errors=errors, message="", duplicate_of=None)
    if amendable:
        context.update(await choices())
        context["values"] = values if values is not None else values_of(claim)
    return context


CLAIM_PAGES: list[type[Controller]] = [MyClaimPages]
