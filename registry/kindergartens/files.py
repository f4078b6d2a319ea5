"""The kindergartens as a file kind (``kernel.files``): the columns of the import template and the
export, the export's query, and a kindergarten row as column values (what the export writes and what
an import compares a row with when the kindergarten exists already)."""

from __future__ import annotations

from datetime import date
from typing import Any

from kernel.files import DATE, ENUM, ID, INT, Column, Export, Kind, T
from kernel.rows import as_day
from registry.kindergartens.codes import Demonstration, Grade, Ownership, ServiceType, TeacherModel

EXPORT_SQL = "SELECT k.* FROM kindergarten k WHERE 1 = 1{where} ORDER BY k.code"


def kindergarten_values(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": r["code"],
        "name": r["name"],
        "street": r["street"],
        "group": r["collab_group"],
        "ownership": r["ownership"],
        "grade": r["grade"],
        "demonstration": r["demonstration"],
        "service_type": r["service_type"],
        "teacher_model": r["teacher_model"],
        "classes_small": r["classes_small"],
        "classes_middle": r["classes_middle"],
        "classes_large": r["classes_large"],
        "classes_mixed": r["classes_mixed"],
        "classes_nursery": r["classes_nursery"],
        "children": r["children"],
        "places": r["places"],
        "opened_on": as_day(r["opened_on"]),
        "closed_on": as_day(r["closed_on"]),
    }


def _export_values(r: dict[str, Any], on: date) -> dict[str, Any]:
    return kindergarten_values(r)


KINDERGARTENS = Kind(
    "kindergartens",
    "园所",
    (
        Column("code", "园所代码", ID, required=True, note="字母、数字、-、_，全区唯一"),
        Column("name", "园所名称", T, required=True, width=24),
        Column("street", "街乡", T, required=True),
        Column("group", "协作组", INT, required=True, note="1–15"),
        Column("ownership", "办园性质", ENUM, required=True, enum=Ownership),
        Column("grade", "级类", ENUM, enum=Grade, note="默认 无级类"),
        Column("demonstration", "示范园", ENUM, enum=Demonstration, note="默认 非示范园"),
        Column("service_type", "办园形式", ENUM, enum=ServiceType, note="默认 全日制"),
        Column("teacher_model", "配班模式", ENUM, enum=TeacherModel, note="默认 两教一保"),
        Column("classes_small", "小班数", INT, field="classes.small", width=8),
        Column("classes_middle", "中班数", INT, field="classes.middle", width=8),
        Column("classes_large", "大班数", INT, field="classes.large", width=8),
        Column("classes_mixed", "混龄班数", INT, field="classes.mixed", width=8),
        Column("classes_nursery", "托班数", INT, field="classes.nursery", width=8),
        Column("children", "在园幼儿数", INT),
        Column("places", "核定学位数", INT),
        Column("opened_on", "开办日期", DATE),
        Column("closed_on", "停办日期", DATE),
    ),
    export=Export(EXPORT_SQL, kindergarten_column="k.id", values=_export_values),
)
