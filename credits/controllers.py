"""Credits endpoints (issue 4): the ledger, the recognition policies and transcripts; thin
controllers, one guard and one service call each."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from credits import ledger, policies, transcripts
from credits.claim_controllers import ClaimController, MyClaimController
from credits.schemas import EntryCreate, EntryOut, PolicyCreate, PolicyOut, ReversalCreate, TranscriptOut
from kernel.auth import Principal, requires
from registry.changes.codes import ChangeKind
from registry.changes.controllers import REVIEWED, ChangesDep, answer

Req = Request[Principal, Any, Any]

Cycle = Annotated[
    str | None,
    QueryParameter(description="e.g. 2021-2025; default: the cycle containing today", pattern=r"^\d{4}-\d{4}$"),
]


IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        description="a key of the client's choosing (1-128 printable ASCII characters): a retried request with "
        "the same key answers the entry it first recorded instead of recording it twice; the key reused for a "
        "different entry is a 409. Without a key or a reference, an entry identical to one posted in the last "
        "24 hours is a 409 naming it.",
    ),
]


class CreditEntryController(Controller):
    path = "/credits"
    tags = ["credits"]

    @post(
        "/entries",
        guards=[requires("credits.write")],
        summary="Record a credit entry (append-only ledger)",
        responses=REVIEWED,
    )
    async def create(
        self, request: Req, data: JSONBody[EntryCreate], changes: ChangesDep, idempotency_key: IdempotencyKey = None
    ) -> Response[EntryOut]:
        if changes.needs_review(request.user, ChangeKind.credit_entry):
            return answer(await changes.write(request.user, ChangeKind.credit_entry, data), 201)
        return Response(await ledger.create_entry(request.user, data, idempotency_key), status_code=201)

    @post(
        "/entries/{entry_id:int}/reversal",
        guards=[requires("credits.write")],
        summary="Reverse an entry (a new entry with negative hours and credits)",
    )
    async def reverse(self, request: Req, entry_id: FromPath[int], data: JSONBody[ReversalCreate]) -> EntryOut:
        return await ledger.reverse_entry(request.user, entry_id, data)

    @get("/policies", guards=[requires("credits.policy.read")], summary="Recognition policy versions")
    async def policies(self, request: Req) -> list[PolicyOut]:
        return await policies.list_policies(request.user)

    @post("/policies", guards=[requires("credits.policy.write")], summary="Add a recognition policy version")
    async def add_policy(self, request: Req, data: JSONBody[PolicyCreate]) -> PolicyOut:
        return await policies.create_policy(request.user, data)


class StaffCreditsController(Controller):
    path = "/staff/{staff_id:int}"
    tags = ["credits"]

    @get("/credits", guards=[requires("credits.read")], summary="A person's credit transcript for a cycle")
    async def transcript(self, request: Req, staff_id: FromPath[int], cycle: Cycle = None) -> TranscriptOut:
        return await transcripts.staff_transcript(request.user, staff_id, cycle)


class MyCreditsController(Controller):
    path = "/me/credits"
    tags = ["credits"]

    @get("/", guards=[requires("credits.read")], summary="My credit transcript (accounts with a staff record)")
    async def mine(self, request: Req, cycle: Cycle = None) -> TranscriptOut:
        return await transcripts.my_transcript(request.user, cycle)


CONTROLLERS: list[type] = [
    CreditEntryController,
    StaffCreditsController,
    MyCreditsController,
    MyClaimController,
    ClaimController,
]
