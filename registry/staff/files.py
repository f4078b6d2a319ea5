"""Staff members as a file kind (``kernel.files``): the columns of the import template and the
export, the export's query (each person with their kindergarten), and a staff row as column values
(what the export writes and what an import compares a row with when the person is registered)."""

from __future__ import annotations

from datetime import date
from typing import Any

from kernel.files import DATE, ENUM, ID, ID_NOTE, LIST, Column, Export, Kind, T, derived
from kernel.rows import as_day, json_list
from registry.staff.codes import Education, Employment, Honour, Post, Sex, StaffStatus, Title

EXPORT_SQL = (
    "SELECT s.*, k.code AS kindergarten_code, k.name AS kindergarten_name "
    "FROM staff s JOIN kindergarten k ON k.id = s.kindergarten WHERE 1 = 1{where} ORDER BY k.code, s.name, s.id"
)


def staff_values(r: dict[str, Any]) -> dict[str, Any]:
    """A staff row joined with its kindergarten (``kindergarten_code``, ``kindergarten_name``)."""
    return {
        "id_number": r["id_number"],
        "name": r["name"],
        "kindergarten_code": r["kindergarten_code"],
        "kindergarten_name": r.get("kindergarten_name"),
        "post": r["post"],
        "employment": r["employment"],
        "title": r["title"],
        "honours": json_list(r["honours"]),
        "education": r["education"],
        "hired_on": as_day(r["hired_on"]),
        "status": r["status"],
        "left_on": as_day(r["left_on"]),
        "sex": r.get("sex"),
        "birth_date": as_day(r.get("birth_date")),
    }


def _export_values(r: dict[str, Any], on: date) -> dict[str, Any]:
    return staff_values(r)


STAFF = Kind(
    "staff",
    "教职工",
    (
        Column("id_number", "身份证号", ID, required=True, note=ID_NOTE, width=22),
        Column("name", "姓名", T, required=True),
        Column("kindergarten_code", "园所代码", ID, required=True, field="kindergarten_id", lookup=True),
        derived("kindergarten_name", "园所名称"),
        Column("post", "岗位", ENUM, required=True, enum=Post),
        Column("employment", "用工形式", ENUM, required=True, enum=Employment),
        Column("title", "职称", ENUM, enum=Title, note="默认 未定级"),
        Column("honours", "荣誉称号", LIST, enum=Honour, note="可填多个，用顿号分隔", width=20),
        Column("education", "学历", ENUM, enum=Education),
        Column("hired_on", "入职日期", DATE),
        Column("status", "在岗状态", ENUM, enum=StaffStatus, note="默认 在岗"),
        Column("left_on", "离职日期", DATE, note="离职人员填写；不填为今天"),
        derived("sex", "性别", ENUM, Sex),
        derived("birth_date", "出生日期", DATE),
    ),
    export=Export(EXPORT_SQL, kindergarten_column="s.kindergarten", values=_export_values),
    note="一人一条记录：身份证号已登记的人员不会重复导入",
)
