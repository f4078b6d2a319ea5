"""Credits-ledger entries as a file kind (``kernel.files``): the columns of the import template and
the export, the export's query (each entry with its person; the year filters on the entry's date), and
an entry as column values (what the export writes and what an import compares a row with when an
entry of the same source and reference exists already)."""

from __future__ import annotations

from datetime import date
from typing import Any

from credits.codes import CourseCategory, CreditSource
from credits.ledger import note_words
from kernel.files import DATE, DEC, ENUM, ID, ID_NOTE, CellType, Column, Export, Kind, T, derived, info
from kernel.rows import as_day, as_decimal

EXPORT_SQL = (
    "SELECT ce.*, s.id_number, s.name, k.code AS kindergarten_code FROM credit_entry ce "
    "JOIN staff s ON s.id = ce.staff JOIN kindergarten k ON k.id = s.kindergarten "
    "WHERE 1 = 1{where} ORDER BY k.code, s.name, s.id, ce.entry_date, ce.id"
)


def credit_values(r: dict[str, Any]) -> dict[str, Any]:
    """A ledger row joined with its person (``id_number``, ``name``, ``kindergarten_code``)."""
    return {
        "id_number": r["id_number"],
        "name": r.get("name"),
        "kindergarten_code": r.get("kindergarten_code"),
        "date": as_day(r["entry_date"]),
        "category": r["category"],
        "source": r["source"],
        "hours": as_decimal(r["hours"]),
        "credits": as_decimal(r["credits"]),
        "reference": r["reference"],
        # the registry's own notes in the reader's language, in the file and in the comparison alike (an
        # exported file imported again changes nothing); the stored note never changes
        "reason": note_words(r["reason"]) if r["reason"] else None,
        "school_year": r.get("school_year"),
        "entry_id": r.get("id"),
        "reverses": r.get("reverses"),
        "recorded_by": r.get("recorded_by"),
    }


def _export_values(r: dict[str, Any], on: date) -> dict[str, Any]:
    return credit_values(r)


CREDITS = Kind(
    "credits",
    "继续教育学分",
    (
        Column("id_number", "身份证号", ID, required=True, lookup=True, note=ID_NOTE, width=22),
        info("name", "姓名", note="仅供核对，不导入"),
        derived("kindergarten_code", "园所代码"),
        Column("date", "日期", DATE, required=True),
        Column("category", "类别", ENUM, required=True, enum=CourseCategory),
        Column("source", "来源", ENUM, required=True, enum=CreditSource),
        Column("hours", "学时", DEC, required=True),
        Column("credits", "学分", DEC, note="不填按政策由学时折算；只有区教委人事可直接填写"),
        Column("reference", "编号", ID, note="同一来源内唯一（如课题编号）；重复导入不会重复记分", width=20),
        Column("reason", "说明", T, width=24),
        derived("school_year", "学年"),
        derived("entry_id", "条目号", CellType.int),
        derived("reverses", "冲销条目号", CellType.int),
        derived("recorded_by", "录入人"),
    ),
    export=Export(EXPORT_SQL, kindergarten_column="s.kindergarten", year_column="ce.entry_date", values=_export_values),
    note="学分台账只增不改：更正请用冲销（API）",
)
