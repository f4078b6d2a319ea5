"""The kinds of notification (issue 16): a public code each, with its Chinese label."""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class NoticeKind(StrEnum):
    claim_checked = "claim.checked"  # to the teacher: her kindergarten checked her credit claim
    claim_decided = "claim.decided"  # approved or rejected by district HR
    claim_returned = "claim.returned"  # back to the teacher to amend
    change_decided = "change.decided"  # a change request approved or rejected, to its submitter
    certificate_expiring = "certificate.expiring"  # the policy's 90/30/7 days before expiry
    registration_due = "registration.due"  # 定期注册 due within a policy window
    credits_behind = "credits.behind"  # behind pace at a policy checkpoint
    placement = "placement"  # a reserve-pool candidate placed in a kindergarten
    veto = "veto"  # an ethics veto recorded (an unqualified evaluation or a barring sanction)


LABELS[NoticeKind] = {
    "claim.checked": "学分申报园所已审核",
    "claim.decided": "学分申报已处理",
    "claim.returned": "学分申报退回修改",
    "change.decided": "变更申请已审核",
    "certificate.expiring": "证书即将到期",
    "registration.due": "教师资格定期注册提醒",
    "credits.behind": "继续教育学分进度落后",
    "placement": "储备人员安置",
    "veto": "师德一票否决",
}
