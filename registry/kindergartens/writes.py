"""How the kindergarten register writes its rows: the table's row type, the schema <-> row mapping, and
the one function that adds kindergartens (the row and its audit event), which the API and the import
call. The demo loader writes its kindergartens with the same row type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from kernel.auth import Principal
from kernel.common.time import utcnow
from kernel.db import RowTable, insert_rows, reserve_ids
from registry.audit.services import event, record_many
from registry.kindergartens.rules import AGE_BANDS, over_capacity, total_classes
from registry.kindergartens.schemas import Classes, KindergartenCreate, KindergartenOut


class KindergartenRecord(NamedTuple):
    id: int
    code: str
    name: str
    street: str
    collab_group: int
    ownership: str
    grade: str
    demonstration: str
    service_type: str
    teacher_model: str
    classes_small: int
    classes_middle: int
    classes_large: int
    classes_mixed: int
    classes_nursery: int
    children: int
    places: int
    opened_on: date | None
    closed_on: date | None
    created_at: datetime
    updated_at: datetime


KINDERGARTENS = RowTable("kindergarten", KindergartenRecord)


def to_out(row: dict[str, Any]) -> KindergartenOut:
    classes = {b: row[f"classes_{b}"] for b in AGE_BANDS}
    return KindergartenOut(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        street=row["street"],
        group=row["collab_group"],
        ownership=row["ownership"],
        grade=row["grade"],
        demonstration=row["demonstration"],
        service_type=row["service_type"],
        teacher_model=row["teacher_model"],
        classes=Classes(**classes),
        total_classes=total_classes(classes),
        children=row["children"],
        places=row["places"],
        over_capacity=over_capacity(row["children"], row["places"]),
        opened_on=row["opened_on"],
        closed_on=row["closed_on"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def to_columns(data: dict[str, Any]) -> dict[str, Any]:
    """API fields -> table columns (``group`` and ``classes`` are spelled differently)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "group":
            out["collab_group"] = value
        elif key == "classes":
            for band in AGE_BANDS:
                out[f"classes_{band}"] = value[band]
        elif hasattr(value, "value"):
            out[key] = value.value
        else:
            out[key] = value
    return out


def snapshot(out: KindergartenOut) -> dict[str, Any]:
    return out.model_dump(mode="json", exclude={"created_at", "updated_at", "total_classes", "over_capacity"})


async def add_kindergartens(
    who: Principal, kindergartens: Sequence[KindergartenCreate], *, on_batch: Callable[[int], None] | None = None
) -> list[int]:
    """Write new kindergartens and a ``create`` audit event each, inside the caller's write transaction
    (the caller has checked the codes are new). Returns the new ids, in order."""
    ids = await reserve_ids("kindergarten", len(kindergartens))
    now = utcnow()
    rows = [
        KindergartenRecord(id=kid, **to_columns(data.model_dump()), created_at=now, updated_at=now)
        for kid, data in zip(ids, kindergartens, strict=True)
    ]
    events = [event(who, now, "create", "kindergarten", r.id, None, snapshot(to_out(r._asdict()))) for r in rows]
    await insert_rows(KINDERGARTENS, rows, on_batch)
    await record_many(events, on_batch)
    return ids
