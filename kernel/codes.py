"""The codes every layer shares (roles; certificate types and statuses, which the policy, training,
certificates and ethics all name) and the registry of Chinese labels (DOMAIN.md) that every
domain's own ``codes.py`` adds its codes' labels to (``LABELS[Enum] = {...}``, next to the enum, so
a label is known wherever its enum is).

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.i18n import current_locale


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


class Role(StrEnum):
    district_hr = "district_hr"
    kindergarten_admin = "kindergarten_admin"
    teacher = "teacher"
    inspector = "inspector"


LABELS: dict[type[StrEnum], dict[str, str]] = {
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
    Role: {
        "district_hr": "区教委人事",
        "kindergarten_admin": "园所管理员",
        "teacher": "教师",
        "inspector": "督学",
    },
}


def label(enum: type[StrEnum], code: str) -> str:
    return LABELS.get(enum, {}).get(code, code)


def term(enum: type[StrEnum], code: str) -> str:
    """A code inside a message, as its reader reads it: the Chinese label for a Chinese reader, the
    code itself in English (``_("a {kind} caps the grade", kind=term(SanctionKind, kind))``)."""
    return label(enum, code) if current_locale() == "zh" else code


def enum_named(name: str) -> type[StrEnum] | None:
    """The labelled enum of that class name (templates name them: ``label("Post")``)."""
    for enum in LABELS:
        if enum.__name__ == name:
            return enum
    return None
