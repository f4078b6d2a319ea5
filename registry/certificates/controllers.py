"""Certificate endpoints (filled in by issue 3)."""

CONTROLLERS: list[type] = []
