"""The staffing package's file kinds (``kernel.files``): reserve-pool candidates (imported only; a
row carries up to three certificates) and the staffing gaps (exported only: ``staffing.gaps.gaps``,
every row and then the total)."""

from __future__ import annotations

from typing import Any

from kernel.auth import Principal
from kernel.codes import LABELS, CertificateType
from kernel.common.time import today
from kernel.errors import BadRequest, FieldError
from kernel.files import (
    DATE,
    ENUM,
    ID,
    ID_NOTE,
    INT,
    LIST,
    CellType,
    Column,
    Computed,
    ComputedExport,
    ExportArgs,
    Kind,
    T,
    derived,
)
from kernel.i18n import F_, _
from registry.staff.codes import Education, Post
from staffing.codes import PoolSource, StaffingPost
from staffing.gaps import gaps

POOL_CERTIFICATES = 3  # certificate column groups of a pool candidate's row (证书1… 证书3)
GAP_BY = ("kindergarten", "street", "group", "ownership", "district")


def _pool_certificate_columns() -> tuple[Column, ...]:
    columns: list[Column] = []
    for i in range(1, POOL_CERTIFICATES + 1):
        base = f"certificates.{i - 1}"
        columns += [
            Column(f"cert{i}_type", f"证书{i}类型", ENUM, enum=CertificateType, field=f"{base}.type", lookup=True),
            Column(f"cert{i}_number", f"证书{i}编号", ID, field=f"{base}.number", lookup=True, width=20),
            Column(f"cert{i}_issuer", f"证书{i}发证机构", T, field=f"{base}.issuer", lookup=True),
            Column(f"cert{i}_issued_on", f"证书{i}发证日期", DATE, field=f"{base}.issued_on", lookup=True),
            Column(f"cert{i}_expires_on", f"证书{i}有效期至", DATE, field=f"{base}.expires_on", lookup=True),
        ]
    return tuple(columns)


POOL_CANDIDATES = Kind(
    "pool-candidates",
    "储备人才",
    (
        Column("id_number", "身份证号", ID, required=True, note=ID_NOTE, width=22),
        Column("name", "姓名", T, required=True),
        Column("source", "来源渠道", ENUM, required=True, enum=PoolSource, width=18),
        Column("posts", "意向岗位", LIST, required=True, enum=Post, note="可填多个，用顿号分隔", width=18),
        Column("streets", "意向街乡", CellType.text_list, note="可填多个，用顿号分隔；不填为不限", width=20),
        Column("education", "学历", ENUM, enum=Education),
        Column("available_from", "可到岗日期", DATE, required=True),
        Column("available_to", "可到岗截止日期", DATE),
        Column("note", "备注", T, width=24),
        *_pool_certificate_columns(),
    ),
    note="已在储备库的人员不会重复导入；已在岗的教职工不能进入储备库",
)


async def gap_rows(who: Principal, by: str, kindergarten_id: int | None) -> list[dict[str, Any]]:
    """The staffing gaps (``staffing.gaps.gaps``: the standard per kindergarten, rolled up by ``by``),
    every row and then the total, scoped as the JSON endpoint scopes them."""

    if by not in GAP_BY:
        raise BadRequest(
            _("by must be one of {choices}", choices=", ".join(GAP_BY)), [FieldError(F_("by"), _("unknown grouping"))]
        )
    out = await gaps(who, by=by, kindergarten_id=kindergarten_id, limit=10**9, offset=0)  # type: ignore[arg-type]
    rows = []
    for row in [*out.rows, out.total]:
        values: dict[str, Any] = {
            "key": row.key,
            "label": row.label,
            "kindergartens": row.kindergartens,
            "classes": row.classes,
            "children": row.children,
            "places": row.places,
            "gap": row.gap,
        }
        for post in row.posts:
            for part in ("required", "on_post", "qualified", "gap"):
                values[f"{post.post.value}_{part}"] = getattr(post, part)
        rows.append(values)
    return rows


async def _gap_export(who: Principal, args: ExportArgs) -> Computed:
    """The gaps export: by kindergarten unless ``by`` says otherwise; the file is named by the day."""
    rows = await gap_rows(who, args.by or "kindergarten", args.kindergarten_id)
    return Computed(rows, today().isoformat())


def _gap_columns() -> tuple[Column, ...]:

    columns: list[Column] = []
    for post in StaffingPost:
        label = LABELS[StaffingPost][post.value]
        for part, text in (("required", "应配"), ("on_post", "在岗"), ("qualified", "合格在岗"), ("gap", "缺口")):
            columns.append(derived(f"{post.value}_{part}", f"{label}{text}", INT))
    return tuple(columns)


GAPS = Kind(
    "gaps",
    "缺编情况",
    (
        derived("key", "代码"),
        derived("label", "名称"),
        derived("kindergartens", "园所数", INT),
        derived("classes", "班级数", INT),
        derived("children", "在园幼儿数", INT),
        derived("places", "核定学位数", INT),
        *_gap_columns(),
        derived("gap", "缺口合计", INT),
    ),
    importable=False,
    export=ComputedExport(_gap_export, parameters=("by",)),
    note="按 幼儿园教职工配备标准（暂行）与 托儿所幼儿园卫生保健管理办法 计算；最后一行为合计",
)
