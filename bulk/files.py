"""Files in and out: recognising an upload, reading it with pandas, checking a workbook's cells, and
writing workbooks (exports, templates, error reports) and CSV. CPU-bound: callers run these in a
worker thread.

Reading: .xlsx with pandas' calamine engine (Rust; several times faster than openpyxl), every cell
as the object Excel stored (``dtype=object``), so a number in an identifier column is seen as a
number and refused instead of being turned into text that has already lost digits. CSV as text
(``dtype=str``), UTF-8 (with or without BOM) or GB 18030 (a superset of GBK, what Chinese Excel
writes by default). Formulas and merged cells are found by scanning the sheet's XML (a regular
expression over the streamed part: no second parse of the whole workbook).

Writing: openpyxl in write-only mode for exports; the normal mode (styles, comments, drop-down
lists) for templates and error reports, which are small.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

from bulk import rules
from kernel.codes import LABELS
from kernel.errors import FieldError, Invalid, TooLarge, UnsupportedMediaType
from kernel.files import CellType, Column, Kind
from kernel.i18n import _

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA = "text/csv; charset=utf-8"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
EXPANSION_LIMIT = 10  # a workbook may unpack to at most this many times the upload limit
SCAN_CHUNK = 1 << 20
SCAN_OVERLAP = 512  # longer than any element the scan looks for
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
# a cell's start tag (its reference), a formula element, a merged range
_SCAN = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br=\"([A-Z]+)([0-9]+)\""
    rb"|(<(?:[A-Za-z_][\w.-]*:)?f[\s>/])"
    rb"|<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\""
)
_REF_ROWS = re.compile(r"[A-Z]+([0-9]+)")


@dataclass
class Sheet:
    """An upload's first sheet: every row from the sheet's first (index 0 = row 1), cells as stored."""

    format: str  # "xlsx" or "csv"
    rows: list[list[Any]]
    encoding: str | None = None
    formulas: list[tuple[int, str]] = field(default_factory=list)  # (row, cell reference)
    merged: list[tuple[int, int, str]] = field(default_factory=list)  # (first row, last row, range)


# --- reading -------------------------------------------------------------------------------------


def file_format(data: bytes, filename: str) -> str:
    """ "xlsx" or "csv", from the content (the name only sharpens the message). Raises 415 / 422."""
    name = filename.lower()
    if not data:
        raise Invalid(_("the file is empty"), [FieldError("file", _("empty file"))])
    if data.startswith(OLE_MAGIC):
        raise UnsupportedMediaType(
            _(
                "an old-style .xls workbook or a password-protected one: save it as .xlsx (Excel 工作簿) without "
                "a password, or as CSV"
            ),
            [FieldError("file", _("not .xlsx or .csv"))],
        )
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise _not_a_spreadsheet(filename, _("a damaged zip archive")) from None
        if "xl/workbook.xml" not in names:
            if "content.xml" in names:
                raise _not_a_spreadsheet(filename, _("an OpenDocument spreadsheet, not an Excel .xlsx workbook"))
            raise _not_a_spreadsheet(filename, _("a zip archive, not an Excel .xlsx workbook"))
        return "xlsx"
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        raise _not_a_spreadsheet(filename, _("its name says Excel, but its content is not a workbook"))
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_a_spreadsheet(filename, _("binary content"))
    return "csv"


def _not_a_spreadsheet(filename: str, why: str) -> UnsupportedMediaType:
    if filename:
        detail = _(
            "{filename} is not a spreadsheet ({why}): upload an .xlsx workbook or a CSV file",
            filename=filename,
            why=why,
        )
    else:
        detail = _("the file is not a spreadsheet ({why}): upload an .xlsx workbook or a CSV file", why=why)
    return UnsupportedMediaType(detail, [FieldError("file", _("not .xlsx or .csv"))])


def decode_text(data: bytes) -> tuple[str, str]:
    """CSV text and its encoding: UTF-8 (BOM or not), UTF-16 with a BOM, else GB 18030 (GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, "gbk" if encoding == "gb18030" else "utf-8"
    raise _not_a_spreadsheet("", _("text in neither UTF-8 nor GBK"))


def read_sheet(data: bytes, filename: str, max_bytes: int, max_rows: int) -> Sheet:
    """Read an upload's first sheet (up to ``max_rows`` data rows and a few header rows)."""
    # heavy optional dependency: imported on first use, not at start-up
    import pandas as pd

    if len(data) > max_bytes:
        size, limit = f"{len(data):,}", f"{max_bytes:,}"
        raise TooLarge(
            _("the file is {size} bytes; the limit is {limit} (REGISTRY_IMPORT_MAX_BYTES)", size=size, limit=limit),
            [FieldError("file", _("too large"))],
        )
    kind = file_format(data, filename)
    nrows = max_rows + rules.HEADER_SEARCH_ROWS + 1
    if kind == "xlsx":
        sheet_part = _first_sheet_part(data, max_bytes * EXPANSION_LIMIT)
        try:
            frame = pd.read_excel(
                io.BytesIO(data), engine="calamine", sheet_name=0, header=None, dtype=object, na_filter=False,
                nrows=nrows,
            )  # fmt: skip
        except Exception as exc:  # calamine's own errors: a damaged or encrypted workbook
            raise _not_a_spreadsheet(filename, _("the workbook cannot be read: {error}", error=exc)) from None
        sheet = Sheet("xlsx", frame.to_numpy(dtype=object).tolist())
        sheet.formulas, sheet.merged = scan_sheet_xml(data, sheet_part)
    else:
        text, encoding = decode_text(data)
        try:
            frame = pd.read_csv(
                io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_filter=False,
                skip_blank_lines=False, sep=_separator(text), engine="c", nrows=nrows,
            )  # fmt: skip
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame()
        except (pd.errors.ParserError, csv.Error) as exc:
            raise Invalid(
                _("the CSV file cannot be read: {error}", error=exc), [FieldError("file", str(exc))]
            ) from None
        sheet = Sheet("csv", frame.to_numpy(dtype=object).tolist(), encoding=encoding)
    return sheet


def _separator(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "\t" if first.count("\t") > first.count(",") else ","


def _first_sheet_part(data: bytes, max_unpacked: int) -> str:
    """The zip member holding the workbook's first sheet; refuses zip bombs."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        unpacked = sum(i.file_size for i in z.infolist())
        if unpacked > max_unpacked:
            size, limit = f"{unpacked:,}", f"{max_unpacked:,}"
            raise TooLarge(
                _("the workbook unpacks to {size} bytes; the limit is {limit}", size=size, limit=limit),
                [FieldError("file", _("too large when unpacked"))],
            )
        try:
            workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
            first = workbook.find("m:sheets/m:sheet", _NS)
            rel_id = first.get(f"{{{_NS['r']}}}id") if first is not None else None
            rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        except (KeyError, ElementTree.ParseError):
            raise _not_a_spreadsheet("", _("the workbook's structure is damaged")) from None
        for rel in rels.findall("rel:Relationship", _NS):
            if rel.get("Id") == rel_id:
                target = rel.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                return part.replace("xl/./", "xl/")
    raise _not_a_spreadsheet("", _("the workbook has no sheet"))


_FORMULA_OR_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:f[\s>/]|mergeCell\s)")


def scan_sheet_xml(data: bytes, part: str) -> tuple[list[tuple[int, str]], list[tuple[int, int, str]]]:
    """Formula cells and merged ranges of one sheet, read by streaming its XML: first one quick search
    for either (most sheets have neither), then, only if found, a pass that names their cells."""
    with zipfile.ZipFile(io.BytesIO(data)) as z, z.open(part) as stream:
        carry = b""
        while True:
            chunk = stream.read(SCAN_CHUNK)
            if not chunk:
                return [], []
            if _FORMULA_OR_MERGE.search(carry + chunk):
                break
            carry = chunk[-SCAN_OVERLAP:]
    return _scan_cells(data, part)


def _scan_cells(data: bytes, part: str) -> tuple[list[tuple[int, str]], list[tuple[int, int, str]]]:
    formulas: list[tuple[int, str]] = []
    merged: list[tuple[int, int, str]] = []
    current: tuple[str, int] | None = None
    with zipfile.ZipFile(io.BytesIO(data)) as z, z.open(part) as stream:
        carry = b""
        while True:
            chunk = stream.read(SCAN_CHUNK)
            buffer = carry + chunk
            final = not chunk
            cutoff = len(buffer) if final else max(0, len(buffer) - SCAN_OVERLAP)
            for m in _SCAN.finditer(buffer):
                if m.start() >= cutoff:
                    break
                if m.group(1):
                    current = (m.group(1).decode(), int(m.group(2)))
                elif m.group(3):
                    if current is not None and (not formulas or formulas[-1][1] != f"{current[0]}{current[1]}"):
                        formulas.append((current[1], f"{current[0]}{current[1]}"))
                elif m.group(4):
                    ref = m.group(4).decode()
                    found = [int(r) for r in _REF_ROWS.findall(ref)]
                    merged.append((min(found), max(found), ref))
            if final:
                break
            carry = buffer[cutoff:]
    return formulas, merged


# --- writing -------------------------------------------------------------------------------------


DATE_FORMAT = "yyyy-mm-dd"


def _xlsx_value(column: Column, value: Any) -> Any:
    return rules.render(column, value)


def write_xlsx(kind: Kind, columns: Sequence[Column], rows: Iterable[dict[str, Any]], sheet_title: str) -> bytes:
    """An export workbook (write-only: rows are streamed): one header row, then the rows."""
    # heavy optional dependency: imported on first use, not at start-up
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title)
    for i, column in enumerate(columns):
        ws.column_dimensions[_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    text_types = (CellType.text, CellType.ident, CellType.enum, CellType.enum_list, CellType.bool, CellType.text_list)
    for row in rows:
        out: list[Any] = []
        for column in columns:
            value = _xlsx_value(column, row.get(column.key))
            if isinstance(value, str) and column.cell in text_types:
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                if column.cell == CellType.ident:
                    cell.number_format = "@"
                out.append(cell)
            elif isinstance(value, date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = DATE_FORMAT
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM (so Excel opens it as UTF-8), text cells guarded against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    guarded = (CellType.text, CellType.ident, CellType.text_list)
    for row in rows:
        writer.writerow(
            [
                rules.csv_safe(text) if c.cell in guarded else text
                for c in columns
                for text in (rules.render_text(c, row.get(c.key)),)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _letter(index: int) -> str:
    # heavy optional dependency: imported on first use, not at start-up
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


TEMPLATE_ROWS = 2000  # rows pre-formatted as text in identifier columns


def write_template(kind: Kind) -> bytes:
    """The import template of a kind: the data sheet first (headers; required ones in red with a note;
    identifier columns formatted as text; drop-down lists for codes), then 填写说明 (instructions) and
    a hidden 代码表 (the lists' values)."""
    # heavy optional dependency: imported on first use, not at start-up
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = kind.label
    codes = wb.create_sheet("代码表")
    guide = wb.create_sheet("填写说明")
    required_font = Font(bold=True, color="C00000")
    fill = PatternFill("solid", fgColor="F2F2F2")
    code_col = 0
    for i, column in enumerate(kind.template):
        letter = _letter(i)
        cell = ws.cell(row=1, column=i + 1, value=column.header)
        cell.font = required_font if column.required else Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
        note = ("必填。" if column.required else "") + (column.note or "")
        if not column.imported:
            note = (note + " 导入时忽略。").strip()
        if note:
            cell.comment = Comment(note, "registry")
        ws.column_dimensions[letter].width = column.width
        if column.cell == CellType.ident:
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i + 1).number_format = "@"
        elif column.cell == CellType.date:
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i + 1).number_format = DATE_FORMAT
        choices = _choices(column)
        if choices and column.cell != CellType.enum_list:
            code_col += 1
            code_letter = _letter(code_col - 1)
            codes.cell(row=1, column=code_col, value=column.header)
            for r, value in enumerate(choices, start=2):
                codes.cell(row=r, column=code_col, value=value)
            rng = f"'代码表'!${code_letter}$2:${code_letter}${len(choices) + 1}"
            validation = DataValidation(type="list", formula1=rng, allow_blank=True, showErrorMessage=False)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    codes.sheet_state = "hidden"
    guide.append(["列名", "必填", "格式", "可填的值", "说明"])
    for c in guide[1]:
        c.font = Font(bold=True)
    for column in kind.template:
        guide.append(
            [
                column.header,
                "是" if column.required else "",
                _type_label(column),
                "、".join(_choices(column)),
                column.note + ("" if column.imported else "（导入时忽略）"),
            ]
        )
    if kind.note:
        guide.append([])
        guide.append([kind.note])
    guide.append([])
    guide.append(["只读第一个工作表；第一行（或前几行中）为列名。不要合并单元格，不要使用公式（请粘贴为数值）。"])
    guide.append(["文件可为 .xlsx 或 CSV（UTF-8 或 GBK）。默认整批导入：任何一行有错则整批不导入。"])
    for letter, width in zip("ABCDE", (14, 6, 12, 60, 60), strict=True):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _choices(column: Column) -> list[str]:
    if column.cell == CellType.bool:
        return ["是", "否"]
    if column.enum is None:
        return []
    labels = LABELS.get(column.enum, {})
    return [labels.get(m.value, m.value) for m in column.enum]


def _type_label(column: Column) -> str:
    return {
        CellType.text: "文本",
        CellType.ident: "文本（编号）",
        CellType.int: "整数",
        CellType.decimal: "数字",
        CellType.date: "日期",
        CellType.bool: "是/否",
        CellType.enum: "选择",
        CellType.enum_list: "多选",
        CellType.text_list: "文本（可多个）",
    }[column.cell]


def write_error_report(
    headers: Sequence[str], bad_rows: Sequence[tuple[int, Sequence[Any]]], errors: Sequence[dict[str, Any]]
) -> bytes:
    """The error workbook: first the rows with errors as they were given, each with its errors in an
    extra column (fix them there and import this sheet again), then the list of errors."""
    # heavy optional dependency: imported on first use, not at start-up
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    by_row: dict[int, list[dict[str, Any]]] = {}
    for e in errors:
        by_row.setdefault(int(e["row"]), []).append(e)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "待修正数据"
    bold = Font(bold=True)
    mark = PatternFill("solid", fgColor="FFC7CE")
    ws.append(["原行号", *headers, "错误说明"])
    for c in ws[1]:
        c.font = bold
    positions = {h: i for i, h in enumerate(headers)}
    for row_no, cells in bad_rows:
        values = [_restore(v) for v in cells]
        problems = by_row.get(row_no, [])
        ws.append([row_no, *values, "；".join(f"{p['column'] or '整行'}: {p['message']}" for p in problems)])
        excel_row = ws.max_row
        for i, value in enumerate(values):
            if isinstance(value, str):  # text as given, never a formula
                ws.cell(row=excel_row, column=i + 2).data_type = "s"
        for p in problems:
            position = positions.get(p["column"])
            if position is not None:
                ws.cell(row=excel_row, column=position + 2).fill = mark
    listing = wb.create_sheet("错误列表")
    listing.append(["行号", "列", "字段", "错误原因"])
    for c in listing[1]:
        c.font = bold
    for e in errors:
        listing.append([e["row"], e["column"], e["field"], e["message"]])
    listing.column_dimensions["D"].width = 100
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _restore(value: Any) -> Any:
    """A cell kept as JSON back to what it was (dates were kept as ISO text)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00", value):
        return datetime.fromisoformat(value).date()
    return value


def jsonable_cell(value: Any) -> Any:
    """A raw cell as JSON (for the error report kept with the import run)."""
    if isinstance(value, datetime | date):
        return datetime(value.year, value.month, value.day).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value
