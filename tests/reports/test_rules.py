"""Pure rules of the reports: canonical data, digests and codes, masking, presentation helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from registry.staff.codes import Post
from reports import rules
from reports.staffing_seam import progress_dates

AT = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


class Row(BaseModel):
    name: str
    on: date
    post: Post


def test_canonical_form_is_deterministic_and_plain() -> None:
    a = {"b": [Row(name="张丽", on=date(2026, 1, 2), post=Post.teacher)], "a": Decimal("1.50"), "s": {3, 1}}
    b = {"s": {1, 3}, "a": Decimal("1.50"), "b": [{"post": "teacher", "on": "2026-01-02", "name": "张丽"}]}
    assert rules.canonical_bytes(a) == rules.canonical_bytes(b)
    assert "张丽".encode() in rules.canonical_bytes(a)  # UTF-8, not \\u escapes


def test_digest_covers_every_part_of_the_document() -> None:
    base = rules.document_digest("staff_certificates", "staff:1", "区教委", AT, {"x": 1})
    assert len(base) == 64
    assert base == rules.document_digest("staff_certificates", "staff:1", "区教委", AT, {"x": 1})
    others = {
        rules.document_digest("credit_transcript", "staff:1", "区教委", AT, {"x": 1}),
        rules.document_digest("staff_certificates", "staff:2", "区教委", AT, {"x": 1}),
        rules.document_digest("staff_certificates", "staff:1", "另一个", AT, {"x": 1}),
        rules.document_digest("staff_certificates", "staff:1", "区教委", AT.replace(second=1), {"x": 1}),
        rules.document_digest("staff_certificates", "staff:1", "区教委", AT, {"x": 2}),
    }
    assert base not in others and len(others) == 5


@given(st.binary(min_size=32, max_size=32))
def test_codes_are_16_crockford_characters_and_read_back(raw: bytes) -> None:
    code = rules.code_of(raw.hex())
    assert len(code) == rules.CODE_LENGTH and set(code) <= set(rules.CODE_ALPHABET)
    shown = rules.display_code(code)
    assert len(shown) == 19 and shown.count("-") == 3
    assert rules.normalise_code(shown) == code
    assert rules.normalise_code(shown.lower().replace("-", " ")) == code


def test_code_is_the_digest_prefix() -> None:
    assert rules.code_of("0" * 64) == "0" * 16
    assert rules.code_of("f" * 64) == "Z" * 16
    # 80 bits: the first 20 hex digits decide the code, the rest do not
    assert rules.code_of("1" * 20 + "0" * 44) == rules.code_of("1" * 20 + "f" * 44)
    assert rules.code_of("1" * 20 + "0" * 44) != rules.code_of("1" * 19 + "2" + "0" * 44)


def test_normalise_code_reads_what_people_type() -> None:
    assert rules.normalise_code("o1il-0000-0000-0000") == "0111000000000000"
    for bad in ("", "ABCD", "ABCD-EFGH-JKMN-PQRSX", "ABCD-EFGH-JKMN-PQRU", "ABCD_EFGH_JKMN_PQRS"):
        assert rules.normalise_code(bad) is None


def test_mask_name() -> None:
    assert rules.mask_name("张丽") == "张*"
    assert rules.mask_name("欧阳明华") == "欧***"
    assert rules.mask_name("李") == "李*"
    assert rules.mask_name("  ") == ""


def test_largest_shortfalls() -> None:
    rows = [
        {"key": "a", "label": "甲", "gap": 3},
        {"key": "b", "label": "乙", "gap": 0},
        {"key": "c", "label": "丙", "gap": 5},
    ]
    rows.append({"key": "d", "label": "丁", "gap": 3})
    assert [r["key"] for r in rules.largest(rows, "gap", 2)] == ["c", "d"]  # 3s tie: by label (丁 < 甲)
    assert [r["key"] for r in rules.largest(rows, "gap", 10)] == ["c", "d", "a"]  # no zero gaps


def test_axis_floor_and_helpers() -> None:
    assert rules.axis_floor(0.953) == 0.9
    assert rules.axis_floor(0.95) == 0.9
    assert rules.axis_floor(0.02) == 0.0
    assert rules.share(1, 4) == 0.25 and rules.share(1, 0) is None
    assert rules.safe_filename("CY-001/../x") == "CY-001_.._x"
    assert [list(c) for c in rules.chunks([1, 2, 3], 2)] == [[1, 2], [3]]


def test_progress_dates_are_year_ends_then_the_day() -> None:
    start, end = date(2018, 1, 1), date(2020, 12, 31)
    assert progress_dates(start, end, date(2026, 11, 29)) == [
        date(2018, 12, 31),
        date(2019, 12, 31),
        date(2020, 12, 31),
        date(2026, 11, 29),
    ]
    assert progress_dates(start, end, date(2019, 3, 1)) == [date(2018, 12, 31), date(2019, 3, 1)]
    assert progress_dates(start, end, date(2017, 5, 1)) == [date(2017, 5, 1)]
    assert progress_dates(start, end, date(2020, 12, 31))[-1] == date(2020, 12, 31)


def test_a_fresh_worker_process_labels_every_code_the_templates_name() -> None:
    """A document renders in a worker process that may have imported nothing but ``reports.render``:
    every code a template labels (``label("StaffingPost")``) still has its Chinese label there (it
    printed "teacher" for 专任教师 in the kindergarten report's staffing table)."""
    root = Path(__file__).resolve().parents[2]
    script = (
        "import re\n"
        "from reports import render\n"
        "from kernel.codes import enum_named\n"
        "text = ''.join(p.read_text(encoding='utf-8') for p in render.TEMPLATES.glob('*.html'))\n"
        "names = set(re.findall(r'labels?\\(\"(\\w+)\"\\)', text))\n"
        "assert 'StaffingPost' in names and 'Post' in names, names\n"
        "print(sorted(n for n in names if enum_named(n) is None))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
