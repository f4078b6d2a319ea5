"""Pure rules of the staff register: resident ID numbers (GB 11643-1999), masking, transfers.

No I/O here; every function is unit-tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from kernel.codes import Role
from kernel.i18n import N_, _, translate
from registry.staff.codes import Sex

# GB 11643-1999: weights of the first 17 characters, and the check character for sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# First two digits: the province-level division (GB/T 2260). 71 Taiwan, 81 Hong Kong, 82 Macao,
# 83 the residence-permit range for Taiwan residents, 91 foreigners' permanent residence.
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
    }
)
EARLIEST_BIRTH = date(1900, 1, 1)


class IdNumberError(ValueError):
    """Why an ID number is invalid: ``reason`` is one of length, characters, area, date, check (stable,
    for programs); ``message`` in the reader's language."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def problem(self) -> str:
        """The whole refusal as the API and an import word it."""
        return _(
            "invalid ID number ({reason}): {message}",
            reason=translate(ID_REASONS.get(self.reason, self.reason)),
            message=self.message,
        )


ID_REASONS = {
    "length": N_("length"),
    "characters": N_("characters"),
    "area": N_("area code"),
    "date": N_("birth date"),
    "check": N_("check character"),
}


@dataclass(frozen=True)
class IdNumber:
    value: str
    area: str
    birth_date: date
    sex: Sex


def check_character(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def parse_id_number(raw: str, today: date | None = None) -> IdNumber:
    """Validate a resident ID number and derive birth date and sex from it.

    A lower-case ``x`` check character is accepted and normalised to ``X``. Only ASCII digits and X:
    full-width digits (Chinese input methods type ``６５０１…``) and other Unicode digits are refused,
    so the same person can't be stored twice under two spellings.
    """
    value = raw.strip().upper()
    foreign = next((c for c in value if not c.isascii()), None)
    if foreign is not None:
        code = f"{ord(foreign):04X}"
        raise IdNumberError(
            "characters",
            _(
                "must be ASCII digits 0-9 and X only, got {char} (U+{code}): switch the input method to "
                "half-width (半角) characters",
                char=repr(foreign),
                code=code,
            ),
        )
    if len(value) != 18:
        raise IdNumberError("length", _("must be 18 characters, got {length}", length=len(value)))
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IdNumberError("characters", _("must be 17 digits followed by a digit or X"))
    area = value[:6]
    if area[:2] not in PROVINCE_CODES or (area[2:] == "0000" and area[:2] not in {"71", "81", "82", "83"}):
        raise IdNumberError("area", _("area code {area} is not a known administrative division", area=area))
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError("date", _("birth date {digits} is not a real date", digits=value[6:14])) from None
    if born < EARLIEST_BIRTH or born > (today or date.today()):
        raise IdNumberError("date", _("birth date {day} is out of range", day=born.isoformat()))
    expected = check_character(value[:17])
    if value[17] != expected:
        raise IdNumberError(
            "check", _("check character should be {expected}, got {given}", expected=expected, given=value[17])
        )
    sex = Sex.male if int(value[16]) % 2 == 1 else Sex.female
    return IdNumber(value=value, area=area, birth_date=born, sex=sex)


def make_id_number(area: str, born: date, sequence: int) -> str:
    """Build a valid ID number (demo data and tests). ``sequence`` 0..999; odd means male."""
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def may_see_full_id(role: str, viewer_staff_id: int | None, subject_staff_id: int | None) -> bool:
    """District HR sees every ID number; everyone else only their own."""
    if role == Role.district_hr:
        return True
    return viewer_staff_id is not None and viewer_staff_id == subject_staff_id


def hire_date_problem(birth_date: date, hired_on: date | None, min_age: int) -> str | None:
    """A hire before the legal working age (the policy's ``employment.min_working_age``)."""
    if hired_on is None:
        return None
    if hired_on.year - birth_date.year - ((hired_on.month, hired_on.day) < (birth_date.month, birth_date.day)) < (
        min_age
    ):
        return _("hired before the age of {age} (born {born})", age=min_age, born=birth_date.isoformat())
    return None


def staff_dates_problem(hired_on: date | None, left_on: date | None, today: date) -> tuple[str, str] | None:
    """Hire and leaving dates are facts: not in the future, and nobody leaves before they were hired."""
    if hired_on is not None and hired_on > today:
        return "hired_on", _("is in the future ({day}): record the hire on its day", day=hired_on.isoformat())
    if left_on is not None and left_on > today:
        return "left_on", _("is in the future ({day})", day=left_on.isoformat())
    if hired_on is not None and left_on is not None and left_on < hired_on:
        return "left_on", _("is before the hire date ({day})", day=hired_on.isoformat())
    return None


def transfer_problem(current_kindergarten: int, target_kindergarten: int, status: str) -> str | None:
    if status == "left":
        return _("the person has left; re-hire them (status) before a transfer")
    if current_kindergarten == target_kindergarten:
        return _("the person already works at that kindergarten")
    return None


UNDO_ACTION = "transfer.undo"  # the audit action of an undone transfer


def undo_problem(
    transfer: dict[str, Any] | None,
    later_actions: Sequence[str],
    current: dict[str, Any] | None,
    today: date,
) -> tuple[str, str] | None:
    """Why the person's latest transfer may not be undone (a stable code and the reason), or None.

    ``transfer`` is the latest ``transfer`` audit event about the person (``after``: the kindergarten,
    post and first day it recorded), ``later_actions`` the actions of the events about the person's
    record after it, ``current`` the open assignment (kindergarten, post, starts_on a date). Only a transfer
    that took effect today and after which nothing about the person changed is undone: its
    assignment is still the open one and no event about the record came after it. Anything else is
    corrected with a new transfer (or a change of the record), which keeps its own history."""
    if transfer is None:
        return "no-transfer", _("this person has no transfer to undo")
    if UNDO_ACTION in later_actions:
        return "no-transfer", _("the person's latest transfer was undone already")
    after = transfer["after"] or {}
    on = after.get("on")
    if on != today.isoformat():
        return "transfer-not-today", _(
            "the latest transfer took effect on {day}, not today: only a transfer made today can be "
            "undone; correct an earlier one with a new transfer",
            day=on,
        )
    if (
        later_actions
        or current is None
        or current["kindergarten"] != after.get("kindergarten_id")
        or current["post"] != after.get("post")
        or current["starts_on"].isoformat() != on
    ):
        return "changed-since-transfer", _(
            "the person's record changed after the transfer (a later change or assignment): it is no longer "
            "undone as a whole; correct it with a new transfer or a change of the record"
        )
    return None
