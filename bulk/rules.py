"""Pure rules of imports and exports: headers, cells, rows and error rows. No I/O here.

A file's header row is found among its first rows (a merged title above it is allowed); its
headers map to a kind's columns by their Chinese name (or the API field name). Each cell is read
by its column's type: identifiers (ID and certificate numbers, codes) only as text — a number in
such a cell has already lost digits or leading zeros in Excel, so it is an error, never a guess —,
dates from date cells or ``2025-09-01``-like text, codes from their Chinese label or the code itself.
The values then go through the API's own input schemas and rule functions (``bulk.importers``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from kernel.codes import LABELS
from kernel.files import CellType, Column, Kind
from kernel.i18n import _
from kernel.validation_messages import validation_message
from registry.staff.rules import IdNumber, IdNumberError, parse_id_number

HEADER_SEARCH_ROWS = 10  # the header row is one of the first rows (titles may sit above it)
LIST_SEPARATORS = re.compile(r"[、,，;；/|\s]+")
NAME_SEPARATORS = re.compile(r"\s*[、,，;；]\s*")  # between names, which may hold spaces themselves
INTEGER = re.compile(r"^[+-]?\d{1,15}$")
SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE]\+\d+$")  # how Excel shows a long number: 1.10105E+17
CSV_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")  # quote marks, then what a spreadsheet reads as a formula
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
TRUE_WORDS = frozenset({"是", "合格", "通过", "true", "yes", "y", "1", "√", "✓"})
FALSE_WORDS = frozenset({"否", "不合格", "未通过", "false", "no", "n", "0", "×", "✗"})


class CellProblem(ValueError):
    """A cell that cannot be read as its column's type."""


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (1 = the first row of the sheet)
    column: str  # the Chinese header ("" when the error is about the whole row)
    field: str  # the API field the column feeds
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "message": self.message}


# --- headers -------------------------------------------------------------------------------------


def normalise_header(text: Any) -> str:
    """Full-width to half-width, no spaces, no required-marks (*), case-folded."""
    value = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    return re.sub(r"\s+", "", value).strip("*").casefold()


@lru_cache(maxsize=32)
def header_names(kind: Kind) -> dict[str, Column]:
    """Every accepted spelling of each column's header: its Chinese name, its key, its schema field."""
    names: dict[str, Column] = {}
    for column in kind.columns:
        for name in (column.header, column.key, column.schema_field):
            names.setdefault(normalise_header(name), column)
    return names


@dataclass
class HeaderMap:
    row: int  # 1-based row number of the header row
    positions: dict[str, int]  # column key -> 0-based position in the row
    headers: list[str]  # the header cells as written
    ignored: list[str] = field(default_factory=list)  # headers that name no column of the kind
    duplicates: list[str] = field(default_factory=list)  # a column given twice


def map_header(kind: Kind, cells: Sequence[Any], row: int) -> HeaderMap:
    names = header_names(kind)
    out = HeaderMap(row=row, positions={}, headers=[_text(c) for c in cells])
    for i, cell in enumerate(cells):
        text = _text(cell)
        if not text:
            continue
        column = names.get(normalise_header(text))
        if column is None:
            out.ignored.append(text)
        elif column.key in out.positions:
            out.duplicates.append(column.header)
        else:
            out.positions[column.key] = i
    return out


def find_header(kind: Kind, rows: Sequence[Sequence[Any]]) -> HeaderMap | None:
    """The first of the first rows that names every required column; None if there is none."""
    required = {c.key for c in kind.required}
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = map_header(kind, cells, i + 1)
        if required <= header.positions.keys():
            return header
    return None


def missing_columns(kind: Kind, rows: Sequence[Sequence[Any]]) -> list[Column]:
    """The required columns missing from the likeliest header row (the one naming most columns)."""
    best: HeaderMap | None = None
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = map_header(kind, cells, i + 1)
        if best is None or len(header.positions) > len(best.positions):
            best = header
    given = best.positions.keys() if best else set()
    return [c for c in kind.required if c.key not in given]


def is_blank_row(cells: Iterable[Any]) -> bool:
    return all(_text(c) == "" for c in cells)


# --- cells ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text, without surrounding white space (free text is otherwise kept exactly)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _word(text: str) -> str:
    """Text read as a code, number, date or identifier: full-width letters and digits (１２３, ＡＢ)
    as the ordinary ones."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text).strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@lru_cache(maxsize=64)
def enum_words(enum: type[StrEnum]) -> dict[str, str]:
    """Label or code (case-folded) -> code. A label with alternatives (离岗/休假) accepts each part."""
    words: dict[str, str] = {}
    labels = LABELS.get(enum, {})
    for member in enum:
        code = member.value
        words[code.casefold()] = code
        label = labels.get(code)
        if label:
            words[normalise_header(label)] = code
            for part in re.split(r"[/／]", label):
                words.setdefault(normalise_header(part), code)
    return words


def enum_choices(enum: type[StrEnum]) -> str:
    labels = LABELS.get(enum, {})
    return "、".join(labels.get(m.value, m.value) for m in enum)


def parse_enum(enum: type[StrEnum], text: str) -> str:
    code = enum_words(enum).get(normalise_header(text))
    if code is None:
        raise CellProblem(
            _("unknown value {value}: use one of {choices} (or the code)", value=repr(text), choices=enum_choices(enum))
        )
    return code


def parse_date(value: Any) -> date | str:
    """A date from a date cell or from text such as 2025-09-01, 2025/9/1, 2025年9月1日, 20250901.

    Text in no known format is passed on as it is, for the schema to report."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if _is_number(value):
        number = _number_text(value)
        raise CellProblem(
            _("a number ({number}), not a date: format the cell as a date or write 2025-09-01", number=number)
        )
    text = _word(_text(value))
    try:
        return date.fromisoformat(text)  # the common case, fast
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text


def parse_cell(column: Column, raw: Any) -> Any:
    """The value of one cell, or None when it is empty. Raises CellProblem."""
    if column.cell == CellType.date:
        if isinstance(raw, date):
            return parse_date(raw)
        if _text(raw) == "":
            return None
        return parse_date(raw)
    if isinstance(raw, bool):
        if column.cell == CellType.bool:
            return raw
        raw = "是" if raw else "否"
    text = _text(raw)
    if text == "":
        return None
    if column.cell not in (CellType.text, CellType.ident):
        text = _word(text)  # identifiers are kept exactly as typed: an ID number in full-width digits
        # is a row error that says so (registry.staff.rules.parse_id_number), not silently another spelling
    if column.cell == CellType.ident:
        if _is_number(raw):
            number = _number_text(raw)
            raise CellProblem(
                _(
                    "stored as a number ({number}): Excel keeps only 15 digits and drops leading zeros, so the value "
                    "may already be wrong — format the column as text (文本) and type it again",
                    number=number,
                )
            )
        if SCIENTIFIC.match(text):
            raise CellProblem(
                _("{text} is a number Excel has rounded: format the column as text and type it again", text=text)
            )
        if "*" in text and column.key == "id_number":
            raise CellProblem(_("a masked ID number (exported for a role that sees masked numbers) cannot be imported"))
        return _unescape(text)
    if column.cell == CellType.text:
        return _unescape(_number_text(raw) if _is_number(raw) else text)
    if column.cell == CellType.int:
        if _is_number(raw):
            if isinstance(raw, float) and not raw.is_integer():
                raise CellProblem(_("must be a whole number, got {value}", value=raw))
            return int(raw)
        return int(text) if INTEGER.match(text) else text  # anything else: the schema says what is wrong
    if column.cell == CellType.decimal:
        if isinstance(raw, float):
            return Decimal(repr(raw))
        if _is_number(raw):
            return Decimal(raw)
        try:
            return Decimal(text)
        except InvalidOperation:
            return text
    if column.cell == CellType.bool:
        if _is_number(raw) and raw in (0, 1):
            return bool(raw)
        word = text.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellProblem(_("unknown value {value}: use 是 or 否", value=repr(text)))
    if column.cell == CellType.text_list:
        return [part for part in NAME_SEPARATORS.split(_unescape(text)) if part]
    assert column.enum is not None
    if column.cell == CellType.enum:
        return parse_enum(column.enum, text)
    return [parse_enum(column.enum, part) for part in LIST_SEPARATORS.split(text) if part]


def _unescape(text: str) -> str:
    """Undo the export's guard against formula injection: one quote mark off ('=... -> =...,
    ''=... -> '=...), so every text reads back as it was written."""
    return text[1:] if CSV_ESCAPED.match(text) else text


# --- rows ----------------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]  # column key -> value, for the imported columns given in the file
    errors: list[RowError] = field(default_factory=list)
    id_parsed: IdNumber | None = None  # the row's ID number, when it is a valid one
    id_problem: str | None = None  # why it is not (the message StaffCreate gives)

    @property
    def id_number(self) -> str | None:
        """The ID number as the registry keeps it (X upper-case), when it is a valid one."""
        return self.id_parsed.value if self.id_parsed else None


def id_number_check(value: Any) -> tuple[IdNumber | None, str | None]:
    """(the parsed ID number, None), or (None, the reason worded as StaffCreate words it)."""
    try:
        return parse_id_number(str(value)), None
    except IdNumberError as exc:
        return None, exc.problem


CACHED_TYPES = frozenset({CellType.enum, CellType.enum_list, CellType.date, CellType.bool, CellType.int})
CACHE_LIMIT = 20_000  # distinct values remembered per column (codes, dates and labels repeat a lot)


class RowParser:
    """Parses rows of one file: the header's column positions resolved once, and the value of each
    distinct cell remembered per column where values repeat (labels, codes, dates)."""

    def __init__(self, kind: Kind, header: HeaderMap) -> None:
        self.plan: list[tuple[Column, int, dict[tuple[type, Any], tuple[Any, str | None]] | None]] = [
            (column, header.positions[column.key], {} if self._cacheable(column) else None)
            for column in kind.imported
            if column.key in header.positions
        ]
        self.has_id_number = "id_number" in header.positions

    @staticmethod
    def _cacheable(column: Column) -> bool:
        return column.cell in CACHED_TYPES or column.key.endswith("_code")

    def __call__(self, row: int, cells: Sequence[Any]) -> ParsedRow:
        out = ParsedRow(row=row, values={})
        width = len(cells)
        for column, position, cache in self.plan:
            raw = cells[position] if position < width else None
            key = (type(raw), raw)
            hit = cache.get(key) if cache is not None else None
            if hit is None:
                try:
                    hit = (parse_cell(column, raw), None)
                except CellProblem as exc:
                    hit = (None, str(exc))
                if cache is not None and len(cache) < CACHE_LIMIT:
                    cache[key] = hit
            value, problem = hit
            if problem is not None:
                out.errors.append(RowError(row, column.header, column.schema_field, problem))
            elif value is None and column.required:
                out.errors.append(RowError(row, column.header, column.schema_field, _("is required")))
            out.values[column.key] = value
        if self.has_id_number and out.values.get("id_number") is not None:
            out.id_parsed, out.id_problem = id_number_check(out.values["id_number"])
        return out


def parse_row(kind: Kind, header: HeaderMap, row: int, cells: Sequence[Any]) -> ParsedRow:
    return RowParser(kind, header)(row, cells)


@lru_cache(maxsize=32)
def _input_plan(kind: Kind) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """(column key, parent fields, leaf field) of each column that goes into the input schema."""
    plan = []
    for column in kind.imported:
        if not column.lookup:
            *parents, leaf = column.schema_field.split(".")
            plan.append((column.key, tuple(parents), leaf))
    return tuple(plan)


def input_dict(kind: Kind, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The schema input for a row: the non-lookup columns given, nested by field path (classes.small)."""
    data: dict[str, Any] = {}
    for key, parents, leaf in _input_plan(kind):
        value = values.get(key)
        if value is None:
            continue
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    data.update(extra)
    return data


def column_for_field(kind: Kind, field_path: str) -> Column | None:
    for column in kind.columns:
        if column.schema_field == field_path or column.key == field_path:
            return column
    head = field_path.split(".", 1)[0]
    for column in kind.columns:
        if column.schema_field == head:
            return column
    return None


def error_for(kind: Kind, row: int, field_path: str, message: str) -> RowError:
    field_path = re.sub(r"\[(\d+)\]", r".\1", field_path)  # certificates[0].number -> certificates.0.number
    column = column_for_field(kind, field_path)
    return RowError(row, column.header if column else "", field_path, message)


def schema_errors(kind: Kind, row: int, exc: ValidationError) -> list[RowError]:
    """A schema's validation errors as row errors, with the same field names and messages the API gives."""
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "body"
        out.append(error_for(kind, row, path, validation_message(err["msg"])))
    return out


def different(kind: Kind, given: dict[str, Any], existing: dict[str, Any]) -> list[Column]:
    """The given columns whose value differs from the existing record's (empty cells are not compared)."""
    out = []
    for key, value in given.items():
        if value is None or key not in existing:
            continue
        have = existing[key]
        if isinstance(value, list) or isinstance(have, list):
            same = sorted(value or []) == sorted(have or [])
        elif isinstance(value, Decimal) or isinstance(have, Decimal):
            try:
                same = Decimal(str(value)) == Decimal(str(have))
            except InvalidOperation:
                same = False
        else:
            same = value == have
        if not same:
            out.append(kind.column(key))
    return out


def difference_errors(
    kind: Kind, row: int, columns: list[Column], existing: dict[str, Any], what: str
) -> list[RowError]:
    return [
        RowError(
            row,
            c.header,
            c.schema_field,
            _(
                "{what} exists already with {column} = {value}: an import adds records and never changes them; "
                "change it through the API, or correct the file",
                what=what,
                column=c.header,
                value=str(render_text(c, existing.get(c.key))),
            ),
        )
        for c in columns
    ]


def first_rows(keys: Iterable[tuple[int, Any]]) -> dict[int, int]:
    """For rows repeating an earlier row's key: row -> the earlier row's number."""
    seen: dict[Any, int] = {}
    repeats: dict[int, int] = {}
    for row, key in keys:
        if key is None:
            continue
        if key in seen:
            repeats[row] = seen[key]
        else:
            seen[key] = row
    return repeats


# --- exports -------------------------------------------------------------------------------------


def render(column: Column, value: Any) -> Any:
    """A value as an export cell: labels for codes, dates as dates, numbers as numbers, text as text."""
    if value is None:
        return None
    if column.cell in (CellType.enum, CellType.enum_list) and column.enum is not None:
        labels = LABELS.get(column.enum, {})
        if column.cell == CellType.enum_list:
            return "、".join(labels.get(v, v) for v in value)
        return labels.get(value, value)
    if column.cell == CellType.bool:
        return "是" if value else "否"
    if column.cell == CellType.text_list:
        return "、".join(value) if value else None
    if column.cell == CellType.decimal:
        return Decimal(str(value))
    if column.cell == CellType.int:
        return int(value)
    if column.cell == CellType.date:
        return value
    text = str(value)
    # text that already looks escaped ('=...) keeps its quote mark through the import's unescape
    return "'" + text if CSV_ESCAPED.match(text) else text


def render_text(column: Column, value: Any) -> str:
    """A value as CSV text (and in messages)."""
    cell = render(column, value)
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return format(cell.normalize(), "f")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def csv_safe(text: str) -> str:
    """Guard CSV text cells against formula injection (OWASP): a leading = + - @ gets a quote mark,
    which the import takes off again."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
