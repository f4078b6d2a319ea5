"""Pure rules of the audit trail: what a change looks like, and what a reader may see of it."""

from __future__ import annotations

from typing import Any

from kernel.common.privacy import mask_id_number


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields whose value changed, so the trail shows the change, not the whole row."""
    return {k: v for k, v in after.items() if before.get(k) != v}


def redact(snapshot: dict[str, Any] | None, full_ids: bool) -> dict[str, Any] | None:
    if snapshot is None or full_ids:
        return snapshot
    out = dict(snapshot)
    if isinstance(out.get("id_number"), str):
        out["id_number"] = mask_id_number(out["id_number"])
    if out.get("birth_date") is not None:
        out["birth_date"] = None  # the masked part of the ID number
    return out
