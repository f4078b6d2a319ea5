"""The running figures of the demo's training history and certificates (``HistoryTally``): compliance,
coverage and expiry as of ``DEMO_TODAY``, fed district by district."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from certificates.rules import HeldCertificate, dual_certificate
from demo.catalogue import CourseRow
from demo.history_rows import ChunkHistory
from demo.rows import DEMO_TODAY, StaffChunk
from kernel.codes import CertificateStatus
from kernel.policy import Policy
from registry.staff.codes import StaffStatus

# --------------------------------------------------------------------------- figures


@dataclass
class HistoryTally:
    """Running figures of the training history and certificates, fed chunk by chunk.

    Compliance is judged with the registry's own pure rule (``dual_certificate``) and policy on
    ``on``, over the on-post people of every post with requirements, as the compliance report does.
    """

    policy: Policy
    courses: Sequence[CourseRow]
    on: date = DEMO_TODAY
    sessions: int = 0
    enrolments: int = 0
    results: int = 0
    results_passed: int = 0
    certificates: int = 0
    certificates_by_type: Counter[str] = field(default_factory=Counter)
    certificates_by_status: Counter[str] = field(default_factory=Counter)
    certificate_events: int = 0
    registrations: int = 0
    on_post: Counter[str] = field(default_factory=Counter)
    compliant: Counter[str] = field(default_factory=Counter)
    missing: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    kindergartens: int = 0
    without_family_instructor: int = 0
    expiring: int = 0
    with_expiry: int = 0
    coverage_on_post: int = 0
    coverage_covered: Counter[str] = field(default_factory=Counter)
    below_target: Counter[str] = field(default_factory=Counter)  # kindergartens under the coverage target

    def add(self, chunk: StaffChunk, history: ChunkHistory) -> None:
        policy = self.policy
        on = self.on
        warn = max(policy.reminders.windows_days)
        horizon = on + timedelta(days=warn)
        self.sessions += len(history.sessions)
        self.enrolments += len(history.enrolments)
        self.results += len(history.results)
        self.results_passed += sum(1 for r in history.results if r.passed)
        self.certificates += len(history.certificates)
        self.certificate_events += len(history.events)
        self.registrations += len(history.registrations)

        staff = {s.index: s for s in chunk.staff}
        held: defaultdict[int, list[HeldCertificate]] = defaultdict(list)
        instructors: Counter[int] = Counter()
        for c in history.certificates:
            self.certificates_by_type[c.type] += 1
            self.certificates_by_status[c.status] += 1
            held[c.staff].append(HeldCertificate(c.index, c.type, c.number, c.status, c.issued_on, c.expires_on))
            person = staff[c.staff]
            valid = c.status == CertificateStatus.valid and c.issued_on <= on
            if c.expires_on is not None:
                self.with_expiry += 1
                if valid and person.status != StaffStatus.left and on <= c.expires_on <= horizon:
                    self.expiring += 1
            if (
                c.type == "family_education_instructor"
                and valid
                and (c.expires_on is None or c.expires_on >= on)
                and person.status == StaffStatus.on_post
            ):
                instructors[person.kindergarten] += 1
        on_post_by_kg: Counter[int] = Counter()
        for s in chunk.staff:
            if s.status != StaffStatus.on_post:
                continue
            on_post_by_kg[s.kindergarten] += 1
            if not policy.certificates.required_for(s.post):
                continue
            verdict = dual_certificate(s.post, held.get(s.index, ()), on, policy.certificates, warn)
            self.on_post[s.post] += 1
            if verdict.compliant:
                self.compliant[s.post] += 1
            for label in verdict.missing:
                self.missing[s.post][label] += 1
        need = policy.coverage.family_instructors_per_kindergarten
        kgs = range(history.kg_first, history.kg_first + history.kg_count)
        self.kindergartens += len(kgs)
        self.without_family_instructor += sum(1 for k in kgs if instructors[k] < need)

        # coverage of this year's required training (as the coverage report counts it)
        categories = set(policy.coverage.categories)
        first = date(on.year, 1, 1)
        session_course = {x.index: self.courses[x.course] for x in history.sessions}
        enrolment = {e.index: e for e in history.enrolments}
        covered: set[tuple[int, str]] = set()
        for r in history.results:
            if not r.passed or not first <= r.completed_on <= on:
                continue
            e = enrolment[r.enrolment]
            category = session_course[e.session].category
            if category in categories and staff[e.staff].status == StaffStatus.on_post:
                covered.add((e.staff, category))
        by_kg: Counter[tuple[int, str]] = Counter()
        for who, category in covered:
            self.coverage_covered[category] += 1
            by_kg[(staff[who].kindergarten, category)] += 1
        self.coverage_on_post += sum(on_post_by_kg.values())
        for k, n in on_post_by_kg.items():
            for category in categories:
                if by_kg[(k, category)] < n * policy.coverage.target_rate:
                    self.below_target[category] += 1

    def figures(self) -> dict[str, Any]:
        compliance = {
            post: {
                "on_post": n,
                "compliant": self.compliant[post],
                "violations": n - self.compliant[post],
                "rate": round(self.compliant[post] / n, 4) if n else None,
                "missing": dict(sorted(self.missing[post].items())),
            }
            for post, n in sorted(self.on_post.items())
        }
        on_post = sum(self.on_post.values())
        compliant = sum(self.compliant.values())
        return {
            "courses": len(self.courses),
            "sessions": self.sessions,
            "enrolments": self.enrolments,
            "results": self.results,
            "results_passed": self.results_passed,
            "certificates": self.certificates,
            "certificates_by_type": dict(sorted(self.certificates_by_type.items())),
            "certificates_by_status": dict(sorted(self.certificates_by_status.items())),
            "certificate_events": self.certificate_events,
            "registrations": self.registrations,
            "today": self.on.isoformat(),
            "compliance_by_post": compliance,
            "compliance_rate": round(compliant / on_post, 4) if on_post else None,
            "violations": on_post - compliant,
            "kindergartens_without_family_instructor": self.without_family_instructor,
            "expiring_within_days": max(self.policy.reminders.windows_days),
            "expiring": self.expiring,
            "certificates_with_expiry": self.with_expiry,
            "coverage_year": self.on.year,
            "coverage": {
                c: round(self.coverage_covered[c] / self.coverage_on_post, 4) if self.coverage_on_post else None
                for c in self.policy.coverage.categories
            },
            "kindergartens_below_coverage_target": {c: self.below_target[c] for c in self.policy.coverage.categories},
        }
