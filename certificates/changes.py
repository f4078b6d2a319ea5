"""How certificates' writes are reviewed (issue 15), and a new person's onboarding with them."""

from __future__ import annotations

from typing import Any

from certificates import services
from certificates.onboarding import OnboardingCreate, onboard
from certificates.schemas import CertificateCreate, CertificateUpdate, RegistrationIn
from certificates.tables import Certificate as C
from kernel.auth import Principal
from kernel.codes import CertificateStatus, CertificateType, label
from kernel.i18n import _
from registry.changes.codes import ChangeKind
from registry.changes.services import Handler, Snapshot
from registry.staff.changes import kindergarten_of_staff
from registry.staff.codes import Post

UNCOMPARED = ("created_at", "updated_at")


async def certificate_snapshot(certificate_id: int) -> Snapshot | None:
    row = await C.select().where(C.id == certificate_id).first()
    if row is None:
        return None
    return {k: v for k, v in row.items() if k not in UNCOMPARED}


async def certificate_kindergarten(certificate_id: int | None, _data: Any = None) -> int | None:
    if certificate_id is None:
        return None
    row = await C.select(C.staff.kindergarten.as_alias("kindergarten")).where(C.id == certificate_id).first()
    return None if row is None else int(row["kindergarten"])


def handlers() -> list[Handler]:
    async def create(who: Principal, target: int | None, data: CertificateCreate) -> Any:
        assert target is not None
        return await services.add_certificate(who, target, data)

    async def update(who: Principal, target: int | None, data: CertificateUpdate) -> Any:
        assert target is not None
        return await services.update_certificate(who, target, data)

    async def register(who: Principal, target: int | None, data: RegistrationIn) -> Any:
        assert target is not None
        return await services.add_registration(who, target, data)

    async def new_person(who: Principal, _target: int | None, data: OnboardingCreate) -> Any:
        return await onboard(who, data)

    async def new_person_kindergarten(_target: int | None, data: OnboardingCreate) -> int | None:
        return data.staff.kindergarten_id

    def created(data: CertificateCreate, _before: Snapshot | None) -> str:
        return _("{type} {number}", type=label(CertificateType, data.type), number=data.number)

    def updated(data: CertificateUpdate, before: Snapshot | None) -> str:
        number = (before or {}).get("number", "")
        if data.status is not None:
            return _(
                "{number}: {status}, because {reason}",
                number=number,
                status=label(CertificateStatus, data.status),
                reason=data.reason or "",
            )
        return _("{number}: {fields} changed", number=number, fields=", ".join(sorted(data.model_fields_set)))

    def registered(data: RegistrationIn, before: Snapshot | None) -> str:
        return _(
            "{number}: registration of {day}",
            number=(before or {}).get("number", ""),
            day=data.registered_on.isoformat(),
        )

    def onboarded(data: OnboardingCreate, _before: Snapshot | None) -> str:
        return _(
            "{name} ({post}), new, with {certificates} certificates and {results} training results",
            name=data.staff.name,
            post=label(Post, data.staff.post),
            certificates=len(data.certificates),
            results=len(data.training),
        )

    return [
        Handler(ChangeKind.certificate_create, CertificateCreate, create, kindergarten_of_staff, created),
        Handler(
            ChangeKind.certificate_update,
            CertificateUpdate,
            update,
            certificate_kindergarten,
            updated,
            certificate_snapshot,
        ),
        Handler(
            ChangeKind.certificate_register,
            RegistrationIn,
            register,
            certificate_kindergarten,
            registered,
            certificate_snapshot,
        ),
        Handler(ChangeKind.staff_onboard, OnboardingCreate, new_person, new_person_kindergarten, onboarded),
    ]
