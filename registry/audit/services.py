"""The audit trail: every write records who, when, what, and the before and after.

``record`` is called inside the caller's write transaction, so the change and its trail
commit or roll back together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from kernel.codes import Role
from kernel.common.schemas import Page
from kernel.common.time import utcnow
from kernel.db import RowTable, insert_rows
from registry.audit.rules import redact
from registry.audit.schemas import AuditEventOut
from registry.audit.tables import AuditEvent

if TYPE_CHECKING:
    from kernel.auth import Principal


class AuditRow(NamedTuple):
    """An audit event as written in bulk (``record`` writes the same values one at a time)."""

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: str | None
    after: str | None


AUDIT_EVENTS = RowTable("audit_event", AuditRow)


def _dump(value: dict[str, Any] | None) -> str | None:
    return json.dumps(value, ensure_ascii=False, default=str) if value is not None else None


def event(
    actor: Principal | str,
    at: datetime,
    action: str,
    entity: str,
    entity_id: int | str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditRow:
    """One audit event as a row for ``record_many`` (the actor: a caller or a username)."""
    username = actor if isinstance(actor, str) else actor.username
    return AuditRow(at, username, action, entity, str(entity_id), _dump(before), _dump(after))


async def record_many(events: Iterable[AuditRow], on_batch: Callable[[int], None] | None = None) -> int:
    """Many audit events at once, inside the caller's write transaction (imports, the demo)."""
    return await insert_rows(AUDIT_EVENTS, events, on_batch)


async def record(
    actor: Principal,
    action: str,
    entity: str,
    entity_id: int | str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    await AuditEvent.insert(
        AuditEvent(
            at=utcnow(),
            actor=actor.username,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=_dump(before),
            after=_dump(after),
        )
    )


def _load(value: Any) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    loaded = json.loads(value)
    return loaded if isinstance(loaded, dict) else {"value": loaded}


async def list_events(
    viewer: Principal,
    *,
    entity: str | None,
    entity_id: str | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> Page[AuditEventOut]:
    where = []
    if entity:
        where.append(AuditEvent.entity == entity)
    if entity_id:
        where.append(AuditEvent.entity_id == entity_id)
    if actor:
        where.append(AuditEvent.actor == actor)
    if since:
        where.append(AuditEvent.at >= since)
    if until:
        where.append(AuditEvent.at < until)
    query = AuditEvent.select().order_by(AuditEvent.id, ascending=False).limit(limit).offset(offset)
    count = AuditEvent.count()
    if where:
        query = query.where(*where)
        count = count.where(*where)
    rows = await query
    total = await count
    full_ids = viewer.role == Role.district_hr
    items = [
        AuditEventOut(
            id=r["id"],
            actor=r["actor"],
            at=r["at"],
            action=r["action"],
            entity=r["entity"],
            entity_id=r["entity_id"],
            before=redact(_load(r["before"]), full_ids),
            after=redact(_load(r["after"]), full_ids),
        )
        for r in rows
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def since_latest(entity: str, entity_id: int | str, action: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The latest event of ``action`` about one record (``before`` and ``after`` loaded; None when
    there is none), and the actions of the events about that record after it, oldest first."""
    key = str(entity_id)
    latest = (
        await AuditEvent.select()
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == key, AuditEvent.action == action)
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    if latest is None:
        return None, []
    later = (
        await AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == key, AuditEvent.id > latest["id"])
        .order_by(AuditEvent.id)
    )
    return {**latest, "before": _load(latest["before"]), "after": _load(latest["after"])}, [r["action"] for r in later]
