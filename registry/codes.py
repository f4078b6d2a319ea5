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
}


def label(enum: type[StrEnum], code: str) -> str:
    return LABELS.get(enum, {}).get(code, code)
