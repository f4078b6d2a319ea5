"""The columns of every import and export kind, in one place.

Templates, imports and exports all read these definitions, so a file the registry exports imports
back unchanged (tested: export -> import changes nothing). A column's ``header`` is its Chinese
name in files; ``key`` names the value in the registry (the API's field name where there is one),
``field`` the input schema's field it feeds (``classes.small`` for nested ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from kernel.codes import (
    LABELS,
    CertificateStatus,
    CertificateType,
    CourseCategory,
    CreditSource,
    Demonstration,
    Education,
    Employment,
    Grade,
    Honour,
    Ownership,
    PoolSource,
    Post,
    ServiceType,
    Sex,
    StaffingPost,
    StaffStatus,
    TeacherModel,
    Title,
)


class CellType(StrEnum):
    text = "text"  # free text
    ident = "ident"  # an identifier (ID number, certificate number, code): text only, never a number
    int = "int"
    decimal = "decimal"
    date = "date"
    bool = "bool"  # 是/否
    enum = "enum"  # a code, written as its Chinese label (the code itself is accepted too)
    enum_list = "enum_list"  # several codes, separated by 、 , ; or /
    text_list = "text_list"  # several names (streets), separated by 、 , or ;


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    cell: CellType = CellType.text
    required: bool = False
    enum: type[StrEnum] | None = None
    field: str = ""  # the input schema's field it feeds or is reported as ("": the key)
    lookup: bool = False  # read to find a record (a person, a session), not passed to the schema as is
    imported: bool = True  # read by imports (else: shown for people, ignored when read back)
    in_template: bool = True
    exported: bool = True
    note: str = ""
    width: int = 14

    @property
    def schema_field(self) -> str:
        return self.field or self.key


def info(key: str, header: str, note: str = "", width: int = 12, in_template: bool = True) -> Column:
    """A column shown for people (a name next to an ID number): exported, ignored on import."""
    return Column(key, header, imported=False, in_template=in_template, note=note, width=width)


def derived(key: str, header: str, type_: CellType = CellType.text, enum: type[StrEnum] | None = None) -> Column:
    """A column only exports have (derived or kept by the registry); ignored on import."""
    return Column(key, header, type_, enum=enum, imported=False, in_template=False)


@dataclass(frozen=True)
class Kind:
    name: str  # as in URLs: /imports/{name}, /exports/{name}.xlsx
    label: str  # Chinese, for file and sheet names
    columns: tuple[Column, ...]
    importable: bool = True
    exportable: bool = True
    note: str = ""

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @cached_property
    def imported(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.imported)

    @cached_property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @cached_property
    def template(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.in_template)

    @cached_property
    def exported(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.exported)


T, ID, INT, DEC, DATE, BOOL, ENUM, LIST = (
    CellType.text,
    CellType.ident,
    CellType.int,
    CellType.decimal,
    CellType.date,
    CellType.bool,
    CellType.enum,
    CellType.enum_list,
)
ID_NOTE = "18 位身份证号，末位可为 X；请把这一列设为文本格式"

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
)

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
    note="一人一条记录：身份证号已登记的人员不会重复导入",
)

CERTIFICATES = Kind(
    "certificates",
    "证书",
    (
        Column("id_number", "身份证号", ID, required=True, lookup=True, note=ID_NOTE, width=22),
        info("name", "姓名", note="仅供核对，不导入"),
        derived("kindergarten_code", "园所代码"),
        Column("type", "证书类型", ENUM, required=True, enum=CertificateType, width=20),
        Column("number", "证书编号", ID, required=True, note="文本格式；教师资格证为 17 位数字", width=22),
        Column("issuer", "发证机构", T, width=20),
        Column("issued_on", "发证日期", DATE, required=True),
        Column("expires_on", "有效期至", DATE, note="长期有效不填"),
        derived("status", "证书状态", ENUM, CertificateStatus),
        derived("reason", "状态说明"),
    ),
)

TRAINING_RESULTS = Kind(
    "training-results",
    "培训成绩",
    (
        Column("id_number", "身份证号", ID, required=True, lookup=True, note=ID_NOTE, width=22),
        info("name", "姓名", note="仅供核对，不导入"),
        Column("course_code", "课程代码", ID, required=True, lookup=True),
        Column("session_starts_on", "开班日期", DATE, required=True, lookup=True, note="班次的第一天"),
        Column(
            "session_id",
            "班次编号",
            INT,
            lookup=True,
            note="同一课程同一天开班的班次不止一个时填写（登记系统的班次 id）",
        ),
        Column("hours", "学时", DEC, required=True, note="实际参加的学时，最多为课程学时"),
        Column("passed", "是否合格", BOOL, required=True, note="是 / 否"),
        Column("score", "成绩", DEC, note="0–100"),
        Column("completed_on", "完成日期", DATE, note="不填为班次最后一天"),
    ),
    exportable=False,
    note="人员须已报名该班次；合格成绩同时记入继续教育学分",
)

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
    note="学分台账只增不改：更正请用冲销（API）",
)

POOL_CERTIFICATES = 3  # certificate column groups of a pool candidate's row (证书1… 证书3)


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
    exportable=False,
    note="已在储备库的人员不会重复导入；已在岗的教职工不能进入储备库",
)


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
    note="按 幼儿园教职工配备标准（暂行）与 托儿所幼儿园卫生保健管理办法 计算；最后一行为合计",
)

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
    note="按所选评审用途和日期逐人判断（GET /eligibility 的全部结果）；师德一票否决优先于其他条件",
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (KINDERGARTENS, STAFF, CERTIFICATES, TRAINING_RESULTS, CREDITS, POOL_CANDIDATES, GAPS, ELIGIBILITY)
}


def importable() -> list[str]:
    return [name for name, k in KINDS.items() if k.importable]


def exportable() -> list[str]:
    return [name for name, k in KINDS.items() if k.exportable]
