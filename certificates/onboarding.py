"""A new person with their certificates and training results, in one write (issue 15): what a
kindergarten registers for a new teacher (her qualification, her post certificate, her induction
result) and district HR approves as one change.

The person is added pending induction, enrolled in each training session given with its result,
their certificates recorded (a post certificate after the passed training it needs), and only then
put on the post asked for, through the dual-certificate gate: the same writes, rules and audit events
as one at a time, in one transaction. A field error names its place in the body, as a validation
error does (``staff.hired_on``, ``certificates.1.number``, ``training.0.hours``), so a form shows it
next to the right row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from certificates.schemas import CertificateCreate, CertificateOut
from certificates.services import add_certificate, assert_may_go_on_post
from kernel.auth import Principal
from kernel.common.schemas import Schema
from kernel.db import write_transaction
from kernel.errors import DomainError, FieldError
from registry.staff.codes import StaffStatus
from registry.staff.schemas import StaffCreate, StaffDetail, StaffUpdate
from registry.staff.services import create_staff, get_staff, update_staff
from training.changes import record_scoped_result
from training.enrolments import enrol
from training.schemas import EnrolmentCreate, ResultCreate, ResultOut


class TrainingDone(Schema):
    """A training session the person took, with its result (an induction course, typically)."""

    session_id: int
    hours: Decimal = Field(ge=0, le=9999, decimal_places=1, description="hours attended")
    passed: bool
    score: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    completed_on: date | None = None


class OnboardingCreate(Schema):
    staff: StaffCreate = Field(description="the person; status: where they end up (default on post)")
    certificates: list[CertificateCreate] = Field(default_factory=list, max_length=20)
    training: list[TrainingDone] = Field(default_factory=list, max_length=20)


class OnboardingOut(BaseModel):
    id: int = Field(description="the person's record id")
    staff: StaffDetail
    certificates: list[CertificateOut]
    results: list[ResultOut]


@contextmanager
def within(prefix: str) -> Iterator[None]:
    """A domain error's fields named by their place in the body (``prefix`` + the field)."""
    try:
        yield
    except DomainError as exc:
        exc.errors = [FieldError(prefix + e.field, e.message) for e in exc.errors]
        raise


async def onboard(who: Principal, data: OnboardingCreate) -> OnboardingOut:
    goal = data.staff.status
    async with write_transaction():
        first = data.staff.model_copy(
            update={"status": StaffStatus.pending_induction if goal == StaffStatus.on_post else goal}
        )
        with within("staff."):
            person = await create_staff(who, first, gate=assert_may_go_on_post)
        results = []
        for i, done in enumerate(data.training):
            with within(f"training.{i}."):
                enrolment = await enrol(who, done.session_id, EnrolmentCreate(staff_id=person.id))
                result = ResultCreate(
                    enrolment_id=enrolment.id,
                    hours=done.hours,
                    passed=done.passed,
                    score=done.score,
                    completed_on=done.completed_on,
                )
                results.append(await record_scoped_result(who, result))
        certificates = []
        for i, certificate in enumerate(data.certificates):
            with within(f"certificates.{i}."):
                certificates.append(await add_certificate(who, person.id, certificate))
        if goal == StaffStatus.on_post:
            with within("staff."):
                person = await update_staff(
                    who, person.id, StaffUpdate(status=StaffStatus.on_post), gate=assert_may_go_on_post
                )
        else:
            person = await get_staff(who, person.id)
    return OnboardingOut(id=person.id, staff=person, certificates=certificates, results=results)
