"""The dual-certificate rule (双证上岗) and certificate rules, without a database.

The requirements per post come from the policy source; these tests state the expected mapping
independently (STANDARDS.md, DOMAIN.md rule 1), so a wrong policy entry fails here.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certificates import rules
from certificates.rules import HeldCertificate, dual_certificate
from kernel.codes import CertificateStatus, CertificateType
from kernel.i18n import use_locale
from kernel.policy import policy_on
from registry.staff.codes import Post

ON = date(2026, 11, 29)
POLICY = policy_on(ON).certificates
KG_TQ = "20121100112000001"  # 10th digit 1: kindergarten teacher qualification
PRIMARY_TQ = "20121100122000002"  # 10th digit 2: primary school


def cert(
    ctype: str,
    number: str = "N1",
    status: str = "valid",
    issued: date = date(2015, 1, 1),
    expires: date | None = None,
    cid: int = 1,
) -> HeldCertificate:
    if ctype == CertificateType.teacher_qualification and number == "N1":
        number = KG_TQ
    return HeldCertificate(cid, ctype, number, status, issued, expires)


def verdict(post: str, *types: str, **kw) -> rules.DualVerdict:
    return dual_certificate(post, [cert(t, cid=i) for i, t in enumerate(types)], ON, POLICY, warn_days=90, **kw)


@pytest.mark.parametrize(
    ("post", "enough", "missing_when_empty"),
    [
        ("teacher", ["teacher_qualification", "post_certificate"], ["teacher_qualification", "post_certificate"]),
        (
            "principal",
            ["principal_qualification", "post_certificate", "teacher_qualification"],
            ["principal_qualification", "post_certificate", "teacher_qualification"],
        ),
        (
            "vice_principal",
            ["principal_qualification", "post_certificate", "teacher_qualification"],
            ["principal_qualification", "post_certificate", "teacher_qualification"],
        ),
        ("health_doctor", ["doctor_licence"], ["doctor_licence|nurse_licence|health_care_training"]),
        ("childcare_worker", ["childcare_certificate"], ["childcare_certificate"]),
        ("other", [], []),
    ],
)
def test_each_post_requires_its_certificates(post: str, enough: list[str], missing_when_empty: list[str]) -> None:
    assert verdict(post, *enough).compliant
    empty = verdict(post)
    assert empty.missing == missing_when_empty
    assert empty.compliant is (not missing_when_empty)
    # Every single required group left out makes the person non-compliant, naming what is missing.
    for left_out in enough:
        partial = verdict(post, *[t for t in enough if t != left_out])
        assert not partial.compliant
        assert any(left_out in m.split("|") for m in partial.missing)


@pytest.mark.parametrize("alternative", ["doctor_licence", "nurse_licence", "health_care_training"])
def test_a_health_doctor_needs_any_one_of_three(alternative: str) -> None:
    assert verdict("health_doctor", alternative).compliant


def test_a_teacher_with_only_safety_and_family_certificates_is_not_compliant() -> None:
    v = verdict("teacher", "safety_training", "family_education_instructor", "post_certificate")
    assert v.missing == ["teacher_qualification"]


def test_a_primary_school_qualification_does_not_count() -> None:
    certs = [cert("teacher_qualification", number=PRIMARY_TQ), cert("post_certificate", cid=2)]
    v = dual_certificate("teacher", certs, ON, POLICY, warn_days=90)
    assert not v.compliant and v.missing == ["teacher_qualification"]
    assert v.notes == [f"教师资格证 {PRIMARY_TQ} 不是幼儿园教师资格（类别位为 2）"]
    with use_locale("en"):
        english = dual_certificate("teacher", certs, ON, POLICY, warn_days=90).notes[0]
    assert english == f"teacher qualification {PRIMARY_TQ} is not a kindergarten qualification (type digit 2)"


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_suspended_or_revoked_certificates_do_not_count(status: str) -> None:
    certs = [cert("teacher_qualification", status=status), cert("post_certificate", cid=2)]
    assert dual_certificate("teacher", certs, ON, POLICY, 90).missing == ["teacher_qualification"]


def test_expiry_boundary_valid_through_the_expiry_day() -> None:
    on_the_day = [cert("childcare_certificate", expires=ON)]
    assert dual_certificate("childcare_worker", on_the_day, ON, POLICY, 90).compliant
    day_before = [cert("childcare_certificate", expires=ON - timedelta(days=1))]
    assert not dual_certificate("childcare_worker", day_before, ON, POLICY, 90).compliant
    assert rules.effective_status("valid", ON - timedelta(days=1), ON) == CertificateStatus.expired
    assert rules.effective_status("valid", ON, ON) == CertificateStatus.valid
    assert rules.effective_status("revoked", None, ON) == CertificateStatus.revoked


def test_a_certificate_issued_after_the_day_asked_about_does_not_count() -> None:
    future = [cert("childcare_certificate", issued=ON + timedelta(days=1))]
    assert not dual_certificate("childcare_worker", future, ON, POLICY, 90).compliant


@pytest.mark.parametrize(("days", "listed"), [(0, True), (89, True), (90, True), (91, False)])
def test_expiring_window_boundaries(days: int, listed: bool) -> None:
    certs = [cert("childcare_certificate", expires=ON + timedelta(days=days))]
    v = dual_certificate("childcare_worker", certs, ON, POLICY, warn_days=90)
    assert bool(v.expiring) is listed
    if listed:
        assert v.expiring[0].days_left == days


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("20121100112000001", None),
        ("2012110011200000", "must be 17 digits"),
        ("2012110011200000X", "digits only"),
        ("19901100112000001", "year 1990"),
        ("20301100112000001", "year 2030"),
        ("20129900112000001", "province code 99"),
        ("20121100182000001", "type digit 8"),
        ("20121100113000001", "sex digit 3"),
    ],
)
def test_teacher_qualification_numbers(number: str, problem: str | None) -> None:
    with use_locale("en"):
        found = rules.teacher_qualification_problem(number, ON)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_dates() -> None:
    problem = rules.dates_problem(date(2020, 1, 1), date(2019, 12, 31), ON)
    assert problem == ("expires_on", "早于发证日期（2020-01-01）")
    with use_locale("en"):
        assert rules.dates_problem(date(2020, 1, 1), date(2019, 12, 31), ON) == (
            "expires_on",
            "is before issued_on (2020-01-01)",
        )
    assert rules.dates_problem(ON + timedelta(days=1), None, ON)[0] == "issued_on"  # type: ignore[index]
    assert rules.dates_problem(ON, ON, ON) is None


def test_status_changes() -> None:
    assert rules.status_change_action("valid", "revoked") == "revoke"
    assert rules.status_change_action("valid", "suspended") == "suspend"
    assert rules.status_change_action("suspended", "valid") == "reinstate"
    assert rules.status_change_action("revoked", "suspended") is None


def test_registration_every_five_years() -> None:
    assert rules.registration_due(date(2016, 3, 1), None, 5) == date(2021, 3, 1)
    assert rules.registration_due(date(2016, 3, 1), date(2021, 5, 10), 5) == date(2026, 5, 10)
    assert rules.registration_due(date(2016, 2, 29), None, 5) == date(2021, 2, 28)


# The set-wise SQL compiled from the same policy must agree with the per-person rule.
flag_sets = st.sets(st.sampled_from([t.value for t in CertificateType]))


@given(st.sampled_from([p.value for p in Post]), flag_sets)
@settings(max_examples=400)
def test_compiled_sql_agrees_with_the_rule(post: str, held: set[str]) -> None:
    con = sqlite3.connect(":memory:")
    cols = ", ".join(f"{rules.held_flag_column(t.value)} INTEGER" for t in CertificateType)
    con.execute(f"CREATE TABLE h ({cols})")
    con.execute("CREATE TABLE s (post TEXT)")
    con.execute(f"INSERT INTO h VALUES ({', '.join('1' if t.value in held else '0' for t in CertificateType)})")
    con.execute("INSERT INTO s VALUES (?)", (post,))
    holds = lambda t: f"h.{rules.held_flag_column(t)} = 1"  # noqa: E731
    (sql_ok,) = con.execute(f"SELECT {rules.compliance_sql(POLICY, holds=holds)} FROM s, h").fetchone()
    certs = [cert(t, cid=i) for i, t in enumerate(sorted(held))]
    assert bool(sql_ok) == dual_certificate(post, certs, ON, POLICY, 90).compliant
    flags = {rules.held_flag_column(t): 1 for t in held}
    assert rules.missing_from_flags(post, flags, POLICY) == dual_certificate(post, certs, ON, POLICY, 90).missing


def test_new_teachers_need_120_induction_hours_before_the_post_certificate() -> None:
    """教育部令第7号: at least 120 hours of induction (the policy's induction_hours_minimum)."""
    from decimal import Decimal as D

    minimum = policy_on(date(2024, 6, 1)).credits.induction_hours_minimum
    assert minimum == 120
    teacher = ("induction",)
    assert (
        rules.induction_hours_problem([("induction", D(119))], teacher, minimum)
        == "任职资格培训已通过 119 学时，要求 120 学时"
    )
    with use_locale("en"):
        english = rules.induction_hours_problem([("induction", D(119))], teacher, minimum)
    assert english == "119 of 120 induction hours passed"
    assert rules.induction_hours_problem([("induction", D(120))], teacher, minimum) is None
    assert rules.induction_hours_problem([("induction", D(80)), ("induction", D(40))], teacher, minimum) is None
    # principals' training is not induction: no hours minimum from this rule
    assert rules.induction_hours_problem([("principal", D(40))], ("principal",), minimum) is None
