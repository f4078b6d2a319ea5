"""The validation libraries' messages (Pydantic's for bodies and import rows, msgspec's for query
parameters) in the reader's language: each known English form is a catalogue message with its
values as placeholders; an unknown one is shown as "取值无效" with the library's own words."""

from __future__ import annotations

import re

from kernel.i18n import N_, current_locale, translate

CJK = re.compile(r"[\u3400-\u9fff]")

# (the library's English as a pattern, the catalogue message it becomes); first match wins
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Field required$"), N_("is required")),
    (re.compile(r"^Object missing required field `(?P<name>[^`]*)`$"), N_("{name} is required")),
    (re.compile(r"^Extra inputs are not permitted$"), N_("is not a field of this form")),
    (re.compile(r"^String should have at least (?P<n>\d+) characters?$"), N_("needs at least {n} characters")),
    (re.compile(r"^String should have at most (?P<n>\d+) characters?$"), N_("takes at most {n} characters")),
    (re.compile(r"^String should match pattern '.*'$", re.S), N_("is not in the expected form")),
    (re.compile(r"^Expected `str` matching regex .*$", re.S), N_("is not in the expected form")),
    (re.compile(r"^Expected `str` of length >= (?P<n>\d+)$"), N_("needs at least {n} characters")),
    (re.compile(r"^Expected `str` of length <= (?P<n>\d+)$"), N_("takes at most {n} characters")),
    (re.compile(r"^Input should be a valid integer.*$", re.S), N_("should be a whole number")),
    (re.compile(r"^Expected `int`.*$", re.S), N_("should be a whole number")),
    (re.compile(r"^Input should be a finite number$"), N_("should be a finite number")),
    (
        re.compile(r"^(Input should be a valid (number|decimal)|Decimal input should be).*$", re.S),
        N_("should be a number"),
    ),
    (
        re.compile(r"^Decimal input should have no more than (?P<n>\d+) decimal places?$"),
        N_("takes at most {n} decimal places"),
    ),
    (re.compile(r"^Decimal input should have no more than (?P<n>\d+) digits?.*$"), N_("takes at most {n} digits")),
    (re.compile(r"^Input should be a valid date.*$|^Expected `date`.*$", re.S), N_("should be a date (YYYY-MM-DD)")),
    (re.compile(r"^Input should be a valid datetime.*$", re.S), N_("should be a date and time")),
    (re.compile(r"^Input should be a valid boolean.*$|^Expected `bool`.*$", re.S), N_("should be true or false")),
    (re.compile(r"^Input should be a valid string.*$|^Expected `str`.*$", re.S), N_("should be text")),
    (re.compile(r"^Input should be a valid (list|array).*$|^Expected `array`.*$", re.S), N_("should be a list")),
    (
        re.compile(r"^Input should be a valid dictionary.*$|^Expected `object`.*$", re.S),
        N_("should be an object"),
    ),
    (re.compile(r"^Input should be greater than or equal to (?P<n>\S+)$"), N_("should be at least {n}")),
    (re.compile(r"^Input should be greater than (?P<n>\S+)$"), N_("should be more than {n}")),
    (re.compile(r"^Input should be less than or equal to (?P<n>\S+)$"), N_("should be at most {n}")),
    (re.compile(r"^Input should be less than (?P<n>\S+)$"), N_("should be less than {n}")),
    (re.compile(r"^Expected `\w+` >= (?P<n>\S+)$"), N_("should be at least {n}")),
    (re.compile(r"^Expected `\w+` <= (?P<n>\S+)$"), N_("should be at most {n}")),
    (re.compile(r"^Expected `\w+` > (?P<n>\S+)$"), N_("should be more than {n}")),
    (re.compile(r"^Expected `\w+` < (?P<n>\S+)$"), N_("should be less than {n}")),
    (
        re.compile(r"^List should have at most (?P<n>\d+) items?.*$", re.S),
        N_("takes at most {n} items"),
    ),
    (
        re.compile(r"^List should have at least (?P<n>\d+) items?.*$", re.S),
        N_("needs at least {n} items"),
    ),
    (re.compile(r"^Input should be (?P<values>'.*)$", re.S), N_("should be one of {values}")),
    (re.compile(r"^Invalid enum value (?P<value>.*)$", re.S), N_("{value} is not one of the allowed values")),
    (re.compile(r"^Input should be a valid (?P<type>\w+).*$", re.S), N_("is not a valid {type}")),
]


def validation_message(text: str) -> str:
    """The library's message ``text`` in the current locale (English: unchanged)."""
    # our own validators' words (``raise ValueError(_(…))``) are already in the reader's language:
    # only Pydantic's prefix goes
    for prefix in ("Value error, ", "Assertion failed, "):
        if text.startswith(prefix):
            return text.removeprefix(prefix)
    if current_locale() == "en" or CJK.search(text):
        return text
    for pattern, msgid in PATTERNS:
        match = pattern.match(text)
        if match:
            return translate(msgid, **match.groupdict())
    return translate(N_("is not valid ({text})"), text=text)
