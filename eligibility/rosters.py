"""A round's roster: the people on post on the round's day (their assignment that day, not today's), in
the posts the purpose applies to (the policy's ``eligibility.posts``); for registration, holders of a
teacher qualification. ``roster_of`` is the batch's condition in SQL; ``off_roster`` says why one person
is not on it (the same rule, for the single answer)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eligibility.codes import Purpose
from eligibility.rules import Reason
from kernel.codes import CertificateType, label
from kernel.db import fetch_all
from kernel.policy import policy_on
from kernel.rows import as_date
from registry.staff.codes import Post, StaffStatus

ROSTER_STATUS = "(s.status = 'on_post' OR (s.status = 'left' AND s.left_on >= {}))"
ASSIGNMENT_ON = "a.starts_on <= {} AND (a.ends_on IS NULL OR a.ends_on >= {})"


def roster_of(day: date, purpose: Purpose, kindergarten_id: int | None) -> tuple[str, list[Any]]:
    """A round's roster on ``day`` as a condition on ``s`` (the staff table) and its arguments: the people
    on post that day — on post today or left since, with an assignment covering the day (the post and
    kindergarten of that assignment, not today's) — in the posts the purpose's round lists (the policy's
    ``eligibility.posts``), in the kindergarten if one is given; for registration, holders of a teacher
    qualification issued by then. People on leave or waiting for induction today are left out (their
    status on ``day`` is not on record)."""
    posts = policy_on(day).eligibility.posts[purpose.value]
    sql = (
        ROSTER_STATUS + " AND s.id IN (SELECT a.staff FROM staff_assignment a WHERE " + ASSIGNMENT_ON
        + f" AND a.post IN ({', '.join('{}' for _ in posts)})"
    )  # fmt: skip
    args: list[Any] = [day, day, day, *posts]
    if kindergarten_id is not None:
        sql += " AND a.kindergarten = {}"
        args.append(kindergarten_id)
    sql += ")"
    if purpose == Purpose.registration:
        sql += (
            " AND EXISTS (SELECT 1 FROM certificate q WHERE q.staff = s.id "
            f"AND q.type = '{CertificateType.teacher_qualification.value}' AND q.issued_on <= {{}})"
        )
        args.append(day)
    return sql, args


async def assignment_on(staff_id: int, day: date) -> dict[str, Any] | None:
    rows = await fetch_all(
        "SELECT a.post, a.kindergarten FROM staff_assignment a WHERE a.staff = {} AND " + ASSIGNMENT_ON
        + " ORDER BY a.starts_on DESC, a.id DESC",
        staff_id, day, day,
    )  # fmt: skip
    return rows[0] if rows else None


async def holds_teacher_qualification(staff_id: int, day: date) -> bool:
    rows = await fetch_all(
        "SELECT 1 AS x FROM certificate q WHERE q.staff = {} AND q.type = {} AND q.issued_on <= {}",
        staff_id, CertificateType.teacher_qualification.value, day,
    )  # fmt: skip
    return bool(rows)


def off_roster(
    purpose: Purpose, day: date, person: dict[str, Any], assigned: bool, holds_qualification: bool
) -> Reason | None:
    """Why a person is not on the purpose's round on ``day`` (the batch's ``roster_of``, for one
    person), or None when they are."""
    left_on = person["left_on"]
    on_post = assigned and (
        person["status"] == StaffStatus.on_post
        or (person["status"] == StaffStatus.left and left_on is not None and as_date(left_on) >= day)
    )
    posts = policy_on(day).eligibility.posts[purpose.value]
    if not on_post:
        return Reason(
            "roster", False, f"not on post on {day.isoformat()}", f"{day.isoformat()} 不在岗，不列入该轮评审名单"
        )
    if person["post"] not in posts:
        post = label(Post, person["post"])
        return Reason(
            "roster",
            False,
            f"the {purpose.value} round lists {', '.join(posts)}, not {person['post']}",
            f"{post}岗位不在该类评审范围内",
        )
    if purpose == Purpose.registration and not holds_qualification:
        return Reason("roster", False, "holds no teacher qualification to register", "未持有教师资格证，无需定期注册")
    return None
