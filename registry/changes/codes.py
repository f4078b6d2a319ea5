"""The change requests' codes (issue 15): their status, and the kinds of write that may need review."""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class ChangeStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


class ChangeKind(StrEnum):
    """A write that a role's policy may send for review; each is the write of one API endpoint."""

    staff_create = "staff.create"  # POST /staff
    staff_onboard = "staff.onboard"  # POST /staff/onboarding: a new person with certificates and training
    staff_update = "staff.update"  # PATCH /staff/{id}: other fields
    staff_name = "staff.name"  # PATCH /staff/{id} changing only the name (a typo's correction)
    staff_status = "staff.status"  # PATCH /staff/{id} changing the status (on post, on leave, left)
    staff_transfer = "staff.transfer"  # POST /staff/{id}/transfer
    certificate_create = "certificate.create"
    certificate_update = "certificate.update"  # details, suspend, revoke, reinstate
    certificate_register = "certificate.register"  # a 定期注册 recorded
    training_result = "training.result"
    ethics_evaluation = "ethics.evaluation"
    credit_entry = "credit.entry"
    import_staff = "import.staff"  # POST /imports/staff (not a dry run)
    import_certificates = "import.certificates"
    import_credits = "import.credits"


LABELS[ChangeStatus] = {
    "pending": "待审核",
    "approved": "已通过",
    "rejected": "已退回",
    "withdrawn": "已撤回",
}
LABELS[ChangeKind] = {
    "staff.create": "新增人员",
    "staff.onboard": "新教师入职（含证书与培训）",
    "staff.update": "修改人员信息",
    "staff.name": "更正姓名",
    "staff.status": "变更在岗状态",
    "staff.transfer": "调动",
    "certificate.create": "新增证书",
    "certificate.update": "证书变更（暂停、撤销、恢复等）",
    "certificate.register": "证书定期注册",
    "training.result": "培训成绩",
    "ethics.evaluation": "师德考核",
    "credit.entry": "学分登记",
    "import.staff": "批量导入教职工",
    "import.certificates": "批量导入证书",
    "import.credits": "批量导入学分",
}
