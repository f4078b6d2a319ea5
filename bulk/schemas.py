"""Schemas of imports: the answer of an import and the kept record of an import run."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ImportErrorOut(BaseModel):
    row: int = Field(description="the spreadsheet's row number (1 = the sheet's first row)")
    column: str = Field(description="the column's Chinese header; empty when the error is about the whole row")
    field: str = Field(description="the API field the column feeds")
    message: str


class ImportOut(BaseModel):
    id: int = Field(description="the import run; GET /imports/runs/{id}/errors.xlsx gives the errors as a workbook")
    kind: str
    filename: str
    mode: str = Field(description="all_or_nothing (default), valid_only or dry_run")
    outcome: str = Field(
        description="imported (every row), partial (valid_only: the valid rows), rejected (nothing written), "
        "checked (dry_run: nothing written)"
    )
    rows: int = Field(description="data rows read (blank rows are not counted)")
    imported: int = Field(description="records created (in a dry run: that would be created)")
    skipped: int = Field(description="rows already in the registry exactly as given (importing twice adds nothing)")
    errors: list[ImportErrorOut]
    ignored_columns: list[str] = Field(description="headers that name no column of this kind (not read)")
    errors_url: str | None = Field(description="the errors as a workbook, when there are errors")
    actor: str
    started_at: datetime
    finished_at: datetime
