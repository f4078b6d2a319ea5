"""Credits endpoints (issue 4)."""

CONTROLLERS: list[type] = []
