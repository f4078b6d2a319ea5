"""The training history's and certificates' row types, rates and shared helpers (dates, cached
values, certificate numbers): the bottom of ``demo.history`` and ``demo.certificate_history``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from demo.rows import DEMO_TODAY
from kernel.codes import CertificateStatus
from registry.staff.codes import Sex

HISTORY_YEARS: tuple[int, ...] = tuple(range(2021, DEMO_TODAY.year + 1))
"""The calendar years of yearly training (the school years 2021-2026)."""

ACTOR = "demo"
BEIJING = timezone(timedelta(hours=8))
HISTORY_SALT = 0x7A1F_2018
"""Mixed into each district's seed: the history has a random stream of its own, so adding it
changed none of the kindergartens or people."""

# Defect and event rates (exact counts per district: round(rate * pool)).
INDUCTION_RETAKE = 0.02  # of teachers: failed the induction once, passed the retake
INDUCTION_NEVER_PASSED = 0.01  # of on-post teachers: half failed it, half never took it
NO_POST_CERTIFICATE = 0.02  # of on-post teachers: passed, but no post certificate recorded
NO_TEACHER_QUALIFICATION = 0.01  # of on-post teachers
EXPIRED_CARE = 0.02  # of on-post childcare workers, and of on-post health doctors
VICE_IN_TRAINING = 0.03  # of on-post vice principals (the recently appointed ones)
AT_HIRE_RETAKE = 0.02  # of principals, childcare workers and health doctors
NO_FAMILY_INSTRUCTOR = 0.08  # of kindergartens
TWO_FAMILY_INSTRUCTORS = 0.35  # of the kindergartens that have one
REGISTRATION_YEARS = 5  # 定期注册 every five years (policy: certificates.registration_years)
REGISTRATION_DEFERRED = 0.06  # of registrations: 暂缓注册 (hours short), passed after making them up
REGISTRATION_LATE = 0.05  # of registrations: passed after the period ended
REGISTRATION_EARLY_DAYS = 180  # on time: registered up to this many days before the period ends
FIRST_REGISTRATION_DAYS = (90, 395)  # 首次注册: days after the hire (the probation, up to a year, and a month)
SPECIAL_EDUCATION_CERTIFIED = 0.008  # of teachers a year: the special-education course and certificate

CARE_VALID_YEARS = 5  # 保育员上岗证, 保健员培训合格证, 护士执业证书: renewed every five years
RENEW_EARLY_DAYS = 120  # renewed up to this many days before expiry
SAFETY_VALID_YEARS = 3
REGISTRATION_START = date(2016, 4, 1)  # Beijing's first round of 定期注册: no registration recorded before
FIRST_QUALIFICATIONS = date(1996, 3, 1)  # the first teacher qualifications (教师资格条例, 1995)
QUALIFICATION_TYPE_DIGIT = "1"  # kindergarten (policy: teacher_qualification_type_digit)
SEX_DIGIT = {Sex.male.value: "1", Sex.female.value: "2"}

TODAY_ORDINAL = DEMO_TODAY.toordinal()
NEVER_ORDINAL = date.max.toordinal()
YEAR_START = {y: date(y, 1, 1).toordinal() for y in HISTORY_YEARS}


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class SessionRow:
    index: int
    course: int  # CourseRow.index
    starts_on: date
    ends_on: date
    place: str
    trainer: str
    capacity: int | None


@dataclass(slots=True)
class EnrolmentRow:
    index: int
    session: int
    staff: int
    enrolled_at: datetime


@dataclass(slots=True)
class ResultRow:
    enrolment: int
    hours: Decimal
    passed: bool
    score: Decimal | None
    completed_on: date
    recorded_at: datetime


@dataclass(slots=True)
class CertificateRow:
    index: int
    staff: int
    type: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None
    status: str = CertificateStatus.valid.value
    reason: str = ""


@dataclass(slots=True)
class CertificateEventRow:
    certificate: int
    action: str  # suspend, revoke, reinstate
    status_after: str
    reason: str
    at: datetime


@dataclass(slots=True)
class RegistrationRow:
    certificate: int
    registered_on: date
    result: str  # passed, deferred
    hours: int
    note: str
    at: datetime


@dataclass(slots=True)
class ChunkHistory:
    """The training history and certificates of one district's people."""

    district: str
    kg_first: int
    kg_count: int
    sessions: list[SessionRow]
    enrolments: list[EnrolmentRow]
    results: list[ResultRow]
    certificates: list[CertificateRow]
    events: list[CertificateEventRow]
    registrations: list[RegistrationRow]


# --------------------------------------------------------------------------- helpers


def plus_years(day: int, years: int) -> int:
    d = date.fromordinal(day)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).toordinal()


def ordinal_of(year: int, md: tuple[int, int]) -> int:
    return date(year, *md).toordinal()


class ValueCache:
    """Shared immutable values (dates, timestamps, decimals): one object each, not one per row."""

    def __init__(self) -> None:
        self.dates: dict[int, date] = {}
        self.stamps: dict[tuple[int, int], datetime] = {}
        self.decimals: dict[int, Decimal] = {}  # tenths -> Decimal

    def day(self, ordinal: int) -> date:
        d = self.dates.get(ordinal)
        if d is None:
            d = self.dates[ordinal] = date.fromordinal(ordinal)
        return d

    def at(self, ordinal: int, minutes: int) -> datetime:
        """Beijing wall time ``minutes`` after midnight of the day, as an aware timestamp."""
        key = (ordinal, minutes)
        t = self.stamps.get(key)
        if t is None:
            d = date.fromordinal(ordinal)
            t = self.stamps[key] = datetime(d.year, d.month, d.day, minutes // 60, minutes % 60, tzinfo=BEIJING)
        return t

    def tenths(self, tenths: int) -> Decimal:
        v = self.decimals.get(tenths)
        if v is None:
            v = self.decimals[tenths] = Decimal(tenths).scaleb(-1)
        return v


class Serials:
    """Certificate numbers, unique per type over the whole data set (chunks come in order)."""

    def __init__(self) -> None:
        self.by_type: Counter[str] = Counter()
        self.by_prefix: Counter[str] = Counter()

    def next(self, cert_type: str) -> int:
        self.by_type[cert_type] += 1
        return self.by_type[cert_type]

    def qualification(self, year: int, province: str, body: str, sex: str) -> str:
        """教师资格证书编号: year 4, province 2, awarding body 3, type 1, sex 1, serial 6 (17 digits).

        The serial runs per prefix and is scrambled by a bijection of 0..999999, so numbers look
        issued in no particular order and never repeat.
        """
        prefix = f"{year:04d}{province}{body}{QUALIFICATION_TYPE_DIGIT}{SEX_DIGIT[sex]}"
        k = self.by_prefix[prefix]
        if k >= 1_000_000:  # pragma: no cover - a million teachers of one sex, year and body
            raise RuntimeError(f"teacher qualification serials of {prefix} exhausted")
        self.by_prefix[prefix] = k + 1
        return f"{prefix}{(k * 7919 + int(prefix) % 1_000_003) % 1_000_000:06d}"
