"""Placement of a pool candidate on a kindergarten's post: one transaction, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from certificates.services import verdict_for
from certificates.tables import Certificate as C
from certificates.writes import NewCertificate, add_certificates
from kernel.auth import Principal
from kernel.codes import CertificateType
from kernel.common.time import today, utcnow
from kernel.db import write_transaction
from kernel.errors import Conflict, FieldError, Invalid
from kernel.i18n import F_, N_, _
from kernel.policy import Policy
from kernel.rows import as_date, json_list
from registry.audit.services import record
from registry.kindergartens.tables import Kindergarten as K
from registry.notifications.codes import NoticeKind
from registry.notifications.services import Notice, Recipients, notify_many
from registry.staff.codes import Post, StaffStatus
from registry.staff.rules import hire_date_problem
from registry.staff.services import lock_person, rehire
from registry.staff.tables import Staff as S
from registry.staff.writes import NewStaff, add_staff
from staffing import rules
from staffing.codes import CandidateStatus
from staffing.figures import gap_of, policy_for
from staffing.pool import candidate_row, certificates_of
from staffing.schemas import PlacementIn, PlacementOut
from staffing.sqltext import json_text
from staffing.tables import PoolCandidate as PC
from staffing.tables import PoolPlacement as PPl

PLACEMENT_REASON = "储备库安置"  # staff_assignment.reason of a placement


async def _copy_certificates(who: Principal, staff_id: int, certs: list[dict[str, Any]]) -> None:
    """The candidate's certificates onto the staff record (a certificate already on it is kept)."""
    new: list[NewCertificate] = []
    for c in certs:
        holder = await C.select(C.staff).where(C.type == c["type"], C.number == c["number"]).first()
        if holder is not None:
            if holder["staff"] != staff_id:
                raise Conflict(
                    _(
                        "the candidate's {type} {number} is recorded for another staff member",
                        type=rules.in_words(CertificateType, c["type"]),
                        number=c["number"],
                    ),
                    [FieldError(F_("certificates"), _("held by another staff member"))],
                    code="certificate-held",
                )
            continue
        new.append(
            NewCertificate(
                staff_id=staff_id,
                type=c["type"],
                number=c["number"],
                issuer=c["issuer"],
                issued_on=as_date(c["issued_on"]),
                expires_on=as_date(c["expires_on"]),
            )
        )
    await add_certificates(who, new, audit_note={"from": "reserve pool"})


async def _staff_record(
    who: Principal, cand: dict[str, Any], data: PlacementIn, starts: date, employment: str, policy: Policy
) -> tuple[int, bool]:
    """Create the staff record, or reactivate the person's earlier one (someone who left); the person
    waits as pending_induction until the certificates are on the record. Returns (staff id, reactivated)."""

    birth = as_date(cand["birth_date"])
    problem = hire_date_problem(birth, starts, policy.employment.min_working_age)
    if problem:
        raise Invalid.field(F_("starts_on"), problem)
    existing = await S.select(S.id).where(S.id_number == cand["id_number"]).first()
    if existing is not None:
        await lock_person(existing["id"])
        await rehire(
            who,
            existing["id"],
            kindergarten_id=data.kindergarten_id,
            post=data.post.value,
            employment=employment,
            starts=starts,
            reason=PLACEMENT_REASON,
        )
        return existing["id"], True
    person = NewStaff(
        id_number=cand["id_number"],
        name=cand["name"],
        sex=cand["sex"],
        birth_date=birth,
        kindergarten_id=data.kindergarten_id,
        post=data.post.value,
        employment=employment,
        education=cand["education"],
        hired_on=starts,
        status=StaffStatus.pending_induction.value,
    )
    (staff_id,) = await add_staff(
        who, [person], day=starts, reason=PLACEMENT_REASON, audit_note={"reason": PLACEMENT_REASON}
    )
    return staff_id, False


async def place(who: Principal, candidate_id: int, data: PlacementIn) -> PlacementOut:
    """Place a candidate: create (or reactivate) the staff record, copy the candidate's certificates,
    put the person on post if they hold the post's certificates (else pending_induction), record the
    placement and mark the candidate placed, in one transaction. A placement without a gap is allowed
    and flagged; a placed candidate is never placed again (409)."""

    day = today()
    starts = data.starts_on or day
    if starts > day:
        raise Invalid.field(F_("starts_on"), _("a placement is recorded on or after its first day, not before"))
    policy = policy_for(day)
    counted = rules.staffing_post(data.post.value, policy.staffing)
    if counted is None:
        raise Invalid.field(
            F_("post"), _("the staffing standard counts no {post} post", post=rules.in_words(Post, data.post.value))
        )
    async with write_transaction():
        cand = await candidate_row(candidate_id, lock=True)
        if cand["status"] == CandidateStatus.placed:
            raise Conflict(
                _(
                    "candidate {candidate_id} is placed already (staff {staff_id})",
                    candidate_id=candidate_id,
                    staff_id=cand["staff"],
                ),
                [FieldError(F_("candidate"), _("placed"))],
                code="placed",
            )
        if cand["status"] == CandidateStatus.withdrawn:
            raise Conflict(
                _("candidate {candidate_id} has withdrawn from the pool", candidate_id=candidate_id),
                [FieldError(F_("candidate"), _("withdrawn"))],
                code="withdrawn",
            )
        kg = (
            await K.select(K.id, K.name, K.children, K.places, K.closed_on, K.opened_on)
            .where(K.id == data.kindergarten_id)
            .first()
        )
        if kg is None:
            raise Invalid.field(
                F_("kindergarten_id"), _("no kindergarten {kindergarten_id}", kindergarten_id=data.kindergarten_id)
            )
        if kg["closed_on"] is not None and as_date(kg["closed_on"]) <= starts:
            raise Conflict(
                _(
                    "kindergarten {kindergarten_id} closed on {closed_on}",
                    kindergarten_id=data.kindergarten_id,
                    closed_on=as_date(kg["closed_on"]).isoformat(),
                ),
                code="kindergarten-closed",
            )
        gap_before = (await gap_of(day, policy, data.kindergarten_id, counted)).gap
        employment = (data.employment.value if data.employment else None) or rules.EMPLOYMENT_FOR_SOURCE[cand["source"]]
        staff_id, reactivated = await _staff_record(who, cand, data, starts, str(employment), policy)
        certs = (await certificates_of([candidate_id]))[candidate_id]
        await _copy_certificates(who, staff_id, certs)
        verdict = await verdict_for(staff_id, data.post.value, day)
        status = StaffStatus.on_post if verdict.compliant else StaffStatus.pending_induction
        if status == StaffStatus.on_post:
            await S.update({S.status: status.value, S.updated_at: utcnow()}).where(S.id == staff_id)
        flags = rules.placement_flags(
            gap_before=gap_before,
            post=data.post.value,
            posts_wanted=json_list(cand["posts"]),
            starts_on=starts,
            available_from=as_date(cand["available_from"]),
            available_to=as_date(cand["available_to"]),
            over_capacity=int(kg["children"]) > int(kg["places"]),
        )
        now = utcnow()
        rows = await PPl.insert(
            PPl(
                candidate=candidate_id,
                staff=staff_id,
                kindergarten=data.kindergarten_id,
                post=data.post.value,
                starts_on=starts,
                status=status.value,
                reactivated=reactivated,
                gap_before=gap_before,
                flags=json_text(flags),
                placed_by=who.username,
                created_at=now,
            )
        ).returning(PPl.id)
        await PC.update({PC.status: CandidateStatus.placed.value, PC.staff: staff_id, PC.updated_at: now}).where(
            PC.id == candidate_id
        )
        out = PlacementOut(
            id=rows[0]["id"],
            candidate_id=candidate_id,
            staff_id=staff_id,
            kindergarten_id=data.kindergarten_id,
            post=data.post,
            starts_on=starts,
            status=status,
            reactivated=reactivated,
            missing=verdict.missing,
            gap_before=gap_before,
            flags=flags,
            counts_towards_plan=rules.in_plan_period(starts, policy.staffing)
            and counted in policy.staffing.plan_targets,
            placed_by=who.username,
            created_at=now,
        )
        await record(
            who,
            "place",
            "pool_candidate",
            candidate_id,
            {"status": cand["status"]},
            out.model_dump(mode="json", exclude={"created_at"}),
        )
        await _tell_placed(out, cand["name"], kg["name"])
    return out


PLACED_HERE = N_("{name} from the reserve pool is placed in your kindergarten as {post} from {starts_on}")
PLACED_YOU = N_("you are placed in {kindergarten} as {post} from {starts_on}")


async def _tell_placed(out: PlacementOut, name: str, kindergarten: str) -> None:
    """The placement told to the kindergarten's admins, and to the person if they have an account (a
    former member of staff placed again), in the placement's transaction."""
    what = {"post@Post": out.post.value, "starts_on": out.starts_on.isoformat()}
    occasion = f"placement:{out.id}"
    await notify_many(
        [
            (
                Notice(NoticeKind.placement, occasion, PLACED_HERE, {"name": name, **what}, f"/staff/{out.staff_id}"),
                Recipients(kindergarten_admins=[out.kindergarten_id]),
            ),
            (
                Notice(NoticeKind.placement, occasion, PLACED_YOU, {"kindergarten": kindergarten, **what}, "/me"),
                Recipients(staff=[out.staff_id]),
            ),
        ]
    )
