"""The demo district's certificates, revocations and registrations: ``CertificateWork`` is mixed into
the district of ``demo.history``, whose training passes lead to the certificates issued here."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from typing import Protocol

from demo import names
from demo.history_rows import (
    CARE_VALID_YEARS,
    FIRST_QUALIFICATIONS,
    FIRST_REGISTRATION_DAYS,
    REGISTRATION_DEFERRED,
    REGISTRATION_EARLY_DAYS,
    REGISTRATION_LATE,
    REGISTRATION_START,
    REGISTRATION_YEARS,
    RENEW_EARLY_DAYS,
    SAFETY_VALID_YEARS,
    TODAY_ORDINAL,
    CertificateEventRow,
    CertificateRow,
    RegistrationRow,
    Serials,
    ValueCache,
    plus_years,
)
from demo.rows import DAYS_PER_YEAR, DEMO_TODAY, DistrictSpec, StaffRow
from kernel.codes import CertificateStatus
from kernel.codes import CertificateType as CT
from registry.staff.codes import Post, StaffStatus

# Revocations and suspensions: (post, certificate type, [(action, status after, reason), ...]).
SCENARIOS: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (Post.teacher, CT.teacher_qualification, (
        ("revoke", "revoked", "体罚幼儿，经区教委调查属实，依据《幼儿园教师违反职业道德行为处理办法》撤销教师资格"),
    )),
    (Post.teacher, CT.post_certificate, (
        ("suspend", "suspended", "家长投诉涉嫌变相体罚幼儿，调查期间暂停上岗"),
    )),
    (Post.childcare_worker, CT.childcare_certificate, (
        ("suspend", "suspended", "健康证明过期未复查，暂停保育员上岗证"),
    )),
    (Post.teacher, CT.teacher_qualification, (
        ("revoke", "revoked", "收受家长礼金，情节严重，依法撤销教师资格"),
    )),
    (Post.teacher, CT.post_certificate, (
        ("suspend", "suspended", "培训签到记录核查中发现代签，暂停上岗证"),
        ("revoke", "revoked", "核查属实：代签培训记录，撤销上岗证并责令重新参加任职资格培训"),
    )),
    (Post.teacher, CT.post_certificate, (
        ("suspend", "suspended", "家长投诉调查期间暂停上岗"),
        ("reinstate", "valid", "经调查投诉不实，恢复上岗证"),
    )),
    (Post.principal, CT.post_certificate, (
        ("suspend", "suspended", "园所发生安全责任事故，园长上岗证暂停，待调查处理"),
    )),
    (Post.teacher, CT.post_certificate, (
        ("suspend", "suspended", "年度师德考核不合格，暂停上岗证，责令整改"),
    )),
)  # fmt: skip


FIRST_NOTE = "首次注册（初次聘用，试用期满考核合格）"


class _Maker(Protocol):
    """What the certificates take from ``demo.history.HistoryMaker``."""

    protected: frozenset[int]
    next_certificate: int


class CertificateWork:
    """The certificates, revocations and registrations of one district's people (mixed into the
    district of ``demo.history``, which sets these attributes and runs the training first)."""

    m: _Maker
    rng: random.Random
    cache: ValueCache
    serials: Serials
    spec: DistrictSpec
    staff: list[StaffRow]
    province: str
    district_code: str
    district_issuer: str
    passed_at_hire: dict[int, int]
    safety_passes: defaultdict[int, list[int]]
    special_passes: dict[int, int]
    instructor_passes: dict[int, int]
    certificates: list[CertificateRow]
    cert_of: dict[tuple[int, str], CertificateRow]
    never_passed: set[int]
    no_post_certificate: set[int]
    no_qualification: set[int]
    expired_care: set[int]
    health_kind: dict[int, str]

    # ------------------------------------------------------------------ certificates

    def add(self, s: StaffRow, cert_type: str, number: str, issuer: str, issued: int, expires: int | None) -> None:
        cache = self.cache
        row = CertificateRow(
            index=self.m.next_certificate,
            staff=s.index,
            type=cert_type,
            number=number,
            issuer=issuer,
            issued_on=cache.day(min(issued, TODAY_ORDINAL)),
            expires_on=None if expires is None else cache.day(expires),
        )
        self.m.next_certificate += 1
        self.certificates.append(row)
        self.cert_of[(s.index, cert_type)] = row

    def person_certificates(self, s: StaffRow) -> None:
        post = s.post
        if post in (Post.teacher, Post.principal, Post.vice_principal):
            if s.index not in self.no_qualification:
                self.teacher_qualification(s)
            passed = self.passed_at_hire.get(s.index)
            if passed is not None and post != Post.teacher:
                self.add_numbered(s, CT.principal_qualification, passed + self.rng.randint(10, 45), None,
                                  names.education_authority(self.province))  # fmt: skip
            if passed is not None and s.index not in self.no_post_certificate:
                self.add_numbered(s, CT.post_certificate, passed + self.rng.randint(3, 30), None, self.district_issuer)
        elif post == Post.childcare_worker:
            passed = self.passed_at_hire.get(s.index)
            if passed is not None:
                self.renewed(s, CT.childcare_certificate, passed + self.rng.randint(7, 30), self.district_issuer)
        elif post == Post.health_doctor:
            self.health_certificates(s)
        self.safety_certificate(s)
        done = self.instructor_passes.get(s.index)
        if done is not None:
            issuer = (
                "北京市家庭教育研究会" if self.province == "11" else f"{names.PROVINCES[self.province]}家庭教育学会"
            )
            self.add_numbered(s, CT.family_education_instructor, done + self.rng.randint(15, 60), None, issuer)
        done = self.special_passes.get(s.index)
        if done is not None:
            self.add_numbered(s, CT.special_education, done + self.rng.randint(10, 40), None, self.district_issuer)

    def add_numbered(self, s: StaffRow, cert_type: str, issued: int, expires: int | None, issuer: str) -> None:
        issued = min(issued, TODAY_ORDINAL - 1)
        year = date.fromordinal(issued).year
        k = self.serials.next(cert_type)
        d = self.district_code
        number = {
            CT.post_certificate: f"SGZ-{d}-{year}-{k:06d}",
            CT.principal_qualification: f"YZRZ-{year}-{k:06d}",
            CT.childcare_certificate: f"BYY-{d}-{year}-{k:06d}",
            CT.health_care_training: f"BJY-{year}-{k:06d}",
            CT.doctor_licence: f"1{self.province}{year}{k:08d}",  # 15 digits, like 医师执业证书编码
            CT.nurse_licence: f"{year}{self.province}{k:06d}",  # 12 digits, like 护士执业证书编号
            CT.safety_training: f"AQ-{d}-{year}-{k:06d}",
            CT.family_education_instructor: f"JTJY-{year}-{k:06d}",
            CT.special_education: f"TJJY-{d}-{year}-{k:06d}",
        }[CT(cert_type)]
        self.add(s, cert_type, number, issuer, issued, expires)

    def teacher_qualification(self, s: StaffRow) -> None:
        rng = self.rng
        hired = s.hired_on.toordinal()
        born = s.birth_date.toordinal()
        leader = s.post != Post.teacher
        issued = hired - (rng.randint(60, 2500) if leader else rng.randint(20, 400))
        issued = max(issued, born + int(19.5 * DAYS_PER_YEAR))
        first = FIRST_QUALIFICATIONS.toordinal()
        if issued < first:  # the first certificates went to the teachers already teaching
            issued = rng.randint(first, max(first, date(2000, 12, 31).toordinal()))
        issued = min(issued, TODAY_ORDINAL - 1)
        home = s.id_number[:2]
        if home != self.province and rng.random() < 0.6:  # qualified at home before moving here
            province, body, issuer = home, s.id_number[3:6], names.education_authority(home)
        else:
            province, body, issuer = self.province, self.spec.area[3:6], self.district_issuer
        number = self.serials.qualification(date.fromordinal(issued).year, province, body, s.sex)
        self.add(s, CT.teacher_qualification, number, issuer, issued, None)

    def renewed(self, s: StaffRow, cert_type: str, first: int, issuer: str) -> None:
        """A certificate renewed every CARE_VALID_YEARS since ``first``, up to RENEW_EARLY_DAYS
        before it expires (so some are inside the reminder window, most renewed before); lapsed
        for the defect."""
        issued = min(first, TODAY_ORDINAL - 1)
        early = self.rng.randint(0, RENEW_EARLY_DAYS)
        while plus_years(issued, CARE_VALID_YEARS) - early <= TODAY_ORDINAL:
            issued = plus_years(issued, CARE_VALID_YEARS) - early
        if s.index in self.expired_care:  # not renewed: the previous certificate lapsed
            issued = TODAY_ORDINAL - int((CARE_VALID_YEARS + self.rng.uniform(0.03, 1.0)) * DAYS_PER_YEAR)
        self.add_numbered(s, cert_type, issued, plus_years(min(issued, TODAY_ORDINAL - 1), CARE_VALID_YEARS), issuer)

    def health_certificates(self, s: StaffRow) -> None:
        rng = self.rng
        kind = self.health_kind[s.index]
        hired = s.hired_on.toordinal()
        born = s.birth_date.toordinal()
        authority = names.health_authority(self.province)
        licence = max(hired - rng.randint(100, 2500), born + int(23.5 * DAYS_PER_YEAR))
        if kind == "doctor":
            self.add_numbered(s, CT.doctor_licence, licence, None, authority)
        elif kind == "nurse":
            self.renewed(s, CT.nurse_licence, licence, authority)
        passed = self.passed_at_hire.get(s.index)
        lapsed_nurse = kind == "nurse" and s.index in self.expired_care
        if passed is not None and (kind == "care" or (not lapsed_nurse and rng.random() < 0.5)):
            self.renewed(s, CT.health_care_training, passed + rng.randint(10, 40), authority)

    def safety_certificate(self, s: StaffRow) -> None:
        passes = self.safety_passes.get(s.index)
        if not passes:
            return
        rng = self.rng
        share = 0.25 if s.post in (Post.teacher, Post.childcare_worker) else 0.85
        if rng.random() >= share:
            return
        issued = 0
        for p in sorted(passes):  # renewed at the first pass within half a year of expiry
            if not issued or plus_years(issued, SAFETY_VALID_YEARS) <= p + 180:
                issued = p + rng.randint(5, 20)
        issued = min(issued, TODAY_ORDINAL - 1)
        self.add_numbered(s, CT.safety_training, issued, plus_years(issued, SAFETY_VALID_YEARS), self.district_issuer)

    # ------------------------------------------------------------------ revocations, registrations

    def scenarios(self) -> list[CertificateEventRow]:
        """A handful of revoked or suspended certificates (about 8 in a district of 11,000 staff)."""
        rng = self.rng
        cache = self.cache
        count = max(2, round(len(SCENARIOS) * len(self.staff) / 11_000))
        taken = self.never_passed | self.no_post_certificate | self.no_qualification | self.m.protected
        events: list[CertificateEventRow] = []
        for i in range(count):
            post, cert_type, steps = SCENARIOS[i % len(SCENARIOS)]
            candidates = [
                c
                for s in self.staff
                if s.post == post
                and s.status == StaffStatus.on_post
                and s.index not in taken
                and (c := self.cert_of.get((s.index, cert_type))) is not None
                and c.status == CertificateStatus.valid
                and (c.expires_on is None or c.expires_on > DEMO_TODAY)
            ]
            if not candidates:
                continue
            cert = rng.choice(candidates)
            taken.add(cert.staff)
            day = max(cert.issued_on.toordinal() + 30, TODAY_ORDINAL - rng.randint(40, 600))
            for action, status, reason in steps:
                day = min(day, TODAY_ORDINAL - 1)
                events.append(CertificateEventRow(cert.index, action, status, reason, cache.at(day, 10 * 60 + 15)))
                cert.status, cert.reason = status, reason
                day += rng.randint(20, 60)
            if cert.status == CertificateStatus.valid:
                cert.reason = ""
        return events

    def registrations(self, events: list[CertificateEventRow]) -> list[RegistrationRow]:
        """定期注册 of every teacher qualification, as the office recorded it. A holder appointed after the
        qualification was issued registers first when the probation ends (首次注册, ``FIRST_REGISTRATION_DAYS``
        after the hire); then every registration is due five years after the last passed one (or after
        the issue), and every holder registers each time: most in the months before the period ends,
        ``REGISTRATION_LATE`` after it, and ``REGISTRATION_DEFERRED`` are deferred (暂缓注册: hours short)
        and pass after making the hours up. Only what happened from Beijing's first round
        (``REGISTRATION_START``) up to DEMO_TODAY is recorded, while the holder works in the district
        and the qualification stands; the demo accounts' people register on time."""
        rng = self.rng
        cache = self.cache
        start = REGISTRATION_START.toordinal()
        revoked = {e.certificate: e.at.date().toordinal() for e in events if e.status_after == "revoked"}
        staff = {s.index: s for s in self.staff}
        protected = self.m.protected
        rows: list[RegistrationRow] = []
        for cert in self.certificates:
            if cert.type != CT.teacher_qualification:
                continue
            s = staff[cert.staff]
            end = min(TODAY_ORDINAL, revoked.get(cert.index, TODAY_ORDINAL))
            if s.left_on is not None:
                end = min(end, s.left_on.toordinal())
            last = cert.issued_on.toordinal()
            hired = s.hired_on.toordinal()
            if hired > last:  # 首次注册 when the probation of the appointment ends
                last = _weekday(hired + rng.randint(*FIRST_REGISTRATION_DAYS))
                if last > end:
                    continue
                if last >= start:
                    at = cache.at(last, 14 * 60)
                    rows.append(RegistrationRow(cert.index, cache.day(last), "passed", 0, FIRST_NOTE, at))
            while True:
                due = plus_years(last, REGISTRATION_YEARS)
                r = 1.0 if s.index in protected else rng.random()
                deferred = 0
                if r < REGISTRATION_DEFERRED:
                    deferred = _weekday(due - rng.randint(0, 90))
                    day = _weekday(deferred + rng.randint(180, 400))
                elif r < REGISTRATION_DEFERRED + REGISTRATION_LATE:
                    day = _weekday(due + rng.randint(15, 240))
                else:
                    day = _weekday(due - rng.randint(0, REGISTRATION_EARLY_DAYS))
                if start <= deferred <= end:
                    hours = rng.randint(240, 350)
                    note = f"五年培训学时{hours}，不足360学时，暂缓注册"
                    rows.append(
                        RegistrationRow(cert.index, cache.day(deferred), "deferred", hours, note,
                                        cache.at(deferred, 14 * 60))
                    )  # fmt: skip
                if day > end:
                    break
                if day >= start:
                    note = "定期注册合格"
                    if deferred >= start:
                        note = "补足学时，定期注册合格"
                    elif day > due:
                        note = "逾期注册，定期注册合格"
                    rows.append(RegistrationRow(cert.index, cache.day(day), "passed", rng.randint(360, 460), note,
                                                cache.at(day, 14 * 60)))  # fmt: skip
                last = day
        return rows


def _weekday(day: int) -> int:
    """The Friday before a Saturday or Sunday (the office works on weekdays)."""
    weekday = date.fromordinal(day).weekday()
    return day - (weekday - 4) if weekday > 4 else day
