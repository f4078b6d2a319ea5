"""The demo load's summary: its figures (``DemoSummary``), the demo logins and the credentials file."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple

from demo.generator import DemoData, Tally
from demo.history_tally import HistoryTally
from demo.records import ChunkRecords
from ethics.codes import SanctionOutcome
from kernel.settings import get_settings

CREDENTIALS_FILE = "demo-credentials.txt"


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
    # training history and certificates (demo.history), as of ``today``
    today: str
    courses: int
    sessions: int
    enrolments: int
    results: int
    results_passed: int
    certificates: int
    certificates_by_type: dict[str, int]
    certificates_by_status: dict[str, int]  # as stored: valid, suspended, revoked
    certificate_events: int
    registrations: int
    # the dual-certificate rule on ``today`` over on-post people, by post:
    # {on_post, compliant, violations, rate, missing: {certificate type (or alternatives): people}}
    compliance_by_post: dict[str, dict[str, Any]]
    compliance_rate: float | None
    violations: int  # on-post people missing a required certificate
    kindergartens_without_family_instructor: int
    expiring_within_days: int  # the widest reminder window (policy)
    expiring: int  # valid certificates of people who have not left, expiring in that window
    certificates_with_expiry: int
    coverage_year: int
    coverage: dict[str, float | None]  # share of on-post staff with a passed course this year
    kindergartens_below_coverage_target: dict[str, int]
    # credits and ethics (demo.records)
    credit_entries: int
    credit_entries_by_source: dict[str, int]
    ethics_evaluations: int
    ethics_evaluations_by_grade: dict[str, int]
    ethics_sanctions: int  # rows, appeal outcomes included
    ethics_sanctions_lifted: int
    elapsed_seconds: float
    accounts: list[DemoLogin]
    credentials_path: str
    # the reserve talent pool and the plan's planned places (demo.pool)
    pool_candidates: int = 0
    pool_by_status: dict[str, int] = field(default_factory=dict)
    pool_certificates: int = 0
    pool_placements: int = 0
    planned_places: int = 0  # records
    planned_places_total: int = 0  # places

    def public(self) -> dict[str, Any]:
        """Everything but the passwords (for the audit trail and logs)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["accounts"] = [a.public() for a in self.accounts]
        return data


class RecordsTally:
    def __init__(self) -> None:
        self.credits: Counter[str] = Counter()
        self.grades: Counter[str] = Counter()
        self.sanctions = 0
        self.lifted = 0

    def add(self, records: ChunkRecords) -> None:
        self.credits.update(c.source for c in records.credits)
        self.grades.update(e.grade for e in records.evaluations)
        self.sanctions += len(records.sanctions)
        self.lifted += sum(1 for r in records.sanctions if r.outcome == SanctionOutcome.lifted)


def make_summary(
    data: DemoData, tally: Tally, history: HistoryTally, records: RecordsTally, started: float
) -> DemoSummary:
    f = tally.figures()
    h = history.figures()
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
        today=history.on.isoformat(),
        courses=h["courses"],
        sessions=h["sessions"],
        enrolments=h["enrolments"],
        results=h["results"],
        results_passed=h["results_passed"],
        certificates=h["certificates"],
        certificates_by_type=h["certificates_by_type"],
        certificates_by_status=h["certificates_by_status"],
        certificate_events=h["certificate_events"],
        registrations=h["registrations"],
        compliance_by_post=h["compliance_by_post"],
        compliance_rate=h["compliance_rate"],
        violations=h["violations"],
        kindergartens_without_family_instructor=h["kindergartens_without_family_instructor"],
        expiring_within_days=h["expiring_within_days"],
        expiring=h["expiring"],
        certificates_with_expiry=h["certificates_with_expiry"],
        coverage_year=h["coverage_year"],
        coverage=h["coverage"],
        kindergartens_below_coverage_target=h["kindergartens_below_coverage_target"],
        credit_entries=sum(records.credits.values()),
        credit_entries_by_source=dict(sorted(records.credits.items())),
        ethics_evaluations=sum(records.grades.values()),
        ethics_evaluations_by_grade=dict(sorted(records.grades.items())),
        ethics_sanctions=records.sanctions,
        ethics_sanctions_lifted=records.lifted,
        elapsed_seconds=round(time.perf_counter() - started, 3),
        accounts=logins,
        credentials_path=str(get_settings().var_dir / CREDENTIALS_FILE),
    )


def write_credentials(path: Path, logins: Sequence[DemoLogin]) -> None:
    """username, role and password of each demo account, tab-separated; readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# demo accounts: username\trole\tpassword"]
    lines += [f"{a.username}\t{a.role}\t{a.password}" for a in logins]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write("\n".join(lines) + "\n")


__all__ = ["CREDENTIALS_FILE", "DemoLogin", "DemoSummary", "RecordsTally", "make_summary", "write_credentials"]
