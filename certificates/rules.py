"""Pure rules of certificates and the dual-certificate rule (双证上岗).

The post -> required certificates mapping comes from the policy (kernel/policy/defaults.toml);
``compliance_sql`` compiles the same mapping into one SQL expression, so the district-wide
figures are computed set-wise by the database and agree with the per-person verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from kernel.codes import CertificateStatus, CertificateType
from kernel.i18n import F_, _
from kernel.policy import CertificatePolicy
from registry.staff.rules import PROVINCE_CODES

EARLIEST_QUALIFICATION_YEAR = 1995  # 教师资格条例 (1995): the first certificates


# --- numbers ---------------------------------------------------------------------------------


def teacher_qualification_problem(number: str, today: date) -> str | None:
    """教师资格证书编号: 17 digits = year 4, province 2, awarding body 3, type 1, sex 1, serial 6. The
    problem reads after the number's name (``teacher qualification number {problem}``)."""
    if len(number) != 17:
        return _("must be 17 digits, got {length} characters", length=len(number))
    if not number.isdigit():
        return _("must be digits only")
    year = int(number[:4])
    if not EARLIEST_QUALIFICATION_YEAR <= year <= today.year:
        return _(
            "year {year} is out of range ({first}-{last})",
            year=year,
            first=EARLIEST_QUALIFICATION_YEAR,
            last=today.year,
        )
    if number[4:6] not in PROVINCE_CODES:
        return _("province code {code} is unknown", code=number[4:6])
    if number[9] not in "1234567":
        return _("type digit {digit} is unknown (1 = kindergarten)", digit=number[9])
    if number[10] not in "012":
        return _("sex digit {digit} must be 0, 1 or 2", digit=number[10])
    return None


def is_kindergarten_qualification(number: str, policy: CertificatePolicy) -> bool:
    return len(number) == 17 and number[9] == policy.teacher_qualification_type_digit


def dates_problem(issued_on: date, expires_on: date | None, today: date) -> tuple[str, str] | None:
    if issued_on > today:
        return F_("issued_on"), _("is in the future ({day})", day=issued_on.isoformat())
    if expires_on is not None and expires_on < issued_on:
        return F_("expires_on"), _("is before issued_on ({day})", day=issued_on.isoformat())
    return None


# --- status ----------------------------------------------------------------------------------


def effective_status(stored: str, expires_on: date | None, on: date) -> CertificateStatus:
    """Suspension and revocation are recorded events; expiry follows from the date asked about."""
    if stored in (CertificateStatus.suspended, CertificateStatus.revoked):
        return CertificateStatus(stored)
    if expires_on is not None and expires_on < on:
        return CertificateStatus.expired
    return CertificateStatus.valid


STATUS_CHANGES = {
    # (from, to) -> the event's action
    (CertificateStatus.valid, CertificateStatus.suspended): "suspend",
    (CertificateStatus.valid, CertificateStatus.revoked): "revoke",
    (CertificateStatus.suspended, CertificateStatus.revoked): "revoke",
    (CertificateStatus.suspended, CertificateStatus.valid): "reinstate",
    (CertificateStatus.revoked, CertificateStatus.valid): "reinstate",  # an appeal overturned it
}


def status_change_action(current: str, target: str) -> str | None:
    return STATUS_CHANGES.get((CertificateStatus(current), CertificateStatus(target)))


# --- the dual-certificate rule ---------------------------------------------------------------


@dataclass(frozen=True)
class HeldCertificate:
    id: int
    type: str
    number: str
    status: str  # as stored: valid, suspended, revoked
    issued_on: date
    expires_on: date | None


@dataclass(frozen=True)
class Expiring:
    certificate_id: int
    type: str
    expires_on: date
    days_left: int


@dataclass
class DualVerdict:
    compliant: bool
    post: str
    required: list[str]
    held: list[str]
    missing: list[str]
    expiring: list[Expiring] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def counts_on(cert: HeldCertificate, on: date, policy: CertificatePolicy) -> bool:
    """Does this certificate count towards the rule on ``on``?"""
    if cert.issued_on > on or effective_status(cert.status, cert.expires_on, on) != CertificateStatus.valid:
        return False
    if cert.type == CertificateType.teacher_qualification:
        return is_kindergarten_qualification(cert.number, policy)
    return True


def group_label(group: Sequence[str]) -> str:
    """``missing`` names a single type, or alternatives joined with ``|`` (any one of them will do)."""
    return "|".join(group)


def dual_certificate(
    post: str,
    certificates: Iterable[HeldCertificate],
    on: date,
    policy: CertificatePolicy,
    warn_days: int,
) -> DualVerdict:
    certs = list(certificates)
    counting = [c for c in certs if counts_on(c, on, policy)]
    held_types = {c.type for c in counting}
    groups = policy.required_for(post)
    missing = [group_label(g) for g in groups if not held_types.intersection(g)]
    required = [t for g in groups for t in g]
    horizon = on + timedelta(days=warn_days)
    expiring = sorted(
        (
            Expiring(c.id, c.type, c.expires_on, (c.expires_on - on).days)
            for c in counting
            if c.expires_on is not None and c.type in required and c.expires_on <= horizon
        ),
        key=lambda e: e.expires_on,
    )
    notes = [
        _(
            "teacher qualification {number} is not a kindergarten qualification (type digit {digit})",
            number=c.number,
            digit=c.number[9:10],
        )
        for c in certs
        if c.type == CertificateType.teacher_qualification
        and effective_status(c.status, c.expires_on, on) == CertificateStatus.valid
        and not is_kindergarten_qualification(c.number, policy)
    ]
    return DualVerdict(
        compliant=not missing,
        post=post,
        required=required,
        held=sorted(held_types),
        missing=missing,
        expiring=expiring,
        notes=notes,
    )


def requirement_sources(post: str, policy: CertificatePolicy) -> str:
    return policy.required_sources.get(post, policy.source)


# --- the same rule, compiled to SQL ----------------------------------------------------------


def held_flag_column(cert_type: str) -> str:
    return f"h_{cert_type}"


def held_flag_aggregates(policy: CertificatePolicy) -> tuple[tuple[str, str], ...]:
    """Per certificate type, (the aggregate, its column alias): MAX(...) over a person's certificate
    rows, 1 if one counts (for a GROUP BY staff over certificate rows already restricted to those
    valid on the day). ``held_flags_sql`` is their select list; staffing folds them into its own."""
    parts = []
    for cert_type in CertificateType:
        cond = f"c.type = '{cert_type.value}'"
        if cert_type == CertificateType.teacher_qualification:
            cond += f" AND SUBSTR(c.number, 10, 1) = '{policy.teacher_qualification_type_digit}'"
        parts.append((f"MAX(CASE WHEN {cond} THEN 1 ELSE 0 END)", held_flag_column(cert_type.value)))
    return tuple(parts)


def held_flags_sql(policy: CertificatePolicy) -> str:
    """Per person, 1 if they hold a counting certificate of each type (for a GROUP BY staff over
    certificate rows already restricted to those valid on the day). Used where every flag is needed
    for many people at once (batch eligibility); ``compliance_sql`` is cheaper for yes/no."""
    return ",\n       ".join(f"{expr} AS {alias}" for expr, alias in held_flag_aggregates(policy))


def missing_from_flags(post: str, flags: dict[str, int], policy: CertificatePolicy) -> list[str]:
    held = {t for t in CertificateType if flags.get(held_flag_column(t.value))}
    return [group_label(g) for g in policy.required_for(post) if not held.intersection(g)]


def holds_sql(cert_type: str, policy: CertificatePolicy, staff_column: str = "s.id", day: str = "{}") -> str:
    """SQL: the person holds a counting certificate of this type on ``day`` (a placeholder by default).

    An indexed EXISTS on certificate (staff, type, status): the same conditions as ``counts_on``.
    """
    kind = ""
    if cert_type == CertificateType.teacher_qualification:
        kind = f" AND SUBSTR(c.number, 10, 1) = '{policy.teacher_qualification_type_digit}'"
    return (
        f"EXISTS (SELECT 1 FROM certificate c WHERE c.staff = {staff_column} AND c.type = '{cert_type}'"
        f" AND c.status = 'valid' AND c.issued_on <= {day} AND (c.expires_on IS NULL OR c.expires_on >= {day}){kind})"
    )


def compliance_sql(
    policy: CertificatePolicy, post_column: str = "s.post", holds: Callable[[str], str] | None = None
) -> str:
    """A CASE expression: 1 when the person's post requirements are met, else 0.

    ``holds(type)`` gives the SQL condition "holds a counting certificate of that type"; by default an
    EXISTS on the certificate table (``holds_sql``) whose two date placeholders are bound per use.
    """
    holds = holds or (lambda t: holds_sql(t, policy))
    whens = []
    for post, groups in sorted(policy.required.items()):
        if not groups:
            whens.append(f"WHEN {post_column} = '{post}' THEN 1")
            continue
        cond = " AND ".join("(" + " OR ".join(holds(t) for t in group) + ")" for group in groups)
        whens.append(f"WHEN {post_column} = '{post}' THEN CASE WHEN {cond} THEN 1 ELSE 0 END")
    return "CASE " + " ".join(whens) + " ELSE 1 END"


def posts_with_requirements(policy: CertificatePolicy) -> list[str]:
    return sorted(post for post, groups in policy.required.items() if groups)


def rate(compliant: int, total: int) -> float | None:
    return round(compliant / total, 4) if total else None


def induction_hours_problem(passed: list[tuple[str, Decimal]], accepted: tuple[str, ...], minimum: int) -> str | None:
    """New teachers need ``minimum`` hours (120) of passed induction training before the post
    certificate. Applies when induction is the only training the post accepts (teachers); passed
    results are (category, hours attended); several induction results add up."""
    if tuple(accepted) != ("induction",):
        return None
    hours = sum((h for c, h in passed if c == "induction"), Decimal(0))
    if hours < minimum:
        shown = f"{hours:.1f}".removesuffix(".0")  # 80, 80.5 (the column's one decimal, on either engine)
        return _("{hours} of {minimum} induction hours passed", hours=shown, minimum=minimum)
    return None


def reminder_window(days_left: int, windows: Iterable[int]) -> int | None:
    """The tightest reminder window (days) that holds a date ``days_left`` days away (0: today); None
    when it is past or beyond the widest. With 90/30/7: 90..31 days -> 90, 30..8 -> 30, 7..0 -> 7."""
    holding = [w for w in windows if 0 <= days_left <= w]
    return min(holding) if holding else None


def registration_due(issued_on: date, last_passed: date | None, years: int) -> date:
    """定期注册: due five years (policy) after the last passed registration, or after issue."""
    base = last_passed or issued_on
    try:
        return base.replace(year=base.year + years)
    except ValueError:  # 29 February
        return base.replace(year=base.year + years, day=28)
