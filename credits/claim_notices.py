"""What a teacher is told about her credit claim (issue 16): checked by her kindergarten, returned to
her with the reason, approved with its credits, or not recognised with the reason; once per claim and
step (an amended claim returned again is a new occasion: its step's time is part of it)."""

from __future__ import annotations

from credits.claim_schemas import ClaimOut
from credits.codes import ClaimStatus
from kernel.i18n import N_
from registry.notifications.codes import NoticeKind
from registry.notifications.services import Notice, notify

CHECKED = N_("Your claim “{title}” was checked by your kindergarten and goes to the district")
RETURNED = N_("Your claim “{title}” was returned to you to amend: {reason}")
APPROVED = N_("Your claim “{title}” was recognised: {credits} credits on your transcript")
REJECTED = N_("Your claim “{title}” was not recognised: {reason}")

MESSAGES = {
    ClaimStatus.checked: (NoticeKind.claim_checked, CHECKED),
    ClaimStatus.returned: (NoticeKind.claim_returned, RETURNED),
    ClaimStatus.approved: (NoticeKind.claim_decided, APPROVED),
    ClaimStatus.rejected: (NoticeKind.claim_decided, REJECTED),
}


async def reviewed(claim: ClaimOut) -> None:
    """Tell the teacher where her claim went (inside the review's transaction)."""
    kind, message = MESSAGES[claim.status]
    when = claim.checked_at if claim.status == ClaimStatus.checked else claim.decided_at
    stamp = when.isoformat() if when is not None else ""
    await notify(
        Notice(
            kind=kind,
            occasion=f"claim:{claim.id}:{claim.status.value}:{stamp}",
            message=message,
            params={"title": claim.title, "reason": claim.reason, "credits": claim.credits or 0},
            link=f"/my/claims/{claim.id}",
        ),
        staff=[claim.staff_id],
    )
