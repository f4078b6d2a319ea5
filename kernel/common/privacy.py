"""What the registry hides: ID numbers are masked for everyone but district HR and the person
themself (the staff register decides who may see them; the audit trail, exports and reports mask)."""

_STARS = "*" * 64  # longer than any ID-number column (18)


def mask_id_number(value: str) -> str:
    """``110105199001011234`` -> ``110105********1234``: area and last four stay visible."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[14:]


def masked_id_sql(column: str) -> str:
    """``mask_id_number(column)`` in SQL (both engines): what a caller who may not see the number
    sees of it. A search by such a caller matches this, never the number itself, so no search can
    tell them a digit that is masked to them."""
    return (
        f"(CASE WHEN LENGTH({column}) = 18 THEN SUBSTR({column}, 1, 6) || '********' || SUBSTR({column}, 15) "
        f"ELSE SUBSTR('{_STARS}', 1, LENGTH({column})) END)"
    )
