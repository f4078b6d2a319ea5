"""Registry rows as column values (``bulk.columns`` keys): what exports write, and what an import
compares a row with when the record it names exists already. One function per kind, so an exported
file reads back as exactly the values it was written from."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from certificates.rules import effective_status


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        loaded = json.loads(value or "[]")
        return list(loaded) if isinstance(loaded, list) else []
    return list(value or [])


def kindergarten_values(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": r["code"],
        "name": r["name"],
        "street": r["street"],
        "group": r["collab_group"],
        "ownership": r["ownership"],
        "grade": r["grade"],
        "demonstration": r["demonstration"],
        "service_type": r["service_type"],
        "teacher_model": r["teacher_model"],
        "classes_small": r["classes_small"],
        "classes_middle": r["classes_middle"],
        "classes_large": r["classes_large"],
        "classes_mixed": r["classes_mixed"],
        "classes_nursery": r["classes_nursery"],
        "children": r["children"],
        "places": r["places"],
        "opened_on": as_date(r["opened_on"]),
        "closed_on": as_date(r["closed_on"]),
    }


def staff_values(r: dict[str, Any]) -> dict[str, Any]:
    """A staff row joined with its kindergarten (``kindergarten_code``, ``kindergarten_name``)."""
    return {
        "id_number": r["id_number"],
        "name": r["name"],
        "kindergarten_code": r["kindergarten_code"],
        "kindergarten_name": r.get("kindergarten_name"),
        "post": r["post"],
        "employment": r["employment"],
        "title": r["title"],
        "honours": json_list(r["honours"]),
        "education": r["education"],
        "hired_on": as_date(r["hired_on"]),
        "status": r["status"],
        "left_on": as_date(r["left_on"]),
        "sex": r.get("sex"),
        "birth_date": as_date(r.get("birth_date")),
    }


def certificate_values(r: dict[str, Any], on: date) -> dict[str, Any]:
    """A certificate row joined with its holder (``id_number``, ``name``, ``kindergarten_code``)."""
    return {
        "id_number": r["id_number"],
        "name": r.get("name"),
        "kindergarten_code": r.get("kindergarten_code"),
        "type": r["type"],
        "number": r["number"],
        "issuer": r["issuer"] or None,
        "issued_on": as_date(r["issued_on"]),
        "expires_on": as_date(r["expires_on"]),
        "status": effective_status(r["status"], as_date(r["expires_on"]), on).value,
        "reason": r.get("reason") or None,
    }


def credit_values(r: dict[str, Any]) -> dict[str, Any]:
    """A ledger row joined with its person (``id_number``, ``name``, ``kindergarten_code``)."""
    return {
        "id_number": r["id_number"],
        "name": r.get("name"),
        "kindergarten_code": r.get("kindergarten_code"),
        "date": as_date(r["entry_date"]),
        "category": r["category"],
        "source": r["source"],
        "hours": as_decimal(r["hours"]),
        "credits": as_decimal(r["credits"]),
        "reference": r["reference"],
        "reason": r["reason"] or None,
        "school_year": r.get("school_year"),
        "entry_id": r.get("id"),
        "reverses": r.get("reverses"),
        "recorded_by": r.get("recorded_by"),
    }
