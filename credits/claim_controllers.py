"""Credit-claim endpoints (issue 16): thin controllers, one guard and one service call each."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody

from credits import claims
from credits.claim_schemas import ClaimForm, ClaimOut, ClaimReview
from credits.codes import ClaimStatus, CourseCategory, CreditSource
from kernel.auth import Principal, requires
from kernel.common.downloads import content_disposition
from kernel.common.params import Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from kernel.errors import problem_responses
from kernel.settings import get_settings

Req = Request[Principal, Any, Any]
Form = Annotated[ClaimForm, Body(media_type=RequestEncodingType.MULTI_PART)]

# multipart framing around the file (boundaries, part headers, the fields) on top of the file itself
MULTIPART_OVERHEAD = 64 * 1024
UPLOAD_LIMIT = get_settings().evidence_max_bytes + MULTIPART_OVERHEAD
FIELDS = (
    "Multipart fields, all required but `note`: `title` and `provider` (1-200 characters), `date_from` and "
    "`date_to` (YYYY-MM-DD: not in the future, not before the previous credit cycle), `hours` (> 0, to 0.1; at "
    "most the policy's `claim_max_hours_per_day` a day of the course), "
    f"`category` (one of {', '.join(c.value for c in CourseCategory)}), "
    f"`source` (one of {', '.join(c.value for c in CreditSource)}; the credits follow the policy's hours per "
    "credit of the source), `note` (up to 2,000 characters) and `file`: one PDF, JPEG or PNG, judged by its content "
    "(anything else, or a damaged file: 415), at most REGISTRY_EVIDENCE_MAX_BYTES (10 MiB; 413 above)."
)


class MyClaimController(Controller):
    path = "/me/credit-claims"
    tags = ["credit claims"]

    @post(
        "/",
        guards=[requires("claim.submit")],
        summary="Report outside training with its evidence (a teacher, for herself)",
        description=FIELDS + " The same file claimed twice by the same person: 409 naming the first claim.",
        request_max_body_size=UPLOAD_LIMIT,
        responses=problem_responses([415]),
    )
    async def submit(self, request: Req, data: Form) -> ClaimOut:
        return await claims.submit(request.user, data)

    @put(
        "/{claim_id:int}",
        guards=[requires("claim.submit")],
        summary="Amend a claim returned to you (the file may be left out to keep the one sent): submitted again",
        description=FIELDS,
        request_max_body_size=UPLOAD_LIMIT,
        responses=problem_responses([415]),
    )
    async def amend(self, request: Req, claim_id: FromPath[int], data: Form) -> ClaimOut:
        return await claims.amend(request.user, claim_id, data)

    @get("/", guards=[requires("claim.submit")], summary="My credit claims, newest first")
    async def mine(
        self,
        request: Req,
        status: FromQuery[ClaimStatus | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[ClaimOut]:
        return await claims.list_claims(request.user, status=status, mine=True, limit=limit, offset=offset)


class ClaimController(Controller):
    path = "/credit-claims"
    tags = ["credit claims"]

    @get(
        "/",
        guards=[requires("claim.list")],
        summary="Credit claims in scope, oldest first (a queue): an admin their kindergarten's, HR and inspectors all",
    )
    async def queue(
        self,
        request: Req,
        status: FromQuery[ClaimStatus | None] = None,
        kindergarten_id: FromQuery[int | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[ClaimOut]:
        return await claims.list_claims(
            request.user, status=status, kindergarten_id=kindergarten_id, limit=limit, offset=offset
        )

    @get("/{claim_id:int}", guards=[requires("claim.read")], summary="One credit claim (in the caller's scope)")
    async def one(self, request: Req, claim_id: FromPath[int]) -> ClaimOut:
        return await claims.get_claim(request.user, claim_id)

    @get(
        "/{claim_id:int}/evidence",
        guards=[requires("claim.read")],
        summary="A claim's evidence file: its owner, her kindergarten's admin, district HR and inspectors",
        media_type="application/octet-stream",
    )
    async def evidence(self, request: Req, claim_id: FromPath[int]) -> Response[bytes]:
        name, media_type, content = await claims.evidence_file(request.user, claim_id)
        return Response(
            content=content,
            media_type=media_type,
            headers={
                "Content-Disposition": content_disposition(name, inline=True, fallback="evidence"),
                "Cache-Control": "private, no-store",
            },
        )

    @post(
        "/{claim_id:int}/review",
        status_code=200,
        guards=[requires("claim.review")],
        summary="Check (her kindergarten's admin) or decide (district HR) a claim: approve, return or reject",
        description="An admin's `approve` makes the claim `checked`; district HR's makes it `approved` and writes "
        "the ledger entry `claim:<id>` in the same transaction, with the policy's credits for its hours and source "
        "unless `credits` is given with a `reason`. `return` (to the teacher to amend) and `reject` need a `reason`. "
        "A claim decided already, or not yet checked by the kindergarten (HR): 409.",
    )
    async def review(self, request: Req, claim_id: FromPath[int], data: JSONBody[ClaimReview]) -> ClaimOut:
        return await claims.review(request.user, claim_id, data)
