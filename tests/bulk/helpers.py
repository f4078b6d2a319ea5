"""Builders for the import/export tests: workbooks and CSV files in memory, uploads, row counts."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNTED = (
    "kindergarten",
    "staff",
    "staff_assignment",
    "certificate",
    "training_result",
    "credit_entry",
    "audit_event",
    "import_run",
)


def xlsx(headers: Sequence[Any], rows: Sequence[Sequence[Any]], *, text_columns: Sequence[int] = ()) -> bytes:
    """A workbook whose first sheet holds the headers and rows; strings stay text cells."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    for col in text_columns:
        for cells in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
            for cell in cells:
                cell.number_format = "@"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_file(headers: Sequence[Any], rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


async def upload(
    client: Any,
    headers: dict[str, str],
    kind: str,
    content: bytes,
    filename: str = "file.xlsx",
    **params: Any,
) -> Any:
    query = {k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()}
    return await client.post(
        f"{API}/imports/{kind}",
        files={"file": (filename, content, "application/octet-stream")},
        params=query,
        headers=headers,
    )


async def counts() -> dict[str, int]:
    from kernel.db import fetch_all

    out = {}
    for table in COUNTED:
        rows = await fetch_all(f'SELECT COUNT(*) AS n FROM "{table}"')
        out[table] = int(rows[0]["n"])
    return out


def read_xlsx(content: bytes) -> list[list[Any]]:
    """The first sheet's rows (as calamine reads them, like an import)."""
    import pandas as pd

    frame = pd.read_excel(io.BytesIO(content), engine="calamine", header=None, dtype=object, na_filter=False)
    return frame.to_numpy(dtype=object).tolist()


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
