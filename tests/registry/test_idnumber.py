"""Resident ID numbers (GB 11643-1999), STANDARDS.md: length, area, real birth date, check character."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.common.privacy import mask_id_number
from registry.staff.codes import Sex
from registry.staff.rules import (
    PROVINCE_CODES,
    IdNumberError,
    check_character,
    make_id_number,
    may_see_full_id,
    parse_id_number,
)

TODAY = date(2026, 11, 29)

areas = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(sorted(PROVINCE_CODES - {"71", "81", "82", "83"})),
    st.integers(min_value=101, max_value=9999).map(lambda n: f"{n:04d}"),
)
valid_ids = st.builds(make_id_number, areas, st.dates(min_value=date(1900, 1, 1), max_value=TODAY), st.integers(0, 999))


def test_known_numbers() -> None:
    # The worked example of GB 11643-1999 (check character X) and a number ending in a digit.
    assert check_character("11010519491231002") == "X"
    parsed = parse_id_number("11010519491231002x")
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex is Sex.female  # 17th digit 2 is even
    assert parse_id_number(make_id_number("440524", date(1980, 1, 1), 1), today=TODAY).sex is Sex.male


@given(valid_ids)
@settings(max_examples=300)
def test_every_valid_number_passes(value: str) -> None:
    parsed = parse_id_number(value, today=TODAY)
    assert parsed.value == value
    assert parsed.birth_date.strftime("%Y%m%d") == value[6:14]
    assert parsed.sex is (Sex.male if int(value[16]) % 2 else Sex.female)
    if value.endswith("X"):
        assert parse_id_number(value.lower(), today=TODAY).value == value


@given(valid_ids, st.integers(0, 17), st.sampled_from("0123456789X"))
@settings(max_examples=1000)
def test_every_single_character_change_fails(value: str, position: int, replacement: str) -> None:
    if value[position] == replacement:
        return
    changed = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(IdNumberError):
        parse_id_number(changed, today=TODAY)


@given(valid_ids)
@settings(max_examples=50)
def test_all_single_character_changes_of_one_number_fail(value: str) -> None:
    for position in range(18):
        for replacement in "0123456789X":
            if replacement == value[position]:
                continue
            with pytest.raises(IdNumberError):
                parse_id_number(value[:position] + replacement + value[position + 1 :], today=TODAY)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100AX", "characters"),
        ("00010519491231002X", "area"),
        ("110000" + "19491231002X", "area"),
        ("110105" + "19490230" + "0021", "date"),  # 30 February
        ("110105" + "18991231" + "0021", "date"),  # before 1900
        ("110105" + "20991231" + "0021", "date"),  # in the future
        ("110105194912310021", "check"),
    ],
)
def test_invalid_numbers_name_the_reason(value: str, reason: str) -> None:
    with pytest.raises(IdNumberError) as err:
        parse_id_number(value, today=TODAY)
    assert err.value.reason == reason


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize(
    "spelled",
    [
        lambda v: v.translate(FULL_WIDTH),  # a Chinese input method in full-width mode
        lambda v: v[:6] + v[6:].translate(FULL_WIDTH),  # switched half-way
        lambda v: v[:17].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + v[17],  # Arabic-Indic digits
        lambda v: v[:16] + "²" + v[17],  # a superscript digit (str.isdigit() says True)
    ],
)
def test_only_ascii_digits_and_x(spelled) -> None:  # type: ignore[no-untyped-def]
    """Non-ASCII digits are refused with the reason, never stored as a second spelling of a person."""
    value = make_id_number("650102", date(1975, 3, 1), 17)
    assert parse_id_number(value, today=TODAY).value == value
    with pytest.raises(IdNumberError) as err:
        parse_id_number(spelled(value), today=TODAY)
    assert err.value.reason == "characters" and "半角" in err.value.message


def test_masking_keeps_area_and_last_four() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_who_sees_full_numbers() -> None:
    assert may_see_full_id("district_hr", None, 7)
    assert may_see_full_id("teacher", 7, 7)
    assert not may_see_full_id("teacher", 8, 7)
    assert not may_see_full_id("inspector", None, 7)
    assert not may_see_full_id("kindergarten_admin", None, 7)
