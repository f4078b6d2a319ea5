"""The data-entry pages of issue 15 (rosters, sanctions, credit entries, imports), mounted together by
``pages.controllers.mount``; each module renders through the ``render`` dependency it provides."""

from __future__ import annotations

from litestar import Controller

from pages import credit_entries, ethics_forms, imports, training_results

DATA_ENTRY_PAGES: list[type[Controller]] = [
    *training_results.CONTROLLERS,
    *ethics_forms.CONTROLLERS,
    *credit_entries.CONTROLLERS,
    *imports.CONTROLLERS,
]
