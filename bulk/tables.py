"""The record of each import run: who imported what, with which outcome, and its errors (so the
errors can be downloaded as a workbook later). Written for every run that read rows — also for
rejected runs and dry runs, after their rollback —, never for files refused as a whole."""

from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class ImportRun(Table, tablename="import_run"):
    id = Serial(primary_key=True)
    kind = Varchar(length=32)
    filename = Varchar(length=255, default="")
    sha256 = Varchar(length=64, index=True)
    size = Integer(default=0)
    actor = Varchar(length=64, index=True)
    kindergarten = Integer(null=True, default=None)  # the importing admin's kindergarten, if any
    mode = Varchar(length=16)  # all_or_nothing, valid_only, dry_run
    status = Varchar(length=16)  # imported, partial, rejected, checked
    rows = Integer(default=0)
    imported = Integer(default=0)
    skipped = Integer(default=0)
    failed = Integer(default=0)  # rows with at least one error
    ignored_columns = JSON(default="[]")
    errors = JSON(default="[]")  # [{row, column, field, message}]
    bad_rows = JSON(default="{}")  # {"headers": [...], "rows": [[row, [cells]], ...]}: the rows with errors
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(default=TimestamptzNow(), index=True)
