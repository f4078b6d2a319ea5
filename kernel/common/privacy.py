"""What the registry hides: ID numbers are masked for everyone but district HR and the person
themself (the staff register decides who may see them; the audit trail, exports and reports mask)."""


def mask_id_number(value: str) -> str:
    """``110105199001011234`` -> ``110105********1234``: area and last four stay visible."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[14:]
