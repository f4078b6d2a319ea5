"""Pure rules of imports and exports: headers, cells, and the round trip of every column type."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk import rules
from bulk.columns import KINDS
from kernel.files import CellType, Column
from registry.staff.codes import Honour, Post, StaffStatus
from registry.staff.files import STAFF
from registry.staff.rules import make_id_number


def test_headers_match_chinese_names_field_names_and_marked_required() -> None:
    header = rules.map_header(STAFF, ["身份证号*", " 姓 名 ", "kindergarten_code", "岗位", "用工形式", "备注"], 1)
    assert set(header.positions) == {"id_number", "name", "kindergarten_code", "post", "employment"}
    assert header.ignored == ["备注"]
    full_width = rules.map_header(STAFF, ["ｉｄ＿ｎｕｍｂｅｒ"], 1)  # NFKC: full-width letters
    assert full_width.positions == {"id_number": 0}


def test_the_header_row_may_sit_under_a_title() -> None:
    rows = [["2025年教职工名单"], [], ["身份证号", "姓名", "园所代码", "岗位", "用工形式"], ["x"]]
    header = rules.find_header(STAFF, rows)
    assert header is not None and header.row == 3
    assert rules.find_header(STAFF, [["身份证号", "姓名"]]) is None
    assert [c.header for c in rules.missing_columns(STAFF, [["身份证号", "姓名"]])] == ["园所代码", "岗位", "用工形式"]


def test_a_column_given_twice_is_reported() -> None:
    header = rules.map_header(STAFF, ["身份证号", "id_number"], 1)
    assert header.duplicates == ["身份证号"]


ID = STAFF.column("id_number")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (110105199001011234, "以数字形式保存"),
        (1.10105199001011e17, "以数字形式保存"),
        ("1.10105E+17", "四舍五入"),
        ("110105********123X", "已打码"),
    ],
)
def test_identifiers_are_text_only(raw: Any, problem: str) -> None:
    with pytest.raises(rules.CellProblem, match=problem):
        rules.parse_cell(ID, raw)


def test_identifiers_keep_their_characters() -> None:
    assert rules.parse_cell(ID, " 11010519900101123x ") == "11010519900101123x"  # upper-cased by the schema
    number = KINDS["certificates"].column("number")
    assert rules.parse_cell(number, "000123") == "000123"


def test_codes_from_labels_codes_and_label_parts() -> None:
    post = STAFF.column("post")
    status = STAFF.column("status")
    assert rules.parse_cell(post, "专任教师") == Post.teacher
    assert rules.parse_cell(post, "Teacher") == Post.teacher
    assert rules.parse_cell(status, "休假") == StaffStatus.on_leave  # 离岗/休假
    with pytest.raises(rules.CellProblem, match="未知的取值 '教师'"):
        rules.parse_cell(post, "教师")
    honours = STAFF.column("honours")
    assert rules.parse_cell(honours, "市级骨干教师、学科带头人") == [Honour.city_backbone, Honour.subject_leader]


@pytest.mark.parametrize(
    "raw",
    ["2015-09-01", "2015/9/1", "2015.09.01", "2015年9月1日", "20150901", datetime(2015, 9, 1), date(2015, 9, 1)],
)
def test_dates_in_the_usual_spellings(raw: Any) -> None:
    assert rules.parse_cell(STAFF.column("hired_on"), raw) == date(2015, 9, 1)


def test_a_number_is_not_a_date_and_unknown_text_goes_to_the_schema() -> None:
    hired = STAFF.column("hired_on")
    with pytest.raises(rules.CellProblem, match="而不是日期"):
        rules.parse_cell(hired, 42248)
    assert rules.parse_cell(hired, "2015-13-01") == "2015-13-01"


def test_numbers_booleans_and_empties() -> None:
    hours = KINDS["credits"].column("hours")
    assert rules.parse_cell(hours, 12.3) == Decimal("12.3")
    assert rules.parse_cell(hours, "7.5") == Decimal("7.5")
    passed = KINDS["training-results"].column("passed")
    assert rules.parse_cell(passed, "是") is True
    assert rules.parse_cell(passed, "不合格") is False
    assert rules.parse_cell(passed, 1) is True
    with pytest.raises(rules.CellProblem):
        rules.parse_cell(passed, "也许")
    assert rules.parse_cell(STAFF.column("name"), "  ") is None
    group = KINDS["kindergartens"].column("group")
    assert rules.parse_cell(group, 3.0) == 3
    with pytest.raises(rules.CellProblem, match="应为整数"):
        rules.parse_cell(group, 3.5)


def test_csv_formula_guard_round_trips() -> None:
    name = STAFF.column("name")
    assert rules.csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert rules.parse_cell(name, rules.csv_safe("=HYPERLINK(1)")) == "=HYPERLINK(1)"
    assert rules.csv_safe("王芳") == "王芳"


def test_rows_report_cell_problems_and_missing_required_values() -> None:
    header = rules.map_header(STAFF, ["身份证号", "姓名", "园所代码", "岗位", "用工形式"], 1)
    row = rules.parse_row(STAFF, header, 2, [110105199001011234, "", "K1", "教师", "在编"])
    assert {(e.column, e.field) for e in row.errors} == {
        ("身份证号", "id_number"),
        ("姓名", "name"),
        ("岗位", "post"),
    }
    assert all(e.row == 2 for e in row.errors)


def test_valid_id_numbers_are_parsed_once_per_row() -> None:
    header = rules.map_header(STAFF, ["身份证号"], 1)
    good = make_id_number("110105", date(1990, 1, 1), 123)
    row = rules.parse_row(STAFF, header, 2, [good.lower()])
    assert row.id_number == good.upper() and row.id_problem is None
    bad = rules.parse_row(STAFF, header, 3, [good[:-1] + ("0" if good[-1] != "0" else "1")])
    assert bad.id_number is None and bad.id_problem and bad.id_problem.startswith("身份证号无效（校验位）")


def test_input_dicts_nest_fields() -> None:
    kg = KINDS["kindergartens"]
    values = {"code": "K1", "classes_small": 2, "classes_large": None}
    assert rules.input_dict(kg, values) == {"code": "K1", "classes": {"small": 2}}


# --- the round trip: what an export writes, an import reads back as the same value ---------------

SAMPLES: dict[CellType, Any] = {
    CellType.text: st.text(min_size=1, max_size=20).map(str.strip).filter(bool),
    CellType.ident: st.from_regex(r"[0-9A-Z][0-9A-Za-z:_-]{0,20}", fullmatch=True),
    CellType.int: st.integers(min_value=0, max_value=10_000),
    CellType.decimal: st.decimals(min_value=-9999, max_value=9999, places=2, allow_nan=False),
    CellType.date: st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)),
    CellType.bool: st.booleans(),
    CellType.text_list: st.lists(
        st.text(alphabet="望京街道朝阳门外 ab", min_size=1, max_size=8).map(str.strip).filter(bool),
        min_size=1,
        max_size=4,
    ),
}
ALL_COLUMNS = sorted(
    {(k.name, c.key): c for k in KINDS.values() for c in k.columns if c.imported}.items(), key=lambda kv: kv[0]
)


def _values(column: Column) -> Any:
    if column.cell == CellType.enum:
        assert column.enum is not None
        return st.sampled_from([m.value for m in column.enum])
    if column.cell == CellType.enum_list:
        assert column.enum is not None
        return st.lists(st.sampled_from([m.value for m in column.enum]), unique=True, min_size=1)
    return SAMPLES[column.cell]


@pytest.mark.parametrize(("name", "column"), [pytest.param(n, c, id=f"{n[0]}.{n[1]}") for n, c in ALL_COLUMNS])
def test_every_column_reads_back_what_it_writes(name: tuple[str, str], column: Column) -> None:
    @given(_values(column))
    def check(value: Any) -> None:
        if column.cell == CellType.text and (value[:1] in "=+-@" or "\x00" in value):
            value = "x" + value
        as_xlsx = rules.render(column, value)
        as_csv = (
            rules.csv_safe(rules.render_text(column, value))
            if column.cell in (CellType.text, CellType.ident)
            else (rules.render_text(column, value))
        )
        for cell in (as_xlsx, as_csv):
            back = rules.parse_cell(column, cell)
            if column.cell == CellType.text:
                assert back == rules._text(value)
            else:
                assert back == value, (cell, back, value)

    check()


@pytest.mark.parametrize("text", ["'=", "''=SUM(A1)", "'+1", "'-", "=x", "'plain"])
def test_text_that_looks_escaped_reads_back_unchanged(text: str) -> None:
    """A text that starts with quote marks and a formula character (found by the property test:
    "'=") keeps them through export and import, in .xlsx and CSV alike."""
    column = Column("note", "备注", CellType.text)
    assert rules.parse_cell(column, rules.render(column, text)) == text
    assert rules.parse_cell(column, rules.csv_safe(rules.render_text(column, text))) == text
