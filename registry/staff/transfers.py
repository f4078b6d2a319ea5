"""Transfers: a person moves to another kindergarten (the record and its history stay), and a
mistaken transfer made today is undone."""

from __future__ import annotations

from datetime import date, timedelta

from kernel.auth import Principal
from kernel.common.time import today, utcnow
from kernel.db import write_transaction
from kernel.errors import Conflict, Invalid
from kernel.i18n import _
from kernel.rows import as_date
from registry.audit.services import record, since_latest
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.codes import StaffStatus
from registry.staff.rules import UNDO_ACTION, transfer_problem, undo_problem
from registry.staff.schemas import StaffDetail, TransferIn
from registry.staff.services import OnPostGate, close_open_assignment, get_staff, load_visible, lock_person, moved
from registry.staff.tables import Staff as S
from registry.staff.tables import StaffAssignment as A


async def transfer_staff(who: Principal, staff_id: int, data: TransferIn, *, gate: OnPostGate) -> StaffDetail:
    on = data.on or today()
    if on > today():
        raise Invalid.field("on", _("a transfer is recorded on or after its first day, not before"))
    async with write_transaction():
        await lock_person(staff_id)
        row = await load_visible(who, staff_id)
        if not await K.exists().where(K.id == data.kindergarten_id):
            raise Invalid.field(
                "kindergarten_id", _("no kindergarten {kindergarten}", kindergarten=data.kindergarten_id)
            )
        problem = transfer_problem(row["kindergarten"], data.kindergarten_id, row["status"])
        if problem:
            raise Conflict(problem)
        current = await A.select().where(A.staff == staff_id, A.ends_on.is_null()).first()
        if current is not None and as_date(current["starts_on"]) >= on:
            raise Invalid.field(
                "on", _("must be after the current assignment's start ({day})", day=as_date(current["starts_on"]))
            )
        post = data.post.value if data.post else row["post"]
        if row["status"] == StaffStatus.on_post and post != row["post"]:
            await gate(staff_id, post)
        await close_open_assignment(staff_id, on - timedelta(days=1))
        await A.insert(
            A(
                staff=staff_id,
                kindergarten=data.kindergarten_id,
                post=post,
                starts_on=on,
                reason=data.reason or "transfer",
            )
        )
        await S.update({S.kindergarten: data.kindergarten_id, S.post: post, S.updated_at: utcnow()}).where(
            S.id == staff_id
        )
        await record(
            who,
            "transfer",
            "staff",
            staff_id,
            {"kindergarten_id": row["kindergarten"], "post": row["post"]},
            {
                "kindergarten_id": data.kindergarten_id,
                "post": post,
                "on": on.isoformat(),
                "reason": data.reason,
            },
        )
    return await moved(who, staff_id)


async def undo_transfer(who: Principal, staff_id: int) -> StaffDetail:
    """Undo the person's latest transfer when it took effect today and nothing about the person
    changed since (``rules.undo_problem``; otherwise a 409 saying why): the kindergarten and post
    before it come back, the assignment it opened is removed and the one it closed is open again, so
    the history of assignments reads as if it had not happened. The audit trail keeps both: the
    ``transfer`` event and a ``transfer.undo`` event (before: where the transfer put the person, with
    the removed assignment; after: where the person is back, naming the transfer event undone)."""
    day = today()
    async with write_transaction():
        await lock_person(staff_id)
        row = await load_visible(who, staff_id)
        transfer, later = await since_latest("staff", staff_id, "transfer")
        current = await A.select().where(A.staff == staff_id, A.ends_on.is_null()).first()
        if current is not None:
            current = {**current, "starts_on": as_date(current["starts_on"])}
        problem = undo_problem(transfer, later, current, day)
        if problem is not None:
            code, reason = problem
            raise Conflict(reason, code=code)
        assert transfer is not None and current is not None  # undo_problem said so
        back, undone = transfer["before"] or {}, transfer["after"] or {}
        on = date.fromisoformat(undone["on"])
        # the assignment the transfer closed: at the kindergarten it left, ended the day before
        previous = (
            await A.select(A.id)
            .where(A.staff == staff_id, A.kindergarten == back["kindergarten_id"], A.ends_on == on - timedelta(days=1))
            .order_by(A.id, ascending=False)
            .first()
        )
        await A.delete().where(A.id == current["id"])  # first: at most one open assignment per person
        if previous is not None:
            await A.update({A.ends_on: None}).where(A.id == previous["id"])
        await S.update({S.kindergarten: back["kindergarten_id"], S.post: back["post"], S.updated_at: utcnow()}).where(
            S.id == staff_id
        )
        await record(
            who,
            UNDO_ACTION,
            "staff",
            staff_id,
            {
                "kindergarten_id": row["kindergarten"],
                "post": row["post"],
                "assignment": {
                    "kindergarten_id": current["kindergarten"],
                    "post": current["post"],
                    "starts_on": current["starts_on"].isoformat(),
                    "reason": current["reason"],
                },
            },
            {
                "kindergarten_id": back["kindergarten_id"],
                "post": back["post"],
                "status": row["status"],
                "undoes": transfer["id"],
            },
        )
    return await get_staff(who, staff_id)
