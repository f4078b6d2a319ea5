"""How the staff register's writes are reviewed (issue 15): the handlers of its change kinds."""

from __future__ import annotations

from typing import Any

from kernel.auth import Principal
from kernel.codes import Role, label
from kernel.i18n import F_, _, field_label
from registry.changes.codes import ChangeKind
from registry.changes.services import Handler, Snapshot
from registry.staff import services, transfers
from registry.staff.codes import Post, StaffStatus
from registry.staff.schemas import StaffCreate, StaffUpdate, TransferIn
from registry.staff.services import OnPostGate

# reads a target's snapshot whatever the submitter's scope (compared, never shown beyond it)
READER = Principal(account_id=0, username="review", role=Role.district_hr)
UNCOMPARED = ("created_at", "updated_at", "id_number", "birth_date")
# the record's fields as a change's summary (and an error's message) names them (``field_label``)
FIELD_NAMES = (
    F_("name"),
    F_("id_number"),
    F_("kindergarten_id"),
    F_("post"),
    F_("employment"),
    F_("title"),
    F_("honours"),
    F_("education"),
    F_("hired_on"),
    F_("left_on"),
)


def update_kind(data: StaffUpdate) -> ChangeKind:
    """A PATCH's kind: a status change, a name's correction alone, or another edit."""
    fields = data.model_fields_set
    if "status" in fields or "left_on" in fields:
        return ChangeKind.staff_status
    if fields == {"name"}:
        return ChangeKind.staff_name
    return ChangeKind.staff_update


async def staff_snapshot(staff_id: int) -> Snapshot:
    """The person as the review compares them (no ID number or birth date: a submitter may not see them)."""
    detail = await services.get_staff(READER, staff_id)
    return detail.model_dump(mode="json", exclude=set(UNCOMPARED))


async def kindergarten_of_staff(staff_id: int | None, _data: Any = None) -> int | None:
    if staff_id is None:
        return None
    detail = await services.get_staff(READER, staff_id)
    return detail.kindergarten_id


def _name_of(before: Snapshot | None) -> str:
    return str(before.get("name", "")) if before else ""


def handlers(gate: OnPostGate) -> list[Handler]:
    async def create(who: Principal, _target: int | None, data: StaffCreate) -> Any:
        return await services.create_staff(who, data, gate=gate)

    async def update(who: Principal, target: int | None, data: StaffUpdate) -> Any:
        assert target is not None
        return await services.update_staff(who, target, data, gate=gate)

    async def transfer(who: Principal, target: int | None, data: TransferIn) -> Any:
        assert target is not None
        return await transfers.transfer_staff(who, target, data, gate=gate)

    async def kindergarten_of_new(_target: int | None, data: StaffCreate) -> int | None:
        return data.kindergarten_id

    def created(data: StaffCreate, _before: Snapshot | None) -> str:
        return _("{name} ({post}), new", name=data.name, post=label(Post, data.post))

    def updated(data: StaffUpdate, before: Snapshot | None) -> str:
        changed = _(", ").join(field_label(name) for name in sorted(data.model_fields_set))
        if "status" in data.model_fields_set and data.status is not None:
            return _(
                "{name}: status {old} → {new}",
                name=_name_of(before),
                old=label(StaffStatus, str((before or {}).get("status", ""))),
                new=label(StaffStatus, data.status),
            )
        return _("{name}: {fields} changed", name=_name_of(before), fields=changed)

    def transferred(data: TransferIn, before: Snapshot | None) -> str:
        return _(
            "{name}: transfer to kindergarten {kindergarten_id}",
            name=_name_of(before),
            kindergarten_id=data.kindergarten_id,
        )

    def edit(kind: ChangeKind) -> Handler:
        return Handler(kind, StaffUpdate, update, kindergarten_of_staff, updated, staff_snapshot)

    return [
        Handler(ChangeKind.staff_create, StaffCreate, create, kindergarten_of_new, created),
        edit(ChangeKind.staff_update),
        edit(ChangeKind.staff_name),
        edit(ChangeKind.staff_status),
        Handler(ChangeKind.staff_transfer, TransferIn, transfer, kindergarten_of_staff, transferred, staff_snapshot),
    ]
