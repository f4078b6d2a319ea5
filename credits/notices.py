"""Credits behind pace (issue 16): on each of the policy's checkpoint days (``[version.reminders]
pace_checkpoints``, month-days), everyone on post whose transcript status for the cycle is behind or
at_risk is told so, once per checkpoint day.

The status is the transcript's (``rules.status_from_figures`` over the ledger figures of the cycle up
to the checkpoint, worked out by the database for everyone at once: ``transcripts.window_figures``).
A sweep on day D handles the latest checkpoint C <= D when D - C < ``pace_catch_up_days`` (policy: 7; a cron run that
missed the day catches up within the week), reading the status as of C."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credits import rules
from credits.codes import CreditStatus
from credits.policies import policy_versions
from credits.transcripts import window_figures
from kernel.db import fetch_all
from kernel.i18n import N_
from kernel.policy import policy_on
from registry.notifications.codes import NoticeKind
from registry.notifications.services import Notice, Recipients, notify_many

BEHIND = N_(
    "on {on} your continuing-education credits for the {cycle} cycle are {status}: {counted} counted, "
    "{pace} due by then, {required} for the cycle"
)
STATUSES = (CreditStatus.behind, CreditStatus.at_risk)


def checkpoint_for(day: date) -> date | None:
    """The checkpoint a sweep on ``day`` handles: the latest one on or before it, within the catch-up
    days; None when there is none."""
    reminders = policy_on(day).reminders
    past = [c for y in (day.year - 1, day.year) for c in reminders.checkpoints_in(y) if c <= day]
    if not past:
        return None
    latest = max(past)
    return latest if (day - latest).days < reminders.pace_catch_up_days else None


async def behind_on(checkpoint: date) -> list[tuple[int, CreditStatus, Decimal, Decimal, Decimal, str]]:
    """Everyone on post whose cycle status on ``checkpoint`` is behind or at_risk: (staff id, status,
    counted, pace, required, the cycle's label), in staff id order."""
    versions = await policy_versions()
    rec = rules.policy_for(checkpoint, versions).recognition
    cycle = rules.cycle_of(checkpoint, rec)
    required = rules.numbers(rules.policy_for(min(checkpoint, cycle.ends), versions))
    categories = sorted(required.required_categories)
    yearly = policy_on(min(checkpoint, cycle.ends)).credits.complete_needs_yearly_minimum
    window = (cycle.starts, min(checkpoint, cycle.ends))
    where = " AND s.status = 'on_post'"
    figures = await window_figures(window, versions, categories, where, [], by_year=yearly)
    people = await fetch_all("SELECT s.id FROM staff s WHERE s.status = 'on_post' ORDER BY s.id")
    out = []
    for p in people:
        f = figures.get(p["id"])
        counted = f.counted if f else rules.ZERO
        status, pace = rules.status_from_figures(
            counted,
            f.by_category if f else {},
            f.years if f else {},
            versions,
            cycle,
            checkpoint,
            yearly_minimum=yearly,
        )
        if status in STATUSES:
            out.append((int(p["id"]), status, counted, pace, required.required, cycle.label))
    return out


async def sweep(day: date) -> dict[str, int]:
    """The credits-behind notices of ``day``'s checkpoint (none on other days): {kind: notifications
    written}. Idempotent: a second run writes nothing."""
    checkpoint = checkpoint_for(day)
    if checkpoint is None:
        return {NoticeKind.credits_behind.value: 0}
    items = []
    for staff_id, status, counted, pace, required, cycle in await behind_on(checkpoint):
        params = {
            "on": checkpoint.isoformat(),
            "cycle": cycle,
            "status@CreditStatus": status.value,
            "counted": rules.shown(counted),
            "pace": rules.shown(pace),
            "required": rules.shown(required),
        }
        notice = Notice(NoticeKind.credits_behind, f"credits:{checkpoint.isoformat()}", BEHIND, params, "/me")
        items.append((notice, Recipients(staff=[staff_id])))
    return {NoticeKind.credits_behind.value: len(await notify_many(items))}
