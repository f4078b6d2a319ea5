"""The policy source: every number and mapping a rule uses, versioned by effective date, with citations.

Rules receive a ``Policy`` (or a part of it) as an argument; they never hold literals. The
defaults ship in ``defaults.toml``; a version applies from its ``effective_from`` until the next.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from kernel.common.time import today
from kernel.errors import FieldError, Invalid
from kernel.i18n import F_, _, field_label

DEFAULTS = Path(__file__).with_name("defaults.toml")


@dataclass(frozen=True)
class CertificatePolicy:
    required: dict[str, tuple[tuple[str, ...], ...]]
    required_sources: dict[str, str]
    post_certificate_training: dict[str, tuple[str, ...]]
    teacher_qualification_type_digit: str
    registration_years: int
    registration_hours: int
    registration_window_months: int
    source: str

    def required_for(self, post: str) -> tuple[tuple[str, ...], ...]:
        return self.required.get(post, ())

    def training_for_post_certificate(self, post: str) -> tuple[str, ...]:
        return self.post_certificate_training.get(post, self.post_certificate_training["any"])


@dataclass(frozen=True)
class CreditPolicy:
    """Training hours outside the credit recognition (hours -> credits rates are in ``recognition``)."""

    induction_hours_minimum: int
    complete_needs_yearly_minimum: bool  # a cycle is complete only when every year met the yearly minimum
    duplicate_entry_hours: int  # an identical hand entry within this many hours is a double submission
    source: str
    # a teacher's credit claim (issue 16): at most this many hours a day of the course, and no earlier
    # than the start of the credit cycle this many cycles before the current one
    claim_max_hours_per_day: int = 12
    claim_cycles_back: int = 1
    claim_max_credits_per_hour: int = 1


@dataclass(frozen=True)
class CoveragePolicy:
    categories: tuple[str, ...]
    target_rate: float
    family_instructors_per_kindergarten: int
    source: str


@dataclass(frozen=True)
class ReminderPolicy:
    windows_days: tuple[int, ...]
    source: str
    # month-days ("05-31") on which people behind pace on credits are told (issue 16), in year order
    pace_checkpoints: tuple[str, ...] = ()
    pace_checkpoints_source: str = ""
    pace_catch_up_days: int = 7  # a checkpoint missed by the sweep is still told this many days later

    def checkpoints_in(self, year: int) -> list[date]:
        """The year's checkpoint days (a 02-29 checkpoint falls on 02-28 in other years)."""
        days = []
        for md in self.pace_checkpoints:
            month, day = (int(part) for part in md.split("-"))
            try:
                days.append(date(year, month, day))
            except ValueError:
                days.append(date(year, month, 28))
        return sorted(days)


@dataclass(frozen=True)
class RecognitionPolicy:
    """Continuing-education credit recognition (the defaults the credits app's policy table is seeded with)."""

    cycle_years: int
    cycle_start_year: int
    credits_per_cycle: float
    yearly_minimum: float
    required_categories: dict[str, float]
    caps_per_year: dict[str, float]
    carry_over: bool
    hours_per_credit: dict[str, float]
    hours_per_credit_by_mode: dict[str, float]
    at_risk_share_of_pace: float
    sources: dict[str, str]


@dataclass(frozen=True)
class EthicsPolicy:
    violation_kinds: int
    bar_months: dict[str, int]
    grade_cap: dict[str, str]
    grade_order: tuple[str, ...]
    veto_months: int
    missing_evaluations_threshold: float
    evaluated_posts: tuple[str, ...]
    registration_min_grade: str
    registration_refusal_sanctions: tuple[str, ...]
    sources: dict[str, str]


@dataclass(frozen=True)
class EmploymentPolicy:
    min_working_age: int
    source: str


@dataclass(frozen=True)
class EligibilityPolicy:
    backbone_min_title: str
    purposes: tuple[str, ...]
    posts: dict[str, tuple[str, ...]]  # the posts a round of each purpose lists
    source: str


@dataclass(frozen=True)
class PerClass:
    """Full-time teachers and childcare workers per class (教职工配备标准)."""

    teacher: int
    childcare_worker: int


@dataclass(frozen=True)
class RatioBand:
    """Children per member of staff: (best, worst) end of the standard's band, e.g. (5, 7) for 1:5-1:7."""

    staff: tuple[int, int]
    teaching_care: tuple[int, int]


@dataclass(frozen=True)
class StaffingPolicy:
    """The staffing standard, the health-care rule, class sizes and the plan's workforce targets."""

    per_class: dict[str, dict[str, PerClass]]  # service type -> staffing model -> per class
    default_model: str
    single_class_max_classes: int
    single_class: PerClass
    principal_minimum: int
    principal_bands: tuple[tuple[int, int], ...]  # (from_classes, up_to), ascending from 0
    principal_posts: tuple[str, ...]
    health_children_per_staff: int
    health_minimum: int
    health_rounding: str  # "ceil" or "floor"
    ratio: dict[str, RatioBand]  # by service type
    class_sizes: dict[str, int]
    max_children_per_kindergarten: int
    projection_band: str
    plan_name: str
    plan_period_from: date
    plan_period_to: date
    plan_targets: dict[str, int]  # post -> people to add in the plan period
    backbone_honours: tuple[str, ...]
    backbone_senior_titles: tuple[str, ...]
    sources: dict[str, str]


@dataclass(frozen=True)
class Policy:
    id: str
    effective_from: date
    description: str
    certificates: CertificatePolicy
    credits: CreditPolicy
    coverage: CoveragePolicy
    reminders: ReminderPolicy
    recognition: RecognitionPolicy
    ethics: EthicsPolicy
    eligibility: EligibilityPolicy
    employment: EmploymentPolicy
    staffing: StaffingPolicy
    # two-level review (issue 15): role -> the kinds of write it submits for review
    review: dict[str, frozenset[str]] = field(default_factory=dict)


def _sources(section: dict[str, Any]) -> dict[str, str]:
    return {k.removesuffix("_source"): v for k, v in section.items() if k.endswith("source")}


def _build(raw: dict[str, Any]) -> Policy:
    c = raw["certificates"]
    rec, eth, eli = raw["recognition"], raw["ethics"], raw["eligibility"]
    return Policy(
        id=raw["id"],
        effective_from=raw["effective_from"]
        if isinstance(raw["effective_from"], date)
        else date.fromisoformat(raw["effective_from"]),
        description=raw.get("description", ""),
        certificates=CertificatePolicy(
            required={post: tuple(tuple(g) for g in groups) for post, groups in c["required"].items()},
            required_sources=dict(c["required_sources"]),
            post_certificate_training={
                k: tuple(v) for k, v in c["post_certificate_training"].items() if isinstance(v, list)
            },
            teacher_qualification_type_digit=str(c["teacher_qualification_type_digit"]),
            registration_years=int(c["registration_years"]),
            registration_hours=int(c["registration_hours"]),
            registration_window_months=int(c["registration_window_months"]),
            source=c["source"],
        ),
        credits=CreditPolicy(
            induction_hours_minimum=int(raw["credits"]["induction_hours_minimum"]),
            complete_needs_yearly_minimum=bool(raw["credits"]["complete_needs_yearly_minimum"]),
            duplicate_entry_hours=int(raw["credits"]["duplicate_entry_hours"]),
            source=raw["credits"]["induction_hours_source"],
            claim_max_hours_per_day=int(raw["credits"].get("claim_max_hours_per_day", 12)),
            claim_cycles_back=int(raw["credits"].get("claim_cycles_back", 1)),
            claim_max_credits_per_hour=int(raw["credits"].get("claim_max_credits_per_hour", 1)),
        ),
        coverage=CoveragePolicy(
            categories=tuple(raw["coverage"]["categories"]),
            target_rate=float(raw["coverage"]["target_rate"]),
            family_instructors_per_kindergarten=int(raw["coverage"]["family_instructors_per_kindergarten"]),
            source=raw["coverage"]["source"],
        ),
        reminders=ReminderPolicy(
            windows_days=tuple(sorted(raw["reminders"]["windows_days"], reverse=True)),
            source=raw["reminders"]["source"],
            pace_checkpoints=tuple(raw["reminders"].get("pace_checkpoints", ())),
            pace_checkpoints_source=raw["reminders"].get("pace_checkpoints_source", ""),
            pace_catch_up_days=int(raw["reminders"].get("pace_catch_up_days", 7)),
        ),
        recognition=RecognitionPolicy(
            cycle_years=int(rec["cycle_years"]),
            cycle_start_year=int(rec["cycle_start_year"]),
            credits_per_cycle=float(rec["credits_per_cycle"]),
            yearly_minimum=float(rec["yearly_minimum"]),
            required_categories={k: float(v) for k, v in rec["required_categories"].items()},
            caps_per_year={k: float(v) for k, v in rec["caps_per_year"].items()},
            carry_over=bool(rec["carry_over"]),
            hours_per_credit={k: float(v) for k, v in rec["hours_per_credit"].items()},
            hours_per_credit_by_mode={k: float(v) for k, v in rec["hours_per_credit_by_mode"].items()},
            at_risk_share_of_pace=float(rec["at_risk_share_of_pace"]),
            sources=_sources(rec),
        ),
        ethics=EthicsPolicy(
            violation_kinds=int(eth["violation_kinds"]),
            bar_months={k: int(v) for k, v in eth["bar_months"].items()},
            grade_cap=dict(eth["grade_cap"]),
            grade_order=tuple(eth["grade_order"]),
            veto_months=int(eth["veto_months"]),
            missing_evaluations_threshold=float(eth["missing_evaluations_threshold"]),
            evaluated_posts=tuple(eth["evaluated_posts"]),
            registration_min_grade=str(eth["registration_min_grade"]),
            registration_refusal_sanctions=tuple(eth["registration_refusal_sanctions"]),
            sources=_sources(eth),
        ),
        eligibility=EligibilityPolicy(
            backbone_min_title=str(eli["backbone_min_title"]),
            purposes=tuple(eli["purposes"]),
            posts={purpose: tuple(posts) for purpose, posts in eli["posts"].items()},
            source=eli["backbone_source"],
        ),
        employment=EmploymentPolicy(
            min_working_age=int(raw["employment"]["min_working_age"]),
            source=raw["employment"]["min_working_age_source"],
        ),
        staffing=staffing_policy(raw["staffing"]),
        review={role: frozenset(kinds) for role, kinds in raw.get("review", {}).items() if isinstance(kinds, list)},
    )


def staffing_policy(raw: dict[str, Any]) -> StaffingPolicy:
    """The [version.staffing] section, checked: a wrong rounding or band table fails at load."""

    def per(v: dict[str, Any]) -> PerClass:
        return PerClass(teacher=int(v["teacher"]), childcare_worker=int(v["childcare_worker"]))

    bands = tuple(sorted((int(b["from_classes"]), int(b["up_to"])) for b in raw["principal_bands"]))
    if not bands or bands[0][0] != 0:
        raise ValueError("staffing.principal_bands must start at from_classes = 0")
    if raw["health_rounding"] not in ("ceil", "floor"):
        raise ValueError("staffing.health_rounding must be ceil or floor")
    if raw["projection_band"] not in raw["class_sizes"]:
        raise ValueError("staffing.projection_band must be one of class_sizes")
    return StaffingPolicy(
        per_class={st: {m: per(v) for m, v in models.items()} for st, models in raw["per_class"].items()},
        default_model=str(raw["default_model"]),
        single_class_max_classes=int(raw["single_class_max_classes"]),
        single_class=per(raw["single_class"]),
        principal_minimum=int(raw["principal_minimum"]),
        principal_bands=bands,
        principal_posts=tuple(raw["principal_posts"]),
        health_children_per_staff=int(raw["health_children_per_staff"]),
        health_minimum=int(raw["health_minimum"]),
        health_rounding=str(raw["health_rounding"]),
        ratio={
            st: RatioBand(
                staff=(int(r["staff"][0]), int(r["staff"][1])),
                teaching_care=(int(r["teaching_care"][0]), int(r["teaching_care"][1])),
            )
            for st, r in raw["ratio"].items()
        },
        class_sizes={k: int(v) for k, v in raw["class_sizes"].items()},
        max_children_per_kindergarten=int(raw["max_children_per_kindergarten"]),
        projection_band=str(raw["projection_band"]),
        plan_name=str(raw["plan_name"]),
        plan_period_from=date.fromisoformat(str(raw["plan_period_from"])),
        plan_period_to=date.fromisoformat(str(raw["plan_period_to"])),
        plan_targets={k: int(v) for k, v in raw["plan_targets"].items()},
        backbone_honours=tuple(raw["backbone_honours"]),
        backbone_senior_titles=tuple(raw["backbone_senior_titles"]),
        sources=_sources(raw),
    )


@lru_cache(maxsize=1)
def versions() -> tuple[Policy, ...]:
    with DEFAULTS.open("rb") as fh:
        data = tomllib.load(fh)
    built = sorted((_build(v) for v in data["version"]), key=lambda p: p.effective_from)
    for a, b in itertools.pairwise(built):
        if a.effective_from == b.effective_from:
            raise ValueError(f"two policy versions take effect on {a.effective_from}")
    return tuple(built)


def policy_on(day: date | None = None) -> Policy:
    """The version in force on ``day`` (default: today).

    A day with no version in force (before the first, or outside 1900-2100) raises
    ``NoPolicyInForce``, which the API answers with a 422 naming ``on``.
    """

    day = day or today()
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise NoPolicyInForce(
            _(
                "{day} is outside the years the registry handles ({first}-{last})",
                day=day.isoformat(),
                first=EARLIEST_YEAR,
                last=LATEST_YEAR,
            )
        )
    in_force = [p for p in versions() if p.effective_from <= day]
    if not in_force:
        first = versions()[0].effective_from
        raise NoPolicyInForce(
            _(
                "no policy version is in force on {day}; the first takes effect on {first}",
                day=day.isoformat(),
                first=first.isoformat(),
            )
        )
    return in_force[-1]


EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


class NoPolicyInForce(Invalid, LookupError):
    """No policy version applies to the day asked about: a 422 naming ``on`` at the API."""

    def __init__(self, message: str) -> None:
        Invalid.__init__(
            self, _("{field}: {message}", field=field_label(F_("on")), message=message), [FieldError("on", message)]
        )
