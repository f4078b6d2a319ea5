"""The rules of a credit claim (学分申报, issue 16), apart from any I/O: what a claim must say, and who
moves it where.

    submitted --admin approve--> checked --HR approve--> approved (the ledger entry claim:<id>)
    submitted / checked --return--> returned --the teacher amends--> submitted
    submitted / checked --reject--> rejected

Her kindergarten's admin checks first; district HR decides only a checked claim. ``approved`` and
``rejected`` are final. Returning or rejecting needs a reason, and so do credits HR sets by hand
instead of the policy's rate for the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credits.codes import ClaimDecision, ClaimStatus
from kernel.codes import Role, term
from kernel.i18n import F_, _

FINAL = frozenset({ClaimStatus.approved, ClaimStatus.rejected})
# the fields of a claim as its messages name them
FIELD_NAMES = (F_("title"), F_("provider"), F_("date_from"), F_("date_to"), F_("hours"), F_("file"), F_("decision"))


def labels() -> dict[str, str]:
    """The claim's fields whose shared name would mislead: its ``title`` is the course's, not a 职称."""
    return {"title": _("course title")}


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str


def field_problems(
    date_from: date, date_to: date, hours: Decimal, today: date, earliest: date, max_hours_per_day: int
) -> list[Problem]:
    """What is wrong with a claim's dates and hours (the schema has checked their types): the hours more
    than 0 and at most ``max_hours_per_day`` a day of the course (policy); the days not in the future,
    in order, and not before ``earliest`` (the first day of the oldest credit cycle still claimed)."""
    out = []
    if hours <= 0:
        out.append(Problem("hours", _("must be more than 0")))
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if day > today:
            out.append(Problem(name, _("is in the future: only training already taken is claimed")))
        elif day < earliest:
            out.append(
                Problem(name, _("is before {day}: training that long ago counts in no open cycle", day=earliest))
            )
    if date_to < date_from:
        out.append(Problem("date_to", _("is before date_from ({day})", day=date_from.isoformat())))
    elif hours > 0:
        days = (date_to - date_from).days + 1
        if hours > max_hours_per_day * days:
            given = format(hours.normalize(), "f")
            out.append(
                Problem(
                    "hours",
                    _(
                        "{hours} hours in {days} days is more than {most} hours a day: check the hours",
                        hours=given,
                        days=days,
                        most=max_hours_per_day,
                    ),
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class Step:
    """Where a decision takes a claim, or why it may not (``refusal``, a 409, with its ``code``)."""

    to: ClaimStatus | None
    refusal: str = ""
    code: str = ""


def step(status: ClaimStatus, decision: ClaimDecision, role: Role) -> Step:
    """The next status when ``role`` decides ``decision`` on a claim in ``status``."""
    if status in FINAL:
        return Step(
            None, _("the claim is decided already ({status})", status=term(ClaimStatus, status)), "decided-already"
        )
    if status == ClaimStatus.returned:
        return Step(None, _("the claim was returned to the teacher: she amends it first"), "returned")
    if role == Role.kindergarten_admin:
        if status == ClaimStatus.checked:
            return Step(None, _("the kindergarten has checked the claim already: the district decides it"), "checked")
        return Step(
            {
                ClaimDecision.approve: ClaimStatus.checked,
                ClaimDecision.return_: ClaimStatus.returned,
                ClaimDecision.reject: ClaimStatus.rejected,
            }[decision]
        )
    if status == ClaimStatus.submitted:
        return Step(None, _("the teacher's kindergarten checks the claim first"), "not-checked")
    return Step(
        {
            ClaimDecision.approve: ClaimStatus.approved,
            ClaimDecision.return_: ClaimStatus.returned,
            ClaimDecision.reject: ClaimStatus.rejected,
        }[decision]
    )


def waiting_for(role: Role) -> ClaimStatus | None:
    """The claims that wait for ``role``'s decision: an admin checks the submitted ones, district HR
    decides the checked ones; nobody else decides any."""
    return {Role.kindergarten_admin: ClaimStatus.submitted, Role.district_hr: ClaimStatus.checked}.get(role)


def decision_problems(
    decision: ClaimDecision,
    reason: str,
    credits: Decimal | None,
    role: Role,
    hours: Decimal | None = None,
    max_credits_per_hour: int = 1,
) -> list[Problem]:
    """What a review body lacks: a reason to return or reject, a reason for credits set by hand, and
    credits only from district HR approving, more than 0 and at most ``max_credits_per_hour`` (policy:
    one) an hour of the claim."""
    out = []
    if decision in (ClaimDecision.reject, ClaimDecision.return_) and not reason.strip():
        out.append(Problem("reason", _("returning or rejecting a claim needs its reason")))
    if credits is None:
        return out
    if role != Role.district_hr:
        out.append(Problem("credits", _("only district HR sets credits, when approving")))
    elif decision != ClaimDecision.approve:
        out.append(Problem("credits", _("credits are set only when approving a claim")))
    elif credits <= 0:
        out.append(Problem("credits", _("must be more than 0 (to recognise nothing, reject the claim)")))
    elif hours is not None and credits > hours * max_credits_per_hour:
        most = format((hours * max_credits_per_hour).normalize(), "f")
        given = format(hours.normalize(), "f")
        out.append(Problem("credits", _("at most {most} credits for {hours} hours", most=most, hours=given)))
    elif not reason.strip():
        out.append(Problem("reason", _("credits set by hand need their reason")))
    return out
