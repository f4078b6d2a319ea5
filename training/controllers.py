"""Training endpoints."""

CONTROLLERS: list[type] = []
