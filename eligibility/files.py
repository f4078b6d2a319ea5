"""The eligibility batch as a file kind (``kernel.files``): exported only, one row per person of
``eligibility.services.eligibility_batch`` for one purpose and day, with the rules not met in words."""

from __future__ import annotations

from datetime import date
from typing import Any

from eligibility.codes import Purpose
from eligibility.rosters import roster_of
from eligibility.rules import reasons_in_words
from eligibility.services import eligibility_batch
from kernel.auth import Principal
from kernel.codes import label
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.errors import BadRequest, FieldError
from kernel.files import BOOL, ENUM, ID, Column, Computed, ComputedExport, ExportArgs, Kind, T, derived
from kernel.i18n import _
from registry.staff.codes import Post, Title


async def eligibility_rows(who: Principal, purpose: str, on: date, kindergarten_id: int | None) -> list[dict[str, Any]]:
    """Everyone of the batch eligibility answer (``eligibility.services.eligibility_batch``, scoped as the
    JSON endpoint), with the kindergarten and the ID number, and the rules not met in words."""

    out = await eligibility_batch(who, purpose, kindergarten_id, on, limit=10**9, offset=0)
    # the answer names the kindergartens; the ID numbers (masked later for all but HR) are read here
    condition, args = roster_of(on, Purpose(purpose), out.kindergarten_id)
    sql = "SELECT s.id, s.id_number FROM staff s WHERE " + condition
    id_numbers = {r["id"]: r["id_number"] for r in await fetch_all(sql, *args)}
    return [
        {
            "kindergarten_code": item.kindergarten_code,
            "kindergarten_name": item.kindergarten_name,
            "name": item.name,
            "id_number": id_numbers.get(item.staff_id),
            "post": item.post,
            "title": item.title,
            "eligible": item.eligible,
            "failing": reasons_in_words(item.failing),
        }
        for item in out.items
    ]


async def _eligibility_export(who: Principal, args: ExportArgs) -> Computed:
    """The eligibility export: a purpose is required, the day is today unless ``on`` says otherwise;
    the file is named by both."""
    if args.purpose is None:
        raise BadRequest(_("the eligibility export needs a purpose"), [FieldError("purpose", _("is required"))])
    day = args.on or today()
    rows = await eligibility_rows(who, args.purpose, day, args.kindergarten_id)
    return Computed(rows, f"{label(Purpose, args.purpose)}_{day.isoformat()}")


ELIGIBILITY = Kind(
    "eligibility",
    "评审资格",
    (
        derived("kindergarten_code", "园所代码", ID),
        derived("kindergarten_name", "园所名称"),
        Column("name", "姓名", T, imported=False, in_template=False),
        Column("id_number", "身份证号", ID, imported=False, in_template=False, width=22),
        derived("post", "岗位", ENUM, enum=Post),
        derived("title", "职称", ENUM, enum=Title),
        derived("eligible", "是否符合", BOOL),
        Column("failing", "未满足的条件", T, imported=False, in_template=False, width=80),
    ),
    importable=False,
    export=ComputedExport(_eligibility_export, parameters=("purpose", "on")),
    note="按所选评审用途和日期逐人判断（GET /eligibility 的全部结果）；师德一票否决优先于其他条件",
)
