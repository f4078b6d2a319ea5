"""Load the synthetic demo district into the database (``registry.demo.generator`` makes the rows).

One write transaction for the whole load. Rows go in with ``registry.db.bulk_insert`` (COPY on
PostgreSQL, executemany on SQLite) in batches, with ids assigned here because bulk inserts
return none; PostgreSQL's serial sequences are moved past them afterwards. The load leaves one
audit event (actor ``demo``, action ``demo.load``) and writes the demo credentials to
``<var_dir>/demo-credentials.txt`` (mode 0600).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from registry.accounts.rules import hash_password
from registry.db import bulk_insert, fetch_all, get_engine, is_sqlite, write_transaction
from registry.demo.generator import (
    DEMO_USERNAMES,
    SCALES,
    AssignmentRow,
    DemoData,
    KindergartenRow,
    StaffRow,
    Tally,
    generate,
)
from registry.errors import Conflict, Invalid
from registry.settings import get_settings

Progress = Callable[[str, int, int], None]
T = TypeVar("T")

BATCH_ROWS = 5_000
CREDENTIALS_FILE = "demo-credentials.txt"

# Deleted on reset, children first. audit_event stays: it is append-only (database triggers).
RESET_TABLES = ("staff_assignment", "account", "staff", "kindergarten")
ID_TABLES = ("kindergarten", "staff", "staff_assignment", "account")

KINDERGARTEN_COLUMNS = (
    "id", "code", "name", "street", "collab_group", "ownership", "grade", "demonstration",
    "service_type", "teacher_model", "classes_small", "classes_middle", "classes_large",
    "classes_mixed", "classes_nursery", "children", "places", "opened_on", "closed_on",
    "created_at", "updated_at",
)  # fmt: skip
STAFF_COLUMNS = (
    "id", "id_number", "name", "sex", "birth_date", "kindergarten", "post", "employment", "title",
    "honours", "education", "hired_on", "status", "left_on", "created_at", "updated_at",
)  # fmt: skip
ASSIGNMENT_COLUMNS = ("id", "staff", "kindergarten", "post", "starts_on", "ends_on", "reason")
ACCOUNT_COLUMNS = (
    "id", "username", "password_hash", "role", "kindergarten", "staff", "active", "failed_logins",
    "locked_until", "last_login_at", "created_at",
)  # fmt: skip
AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after")


class DemoLogin(NamedTuple):
    """One demo account: (username, role, password, kindergarten_code, staff_name)."""

    username: str
    role: str
    password: str
    kindergarten_code: str | None
    staff_name: str | None

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        return (
            f"DemoLogin(username={self.username!r}, role={self.role!r}, password='***', "
            f"kindergarten_code={self.kindergarten_code!r}, staff_name={self.staff_name!r})"
        )

    def public(self) -> dict[str, str | None]:
        return {
            "username": self.username,
            "role": self.role,
            "kindergarten_code": self.kindergarten_code,
            "staff_name": self.staff_name,
        }


@dataclass
class DemoSummary:
    scale: str
    seed: int
    kindergartens: int
    streets: int
    collab_groups: int
    children: int
    places: int
    classes: int
    staff: int
    staff_by_post: dict[str, int]
    staff_by_status: dict[str, int]
    teachers: int  # post teacher, not left
    health_doctors_required: int  # sum of max(1, ceil(children / 150))
    health_doctors_present: int  # post health_doctor, not left
    teacher_titles: dict[str, int]
    honours: dict[str, int]
    backbone: int
    grades: dict[str, int]
    demonstration: dict[str, int]
    ownership: dict[str, int]
    assignments: int
    transfers: int
    elapsed_seconds: float
    accounts: list[DemoLogin]
    credentials_path: str

    def public(self) -> dict[str, Any]:
        """Everything but the passwords (for the audit trail and logs)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["accounts"] = [a.public() for a in self.accounts]
        return data


async def load_demo(
    scale: str = "district",
    seed: int = 2017,
    progress: Progress | None = None,
    reset: bool = False,
) -> DemoSummary:
    """Generate the demo data of ``scale`` and write it, in one transaction.

    Refuses (``Conflict``) when kindergartens exist already, unless ``reset``: then kindergartens,
    staff, assignments and accounts are deleted first (the audit trail is kept).
    """
    if scale not in SCALES:
        raise Invalid.field("scale", f"must be one of {', '.join(SCALES)}")
    started = time.perf_counter()
    report = progress or _quiet
    report("generate", 0, 1)
    data = generate(scale, seed)
    report("generate", 1, 1)
    hashes = [hash_password(a.password) for a in data.accounts]
    now = datetime.now(UTC)
    tally = Tally()
    tally.add_kindergartens(data.kindergartens)

    async with write_transaction():
        existing = await _count("kindergarten")
        if existing and not reset:
            raise Conflict(
                f"the database already holds {existing} kindergartens; load the demo into an empty "
                "database, or reset it",
                existing=existing,
            )
        if reset:
            for i, table in enumerate(RESET_TABLES):
                report("reset", i, len(RESET_TABLES))
                await get_engine().run_ddl(f'DELETE FROM "{table}"')
            report("reset", len(RESET_TABLES), len(RESET_TABLES))
        else:
            taken = await fetch_all("SELECT username FROM account WHERE username IN ({}, {}, {}, {})", *DEMO_USERNAMES)
            if taken:
                names = ", ".join(sorted(r["username"] for r in taken))
                raise Conflict(f"demo account names already taken: {names}")
        kg_base = await _max_id("kindergarten")
        staff_base = await _max_id("staff")
        assignment_base = await _max_id("staff_assignment")
        account_base = await _max_id("account")

        await _insert(
            "kindergartens",
            "kindergarten",
            KINDERGARTEN_COLUMNS,
            (_kindergarten_row(k, kg_base, now) for k in data.kindergartens),
            len(data.kindergartens),
            report,
        )
        staff_done = 0
        assignments_done = 0
        next_assignment = assignment_base
        for chunk in data.iter_chunks():
            tally.add_chunk(chunk)
            for batch in _batches(chunk.staff, BATCH_ROWS):
                await bulk_insert("staff", STAFF_COLUMNS, [_staff_row(s, staff_base, kg_base, now) for s in batch])
                staff_done += len(batch)
                report("staff", staff_done, data.staff_total)
            for moves in _batches(chunk.assignments, BATCH_ROWS):
                rows = []
                for a in moves:
                    next_assignment += 1
                    rows.append(_assignment_row(a, next_assignment, staff_base, kg_base))
                await bulk_insert("staff_assignment", ASSIGNMENT_COLUMNS, rows)
                assignments_done += len(moves)
                report("assignments", assignments_done, data.assignment_total)

        account_rows = []
        for i, (account, hashed) in enumerate(zip(data.accounts, hashes, strict=True), start=1):
            account_rows.append(
                (
                    account_base + i,
                    account.username,
                    hashed,
                    account.role,
                    None if account.kindergarten is None else kg_base + account.kindergarten + 1,
                    None if account.staff is None else staff_base + account.staff + 1,
                    True,
                    0,
                    None,
                    None,
                    now,
                )
            )
        await bulk_insert("account", ACCOUNT_COLUMNS, account_rows)
        report("accounts", len(account_rows), len(account_rows))

        summary = _summary(data, tally, started)
        await bulk_insert(
            "audit_event",
            AUDIT_COLUMNS,
            [
                (
                    now,
                    "demo",
                    "demo.load",
                    "district",
                    scale,
                    None,
                    json.dumps(summary.public(), ensure_ascii=False),
                )
            ],
        )

    await _reset_sequences()
    _write_credentials(Path(summary.credentials_path), summary.accounts)
    summary.elapsed_seconds = round(time.perf_counter() - started, 3)
    report("done", 1, 1)
    return summary


def _quiet(stage: str, done: int, total: int) -> None:
    return None


async def _count(table: str) -> int:
    rows = await fetch_all(f'SELECT COUNT(*) AS n FROM "{table}"')
    return int(rows[0]["n"])


async def _max_id(table: str) -> int:
    rows = await fetch_all(f'SELECT MAX(id) AS n FROM "{table}"')
    value = rows[0]["n"]
    return int(value) if value is not None else 0


async def _reset_sequences() -> None:
    """Move PostgreSQL's serial sequences past the ids written here (SQLite needs nothing)."""
    if is_sqlite():
        return
    engine = get_engine()
    for table in ID_TABLES:
        await engine.run_ddl(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
        )


async def _insert(
    stage: str,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    total: int,
    report: Progress,
) -> None:
    done = 0
    for batch in _batches(rows, BATCH_ROWS):
        await bulk_insert(table, columns, batch)
        done += len(batch)
        report(stage, done, total)


def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _kindergarten_row(k: KindergartenRow, kg_base: int, now: datetime) -> tuple[Any, ...]:
    return (
        kg_base + k.index + 1,
        k.code,
        k.name,
        k.street,
        k.collab_group,
        k.ownership,
        k.grade,
        k.demonstration,
        k.service_type,
        k.teacher_model,
        k.classes_small,
        k.classes_middle,
        k.classes_large,
        k.classes_mixed,
        k.classes_nursery,
        k.children,
        k.places,
        k.opened_on,
        k.closed_on,
        now,
        now,
    )


def _staff_row(s: StaffRow, staff_base: int, kg_base: int, now: datetime) -> tuple[Any, ...]:
    return (
        staff_base + s.index + 1,
        s.id_number,
        s.name,
        s.sex,
        s.birth_date,
        kg_base + s.kindergarten + 1,
        s.post,
        s.employment,
        s.title,
        json.dumps(s.honours, ensure_ascii=False),
        s.education,
        s.hired_on,
        s.status,
        s.left_on,
        now,
        now,
    )


def _assignment_row(a: AssignmentRow, row_id: int, staff_base: int, kg_base: int) -> tuple[Any, ...]:
    return (
        row_id,
        staff_base + a.staff + 1,
        kg_base + a.kindergarten + 1,
        a.post,
        a.starts_on,
        a.ends_on,
        a.reason,
    )


def _summary(data: DemoData, tally: Tally, started: float) -> DemoSummary:
    f = tally.figures()
    logins = [DemoLogin(a.username, a.role, a.password, a.kindergarten_code, a.staff_name) for a in data.accounts]
    return DemoSummary(
        scale=data.scale,
        seed=data.seed,
        kindergartens=f["kindergartens"],
        streets=f["streets"],
        collab_groups=f["collab_groups"],
        children=f["children"],
        places=f["places"],
        classes=f["classes"],
        staff=f["staff"],
        staff_by_post=f["staff_by_post"],
        staff_by_status=f["staff_by_status"],
        teachers=f["teachers"],
        health_doctors_required=f["health_doctors_required"],
        health_doctors_present=f["health_doctors_present"],
        teacher_titles=f["teacher_titles"],
        honours=f["honours"],
        backbone=f["backbone"],
        grades=f["grades"],
        demonstration=f["demonstration"],
        ownership=f["ownership"],
        assignments=f["assignments"],
        transfers=f["transfers"],
        elapsed_seconds=round(time.perf_counter() - started, 3),
        accounts=logins,
        credentials_path=str(get_settings().var_dir / CREDENTIALS_FILE),
    )


def _write_credentials(path: Path, logins: Sequence[DemoLogin]) -> None:
    """username, role and password of each demo account, tab-separated; readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# demo accounts: username\trole\tpassword"]
    lines += [f"{a.username}\t{a.role}\t{a.password}" for a in logins]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write("\n".join(lines) + "\n")


__all__ = ["CREDENTIALS_FILE", "DemoLogin", "DemoSummary", "load_demo"]
