"""Two-level review (issue 15): a kindergarten enters, the district approves.

A write whose kind the review policy lists for the caller's role (``[version.review]``: a
kindergarten admin's new staff, transfers, status changes, certificates, training results, ethics
evaluations and credit entries) is not applied: it is checked by applying it in a transaction that
is rolled back (the same schemas and the same rules as the write itself: a bad payload is still a
422, a broken rule a 409, at once), then kept as a change request that district HR approves or
rejects. Approving applies it through the same write, in one transaction with the change's own
audit event; a rule that fails now (the person meanwhile on post elsewhere) is a 409 and the change
stays pending; a target that moved on since it was submitted (its ``before`` differs) is a 409,
never a silent overwrite.

Each domain says how its kinds are applied (a ``Handler``: the payload's schema, the write, the
target's snapshot, the kindergarten it concerns); the app puts them together (``Changes``), because
the writes of the domains above the registers are not known down here.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from kernel.auth import Principal
from kernel.codes import Role, label, term
from kernel.common.schemas import Page
from kernel.common.time import utcnow
from kernel.db import get_engine, write_transaction
from kernel.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from kernel.i18n import _
from kernel.policy import policy_on
from kernel.rows import json_value
from registry.audit.services import record
from registry.changes.codes import ChangeKind, ChangeStatus
from registry.changes.schemas import ChangeDecision, ChangeOut
from registry.changes.tables import ChangeRequest as C

Snapshot = dict[str, Any]


@dataclass(frozen=True)
class Handler:
    """How one kind of change is applied.

    ``apply(who, target_id, data)`` is the endpoint's own write (it runs its rules and writes its audit
    event, joining the caller's transaction); ``before(target_id)`` the target's snapshot to compare at
    approval (None for a new record); ``kindergarten_of(target_id, data)`` the kindergarten the change
    concerns (its admin sees it in their queue); ``summary(data, before)`` one line for the reviewer."""

    kind: ChangeKind
    schema: type[BaseModel]
    apply: Callable[[Principal, int | None, Any], Awaitable[BaseModel]]
    kindergarten_of: Callable[[int | None, Any], Awaitable[int | None]]
    summary: Callable[[Any, Snapshot | None], str]
    before: Callable[[int], Awaitable[Snapshot | None]] | None = None
    # after the change is decided (approved, rejected or withdrawn) and committed: let go of what it
    # kept outside the database (an import's file)
    decided: Callable[[Any], Awaitable[None]] | None = None


@dataclass(frozen=True)
class Applied:
    """The write was applied at once (the caller's role needs no review for it)."""

    result: BaseModel


@dataclass(frozen=True)
class Submitted:
    """The write was checked and kept for review: answered 202 with the change."""

    change: ChangeOut


class _DryRun(Exception):
    """Rolls back a write made only to check it."""


def reviewed_kinds(role: Role | str) -> frozenset[str]:
    """The kinds of write the policy in force today sends for review when ``role`` makes them."""
    return policy_on().review.get(str(Role(role).value), frozenset())


def _normal(value: Any) -> Any:
    """A snapshot as it is stored (JSON), so one read now compares equal to one stored then."""
    return json.loads(json.dumps(value, default=str, sort_keys=True)) if value is not None else None


def _out(row: dict[str, Any]) -> ChangeOut:
    change = ChangeOut(
        id=row["id"],
        kind=row["kind"],
        kind_label=label(ChangeKind, row["kind"]),
        status=row["status"],
        status_label=label(ChangeStatus, row["status"]),
        kindergarten_id=row["kindergarten"],
        target_id=row["target_id"],
        summary=row["summary"],
        payload=json_value(row["payload"]) or {},
        before=json_value(row["before"]),
        submitted_by=row["submitted_by"],
        submitted_at=row["submitted_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        reason=row["reason"] or "",
        result_id=row["result_id"],
    )
    change._submitted_by_account = row["submitted_by_account"]
    return change


def _visible(who: Principal, row: dict[str, Any]) -> bool:
    if who.role == Role.district_hr:
        return True
    return who.role == Role.kindergarten_admin and row["kindergarten"] == who.kindergarten_id


async def _load(who: Principal, change_id: int) -> dict[str, Any]:
    rows = await C.select().where(C.id == change_id)
    if not rows or not _visible(who, rows[0]):
        raise NotFound(_("no change request {change_id}", change_id=change_id))
    return rows[0]


def _submitter(row: dict[str, Any]) -> Principal:
    """Who submitted the change, as they were then: the write is applied in their name and scope (the
    record's author is whoever entered it; the approver is in the change's own audit event)."""
    return Principal(
        account_id=row["submitted_by_account"],
        username=row["submitted_by"],
        role=Role(row["submitted_role"]),
        kindergarten_id=row["submitted_kindergarten"],
    )


def _decided_already(row: dict[str, Any]) -> Conflict:
    return Conflict(
        _(
            "change request {change_id} is {status} already",
            change_id=row["id"],
            status=term(ChangeStatus, row["status"]),
        ),
        code="decided-already",
        status=row["status"],
    )


async def _each(who: Principal, handler: Handler, items: list[tuple[BaseModel, int | None]]) -> list[BaseModel]:
    """Each write in turn (in the caller's transaction); a refused one of several is named by its index."""
    out = []
    for index, (data, target) in enumerate(items):
        try:
            out.append(await handler.apply(who, target, data))
        except DomainError as exc:
            if len(items) > 1:
                exc.extra["item"] = index
            raise
    return out


OnDecided = Callable[[ChangeOut], Awaitable[None]]


class Changes:
    """The kinds of change the app knows, and the review of them. ``on_decided(change)`` runs inside
    the transaction of an approval or a rejection (not a withdrawal), after the change is written: the
    app tells the submitter (a notification, issue 16; the notifications sit above this package)."""

    def __init__(self, handlers: Iterable[Handler], on_decided: OnDecided | None = None) -> None:
        self.handlers = {h.kind.value: h for h in handlers}
        self.on_decided = on_decided

    def handler(self, kind: ChangeKind | str) -> Handler:
        return self.handlers[str(ChangeKind(kind).value)]

    def needs_review(self, who: Principal, kind: ChangeKind | str) -> bool:
        return str(ChangeKind(kind).value) in reviewed_kinds(who.role)

    async def write(
        self, who: Principal, kind: ChangeKind | str, data: BaseModel, target_id: int | None = None
    ) -> Applied | Submitted:
        """Apply ``data`` (the endpoint's body) now, or, when the caller's role needs review for this
        kind, check it and keep it as a change request."""
        return (await self.write_many(who, kind, [(data, target_id)]))[0]

    async def write_many(
        self, who: Principal, kind: ChangeKind | str, items: list[tuple[BaseModel, int | None]]
    ) -> list[Applied] | list[Submitted]:
        """Several writes of one kind as one (a form for a whole roster): all applied in one
        transaction, or all checked together and kept as one change request each; one broken rule
        refuses them all. When there are several, the refusal names the one it refused: the domain
        error's ``extra["item"]`` is its index in ``items`` (a form puts the message on that row)."""
        handler = self.handler(kind)
        if not self.needs_review(who, kind):
            async with write_transaction():
                return [Applied(result) for result in await _each(who, handler, items)]
        return [Submitted(change) for change in await self._submit(who, handler, items)]

    async def _submit(
        self, who: Principal, handler: Handler, items: list[tuple[BaseModel, int | None]]
    ) -> list[ChangeOut]:
        if get_engine().current_transaction.get() is not None:  # pragma: no cover - a programming error
            raise RuntimeError("a change is submitted outside any transaction (its check is rolled back)")
        befores = [
            _normal(await handler.before(target)) if handler.before and target is not None else None
            for _data, target in items
        ]
        # the record's kindergarten; for a change without one (an import), the submitter's
        kindergartens = [(await handler.kindergarten_of(target, data)) or who.kindergarten_id for data, target in items]
        try:
            async with write_transaction():  # the writes themselves, to check them: rolled back
                await _each(who, handler, items)
                raise _DryRun
        except _DryRun:
            pass
        # the check rolled its transaction back: the changes are kept in a transaction of their own
        changes = []
        async with write_transaction():
            for (data, target), before, kindergarten in zip(items, befores, kindergartens, strict=True):
                payload = data.model_dump(mode="json", exclude_unset=True)  # a PATCH stays a PATCH
                row = (
                    await C.insert(
                        C(
                            kind=handler.kind.value,
                            status=ChangeStatus.pending.value,
                            kindergarten=kindergarten,
                            target_id=target,
                            payload=json.dumps(payload, ensure_ascii=False),
                            before=json.dumps(before, ensure_ascii=False) if before is not None else None,
                            summary=handler.summary(data, before),
                            submitted_by=who.username,
                            submitted_by_account=who.account_id,
                            submitted_role=who.role.value,
                            submitted_kindergarten=who.kindergarten_id,
                            submitted_at=utcnow(),
                        )
                    ).returning(C.id)
                )[0]
                change = _out((await C.select().where(C.id == row["id"]))[0])
                await record(who, "submit", "change_request", change.id, None, change.model_dump(mode="json"))
                changes.append(change)
        return changes

    async def approve(self, who: Principal, change_id: int) -> ChangeDecision:
        async with write_transaction():
            row = await _load(who, change_id)
            claimed = (
                await C.update(
                    {C.status: ChangeStatus.approved.value, C.decided_by: who.username, C.decided_at: utcnow()}
                )
                .where((C.id == change_id) & (C.status == ChangeStatus.pending.value))
                .returning(C.id)
            )
            if not claimed:
                raise _decided_already(row)
            handler = self.handler(row["kind"])
            target = row["target_id"]
            if handler.before is not None and target is not None:
                now = _normal(await handler.before(target))
                if now != json_value(row["before"]):
                    raise Conflict(
                        _(
                            "the record changed after this change was submitted: review it again "
                            "(reject it and ask for a new one)"
                        ),
                        code="stale-change",
                        current=now,
                    )
            data = handler.schema.model_validate(json_value(row["payload"]) or {})
            try:
                result = await handler.apply(_submitter(row), target, data)
            except DomainError as exc:
                if exc.status not in (403, 404, 409, 422):
                    raise
                raise Conflict(
                    _("the change cannot be applied now: {reason}", reason=exc.detail),
                    errors=exc.errors,
                    code=exc.code or exc.kind,
                ) from exc
            result_id = getattr(result, "id", None)
            await C.update({C.result_id: result_id if isinstance(result_id, int) else None}).where(C.id == change_id)
            change = _out((await C.select().where(C.id == change_id))[0])
            await record(
                who, "approve", "change_request", change_id, {"status": row["status"]}, change.model_dump(mode="json")
            )
            if self.on_decided is not None:
                await self.on_decided(change)
        if handler.decided is not None:
            await handler.decided(data)
        return ChangeDecision(change=change, result=result.model_dump(mode="json"))

    async def reject(self, who: Principal, change_id: int, reason: str) -> ChangeOut:
        if not reason.strip():
            raise Invalid.field("reason", _("a rejection needs its reason"))
        return await self._closed(
            await _close(who, change_id, ChangeStatus.rejected, reason, "reject", self.on_decided)
        )

    async def withdraw(self, who: Principal, change_id: int) -> ChangeOut:
        return await self._closed(await _close(who, change_id, ChangeStatus.withdrawn, "", "withdraw"))

    async def _closed(self, change: ChangeOut) -> ChangeOut:
        handler = self.handler(change.kind)
        if handler.decided is not None:
            await handler.decided(handler.schema.model_validate(change.payload))
        return change


async def _close(
    who: Principal,
    change_id: int,
    status: ChangeStatus,
    reason: str,
    action: str,
    on_closed: OnDecided | None = None,
) -> ChangeOut:
    async with write_transaction():
        row = await _load(who, change_id)
        if status == ChangeStatus.withdrawn and row["submitted_by_account"] != who.account_id:
            raise Forbidden(_("only whoever submitted a change may withdraw it"), code="not-the-submitter")
        claimed = (
            await C.update(
                {C.status: status.value, C.decided_by: who.username, C.decided_at: utcnow(), C.reason: reason}
            )
            .where((C.id == change_id) & (C.status == ChangeStatus.pending.value))
            .returning(C.id)
        )
        if not claimed:
            raise _decided_already(row)
        change = _out((await C.select().where(C.id == change_id))[0])
        await record(
            who, action, "change_request", change_id, {"status": row["status"]}, change.model_dump(mode="json")
        )
        if on_closed is not None:
            await on_closed(change)
    return change


async def get_change(who: Principal, change_id: int) -> ChangeOut:
    return _out(await _load(who, change_id))


async def list_changes(
    who: Principal,
    status: ChangeStatus | None = None,
    kind: ChangeKind | None = None,
    kindergarten_id: int | None = None,
    submitted_by: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[ChangeOut]:
    """HR: every kindergarten's; an admin: their own kindergarten's (another one asked for: none)."""
    where: list[Any] = []
    if who.role != Role.district_hr:
        where.append(C.kindergarten == (who.kindergarten_id if who.kindergarten_id is not None else -1))
    if kindergarten_id is not None:
        where.append(C.kindergarten == kindergarten_id)
    if status is not None:
        where.append(C.status == status.value)
    if kind is not None:
        where.append(C.kind == kind.value)
    if submitted_by is not None:
        where.append(C.submitted_by == submitted_by)
    query = C.select().order_by(C.submitted_at, ascending=status == ChangeStatus.pending).order_by(C.id)
    count = C.count()
    for clause in where:
        query = query.where(clause)
        count = count.where(clause)
    rows = await query.limit(limit).offset(offset)
    return Page(items=[_out(r) for r in rows], total=await count, limit=limit, offset=offset)
