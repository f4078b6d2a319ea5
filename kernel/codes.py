"""The API's codes (../shared/API.md) and their Chinese labels (DOMAIN.md).

Codes are a public contract: extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum


class Ownership(StrEnum):
    public = "public"
    inclusive_private = "inclusive_private"
    private = "private"
    community_site = "community_site"
    unlicensed = "unlicensed"


class Grade(StrEnum):
    g1_1 = "1-1"
    g1_2 = "1-2"
    g1_3 = "1-3"
    g2_1 = "2-1"
    g2_2 = "2-2"
    g2_3 = "2-3"
    g3_1 = "3-1"
    g3_2 = "3-2"
    g3_3 = "3-3"
    none = "none"


class Demonstration(StrEnum):
    none = "none"
    district = "district"
    city = "city"


class ServiceType(StrEnum):
    full_day = "full_day"
    half_day = "half_day"
    boarding = "boarding"


class TeacherModel(StrEnum):
    """Staffing model of a full-day kindergarten (教职工配备标准): 2 teachers + 1 worker, or 3 teachers."""

    two_plus_one = "two_plus_one"
    three_teacher = "three_teacher"


class Post(StrEnum):
    principal = "principal"
    vice_principal = "vice_principal"
    teacher = "teacher"
    childcare_worker = "childcare_worker"
    health_doctor = "health_doctor"
    other = "other"


class Employment(StrEnum):
    establishment = "establishment"
    contract = "contract"
    agency = "agency"
    purchased_service = "purchased_service"
    rehired_retiree = "rehired_retiree"


class Title(StrEnum):
    none = "none"
    level3 = "level3"
    level2 = "level2"
    level1 = "level1"
    senior = "senior"
    professor = "professor"


TITLE_ORDER = [Title.none, Title.level3, Title.level2, Title.level1, Title.senior, Title.professor]


class Honour(StrEnum):
    special_grade = "special_grade"
    city_backbone = "city_backbone"
    district_backbone = "district_backbone"
    subject_leader = "subject_leader"


class Education(StrEnum):
    secondary = "secondary"  # 中专/高中
    associate = "associate"  # 大专
    bachelor = "bachelor"  # 本科
    master = "master"  # 硕士
    doctorate = "doctorate"  # 博士


class StaffStatus(StrEnum):
    on_post = "on_post"
    on_leave = "on_leave"
    pending_induction = "pending_induction"
    left = "left"


class Sex(StrEnum):
    male = "male"
    female = "female"


class CertificateType(StrEnum):
    teacher_qualification = "teacher_qualification"
    principal_qualification = "principal_qualification"
    post_certificate = "post_certificate"
    doctor_licence = "doctor_licence"
    nurse_licence = "nurse_licence"
    health_care_training = "health_care_training"
    childcare_certificate = "childcare_certificate"
    safety_training = "safety_training"
    family_education_instructor = "family_education_instructor"
    special_education = "special_education"


class CertificateStatus(StrEnum):
    valid = "valid"
    expired = "expired"
    suspended = "suspended"
    revoked = "revoked"


class RegistrationResult(StrEnum):
    """定期注册 outcomes: 注册合格, 暂缓注册, 注册不合格."""

    passed = "passed"
    deferred = "deferred"
    failed = "failed"


class Role(StrEnum):
    district_hr = "district_hr"
    kindergarten_admin = "kindergarten_admin"
    teacher = "teacher"
    inspector = "inspector"


class CourseCategory(StrEnum):
    general = "general"
    key = "key"
    ethics = "ethics"
    safety = "safety"
    family = "family"
    special_education = "special_education"
    induction = "induction"
    principal = "principal"
    health_care = "health_care"


class CourseLevel(StrEnum):
    city = "city"
    district = "district"
    group = "group"
    kindergarten = "kindergarten"


class CourseMode(StrEnum):
    in_person = "in_person"
    online = "online"
    practice = "practice"


class CreditSource(StrEnum):
    training = "training"
    research = "research"
    studio = "studio"
    mentoring = "mentoring"
    competition = "competition"
    publication = "publication"
    recognition = "recognition"


class CreditStatus(StrEnum):  # a credit transcript's status in its registration cycle
    complete = "complete"
    on_track = "on_track"
    behind = "behind"
    at_risk = "at_risk"


class Purpose(StrEnum):  # what credit eligibility is asked for
    title = "title"  # type: ignore[assignment]
    backbone = "backbone"
    award = "award"
    promotion = "promotion"
    registration = "registration"


class EthicsGrade(StrEnum):
    excellent = "excellent"
    qualified = "qualified"
    basically_qualified = "basically_qualified"
    unqualified = "unqualified"


class SanctionKind(StrEnum):
    warning = "warning"
    demerit = "demerit"
    post_grade_lowered = "post_grade_lowered"
    removal = "removal"
    dismissal = "dismissal"


class SanctionOutcome(StrEnum):
    decided = "decided"  # the first decision
    changed = "changed"  # an appeal (申诉/复核) changed the sanction it supersedes
    lifted = "lifted"  # an appeal lifted the sanction it supersedes


LABELS: dict[type[StrEnum], dict[str, str]] = {
    Ownership: {
        "public": "公办",
        "inclusive_private": "普惠性民办",
        "private": "民办",
        "community_site": "社区办园点",
        "unlicensed": "无证",
    },
    ServiceType: {"full_day": "全日制", "half_day": "半日制", "boarding": "寄宿制"},
    Post: {
        "principal": "园长",
        "vice_principal": "副园长",
        "teacher": "专任教师",
        "childcare_worker": "保育员",
        "health_doctor": "保健医",
        "other": "其他",
    },
    Employment: {
        "establishment": "在编",
        "contract": "编外合同",
        "agency": "劳务派遣",
        "purchased_service": "政府购买服务",
        "rehired_retiree": "退休返聘",
    },
    StaffStatus: {
        "on_post": "在岗",
        "on_leave": "离岗/休假",
        "pending_induction": "待岗培训",
        "left": "离职",
    },
    Title: {
        "none": "未定级",
        "level3": "三级",
        "level2": "二级",
        "level1": "一级",
        "senior": "高级",
        "professor": "正高级",
    },
    Honour: {
        "special_grade": "特级教师",
        "city_backbone": "市级骨干教师",
        "district_backbone": "区级骨干教师",
        "subject_leader": "学科带头人",
    },
    Demonstration: {"none": "非示范园", "district": "区级示范园", "city": "市级示范园"},
    Education: {
        "secondary": "中专/高中",
        "associate": "大专",
        "bachelor": "本科",
        "master": "硕士",
        "doctorate": "博士",
    },
    Role: {
        "district_hr": "区教委人事",
        "kindergarten_admin": "园所管理员",
        "teacher": "教师",
        "inspector": "督学",
    },
    Sex: {"male": "男", "female": "女"},
    CertificateType: {
        "teacher_qualification": "教师资格证",
        "principal_qualification": "园长岗位培训合格证书",
        "post_certificate": "上岗证",
        "doctor_licence": "医师执业证书",
        "nurse_licence": "护士执业证书",
        "health_care_training": "保健员培训合格证",
        "childcare_certificate": "保育员上岗证",
        "safety_training": "安全培训合格证",
        "family_education_instructor": "家庭教育指导师证",
        "special_education": "特殊教育培训证",
    },
    CertificateStatus: {"valid": "有效", "expired": "过期", "suspended": "暂停", "revoked": "撤销"},
    RegistrationResult: {"passed": "注册合格", "deferred": "暂缓注册", "failed": "注册不合格"},
    CourseCategory: {
        "general": "通识培训",
        "key": "重点培训",
        "ethics": "师德培训",
        "safety": "安全培训",
        "family": "家园共育",
        "special_education": "特殊教育",
        "induction": "任职资格培训",
        "principal": "园长培训",
        "health_care": "卫生保健培训",
    },
    CourseLevel: {"city": "市级", "district": "区级", "group": "片级/协作组", "kindergarten": "园级"},
    CourseMode: {"in_person": "面授", "online": "网络研修", "practice": "实践"},
    CreditSource: {
        "training": "培训",
        "research": "课题研究",
        "studio": "名师工作室",
        "mentoring": "手拉手结对",
        "competition": "教学竞赛",
        "publication": "论文著作",
        "recognition": "学分认定",
    },
    CreditStatus: {"complete": "已完成", "on_track": "进度正常", "behind": "进度落后", "at_risk": "有风险"},
    Purpose: {
        "title": "职称评定",
        "backbone": "骨干选拔",
        "award": "评优评先",
        "promotion": "岗位晋升",
        "registration": "教师资格定期注册",
    },
    EthicsGrade: {
        "excellent": "优秀",
        "qualified": "合格",
        "basically_qualified": "基本合格",
        "unqualified": "不合格",
    },
    SanctionKind: {
        "warning": "警告",
        "demerit": "记过",
        "post_grade_lowered": "降低岗位等级",
        "removal": "撤职",
        "dismissal": "开除",
    },
    SanctionOutcome: {"decided": "原处理", "changed": "变更", "lifted": "撤销处分"},
}


def label(enum: type[StrEnum], code: str) -> str:
    return LABELS.get(enum, {}).get(code, code)


# --- staffing and the reserve talent pool (issue 5) ----------------------------------------------


class PoolSource(StrEnum):
    """Where a reserve-pool candidate comes from (行动计划 五(一): 多渠道增加师资供给)."""

    purchased_service = "purchased_service"
    university = "university"
    retired_teacher = "retired_teacher"
    non_establishment = "non_establishment"


class CandidateStatus(StrEnum):
    available = "available"
    placed = "placed"
    withdrawn = "withdrawn"


class StaffingPost(StrEnum):
    """The posts the staffing standard counts; ``principal`` covers principals and vice principals."""

    teacher = "teacher"
    childcare_worker = "childcare_worker"
    principal = "principal"
    health_doctor = "health_doctor"


class PlannedKind(StrEnum):
    new_kindergarten = "new_kindergarten"
    expansion = "expansion"


class ClassBand(StrEnum):
    """Age bands with a class size in 幼儿园工作规程 art. 11."""

    small = "small"
    middle = "middle"
    large = "large"
    mixed = "mixed"


LABELS[PoolSource] = {
    "purchased_service": "政府购买服务",
    "university": "高校实习就业",
    "retired_teacher": "退休教师",
    "non_establishment": "编外具备资质人员",
}
LABELS[CandidateStatus] = {"available": "可安置", "placed": "已安置", "withdrawn": "已退出"}
LABELS[StaffingPost] = {
    "teacher": "专任教师",
    "childcare_worker": "保育员",
    "principal": "园长(含副园长)",
    "health_doctor": "卫生保健人员",
}
LABELS[PlannedKind] = {"new_kindergarten": "新建园", "expansion": "扩建/增班"}
LABELS[ClassBand] = {"small": "小班", "middle": "中班", "large": "大班", "mixed": "混龄班"}


# --- labels used by the Excel/CSV templates, imports and exports (issue 6) -------------------------

LABELS[Grade] = {
    "1-1": "一级一类",
    "1-2": "一级二类",
    "1-3": "一级三类",
    "2-1": "二级一类",
    "2-2": "二级二类",
    "2-3": "二级三类",
    "3-1": "三级一类",
    "3-2": "三级二类",
    "3-3": "三级三类",
    "none": "无级类",
}
LABELS[TeacherModel] = {"two_plus_one": "两教一保", "three_teacher": "三教"}


# --- PDF reports (issue 6) ---------------------------------------------------------------------------


class ReportKind(StrEnum):
    """The kinds of PDF document the registry issues (each with a verification code)."""

    staff_certificates = "staff_certificates"
    credit_transcript = "credit_transcript"
    kindergarten_staffing = "kindergarten_staffing"
    district_staffing = "district_staffing"
    district_compliance = "district_compliance"
    ethics_vetoes = "ethics_vetoes"


LABELS[ReportKind] = {
    "staff_certificates": "教职工证书情况报告",
    "credit_transcript": "继续教育学分证明",
    "kindergarten_staffing": "幼儿园师资配备报告",
    "district_staffing": "全区师资配备报告",
    "district_compliance": "全区持证上岗情况报告",
    "ethics_vetoes": "师德一票否决名单",
}
