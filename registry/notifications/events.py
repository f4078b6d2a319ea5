"""Events of the registers below this package that are told to people (issue 16): a change request
decided, to its submitter. The registers cannot import the notifications (they sit below them), so the
app hands this function to ``registry.changes.services.Changes(on_decided=...)`` (``app/changes.py``).

The domains above (staffing, ethics, certificates, credits) raise their own notices with ``notify``."""

from __future__ import annotations

from kernel.i18n import N_
from registry.changes.codes import ChangeStatus
from registry.changes.schemas import ChangeOut
from registry.notifications.codes import NoticeKind
from registry.notifications.services import Notice, notify

MY_CHANGES = "/my/changes"  # the submitter's page of their submissions (pages.form_support.MY_SUBMISSIONS)
CHANGE_APPROVED = N_("your change request {change_id} ({kind}: {summary}) was approved")
CHANGE_REJECTED = N_("your change request {change_id} ({kind}: {summary}) was rejected: {reason}")


async def change_decided(change: ChangeOut) -> None:
    """A change request approved or rejected: one notification to its submitter per decision."""
    if change.status not in (ChangeStatus.approved, ChangeStatus.rejected) or change.submitted_by_account is None:
        return
    approved = change.status == ChangeStatus.approved
    params = {"change_id": change.id, "kind@ChangeKind": change.kind.value, "summary": change.summary}
    if not approved:
        params["reason"] = change.reason
    await notify(
        Notice(
            kind=NoticeKind.change_decided,
            occasion=f"change:{change.id}:{change.status.value}",
            message=CHANGE_APPROVED if approved else CHANGE_REJECTED,
            params=params,
            link=MY_CHANGES,
        ),
        accounts=[change.submitted_by_account],
    )
