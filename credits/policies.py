"""The dated recognition policies (hours -> credits, caps, minimums) that district HR keeps:
seeded from the policy file on first use, one row per version; adding a version is audited."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from credits import rules
from credits.rules import PolicyVersion
from credits.schemas import (
    PolicyCreate,
    PolicyOut,
)
from credits.tables import CreditPolicy as CP
from kernel.auth import Principal
from kernel.common.text import translate_stored
from kernel.common.time import utcnow
from kernel.db import write_transaction
from kernel.errors import Conflict, FieldError
from kernel.i18n import N_, _
from kernel.policy import policy_on
from kernel.policy import versions as default_versions
from kernel.rows import as_date, is_unique_violation, json_value
from registry.audit.services import record

_VERSIONS: dict[tuple[Any, ...], PolicyVersion] = {}

# the description of a version seeded from the policy file (stored in English, shown translated)
SEEDED = N_("seeded from registry/policy/defaults.toml version {version}")


def _version(row: dict[str, Any]) -> PolicyVersion:
    """The row as a PolicyVersion, built once per distinct row content (rows change only by a new
    version closing the current one, which changes ``effective_to`` and so the key): the same
    object comes back for the same row, so per-version figures (``rules.numbers``) are cached."""
    key = tuple(str(row[k]) for k in ("id", "effective_from", "effective_to", "policy_values", "citations"))
    cached = _VERSIONS.get(key)
    if cached is None:
        cached = _build_version(row)
        if len(_VERSIONS) > 256:
            _VERSIONS.clear()
        _VERSIONS[key] = cached
    return cached


def _build_version(row: dict[str, Any]) -> PolicyVersion:
    values, citations = json_value(row["policy_values"]), json_value(row["citations"])
    effective_from = as_date(row["effective_from"])
    if "hours_per_credit_by_mode" not in values:
        # a version stored before course rates joined the recognition policy: it was seeded from
        # (or written beside) the defaults file, whose course rates were in force then

        seeded = policy_on(max(effective_from, default_versions()[0].effective_from)).recognition
        values = {**values, "hours_per_credit_by_mode": seeded.hours_per_credit_by_mode}
        citations = {**citations, "hours_per_credit_by_mode": citations.get("hours_per_credit", "")}
    return PolicyVersion(
        id=row["id"],
        effective_from=effective_from,
        effective_to=as_date(row["effective_to"]),
        recognition=rules.recognition_from(values, citations),
    )


def _policy_out(row: dict[str, Any]) -> PolicyOut:
    return PolicyOut(
        id=row["id"],
        effective_from=row["effective_from"],
        effective_to=row["effective_to"],
        description=translate_stored(row["description"], (SEEDED,)),
        values=json_value(row["policy_values"]),
        citations=json_value(row["citations"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


async def _seed() -> None:
    """First use: copy the recognition sections of kernel/policy/defaults.toml, one row per version."""
    async with write_transaction():
        if await CP.exists():
            return
        built = list(default_versions())
        for i, p in enumerate(built):
            nxt = built[i + 1].effective_from - timedelta(days=1) if i + 1 < len(built) else None
            await CP.insert(
                CP(
                    effective_from=p.effective_from,
                    effective_to=nxt,
                    policy_values=json.dumps(rules.recognition_values(p.recognition)),
                    citations=json.dumps(rules.citations_of(p.recognition), ensure_ascii=False),
                    # the file's path when the registry first shipped: kept, so that the seeded rows
                    # read the same in every database, old or new (it is now kernel/policy/)
                    description=SEEDED.format(version=p.id),
                    created_by="system",
                    created_at=utcnow(),
                )
            )


async def _policy_rows() -> list[dict[str, Any]]:
    rows = await CP.select().order_by(CP.effective_from)
    if not rows:
        # a concurrent first read may seed it first (unique effective_from): then read theirs;
        # anything else is a real failure and propagates
        try:
            await _seed()
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
        rows = await CP.select().order_by(CP.effective_from)
    return list(rows)


async def policy_versions() -> list[PolicyVersion]:
    return [_version(r) for r in await _policy_rows()]


async def list_policies(who: Principal) -> list[PolicyOut]:
    return [_policy_out(r) for r in await _policy_rows()]


async def create_policy(who: Principal, data: PolicyCreate) -> PolicyOut:
    await _policy_rows()  # seeded before the first change
    values = data.values.model_dump(mode="json")
    async with write_transaction():
        existing = [_version(r) for r in await CP.select().order_by(CP.effective_from)]
        problem, to_close = rules.policy_conflict(data.effective_from, data.effective_to, existing)
        if problem:
            raise Conflict(
                _("two policies would cover the same dates: {problem}", problem=problem),
                [FieldError("effective_from", problem)],
                code="policy-overlap",
            )
        if to_close is not None:
            closed_on = data.effective_from - timedelta(days=1)
            await CP.update({CP.effective_to: closed_on}).where(CP.id == to_close.id)
            await record(
                who,
                "close",
                "credit_policy",
                to_close.id,
                {"effective_to": None},
                {"effective_to": closed_on.isoformat()},
            )
        rows = await CP.insert(
            CP(
                effective_from=data.effective_from,
                effective_to=data.effective_to,
                policy_values=json.dumps(values),
                citations=json.dumps(data.citations, ensure_ascii=False),
                description=data.description,
                created_by=who.username,
                created_at=utcnow(),
            )
        ).returning(CP.id)
        row = await CP.select().where(CP.id == rows[0]["id"]).first()
        assert row is not None
        out = _policy_out(row)
        await record(who, "create", "credit_policy", out.id, None, out.model_dump(mode="json", exclude={"created_at"}))
    return out
