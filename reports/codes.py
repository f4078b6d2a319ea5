"""The PDF report kinds and their Chinese labels.

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


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
