"""The vocabulary of import and export files: cell types, columns, kinds, and how a kind is exported.

Each domain declares its own kinds with these (``registry/staff/files.py``: the staff kind, its export
query and its row values; ``staffing/files.py``: the reserve pool and the gaps; …); ``bulk`` lists them
(``bulk.columns.KINDS``) and reads, judges and writes the files. Templates, imports and exports all read
the same definitions, so a file the registry exports imports back unchanged (tested: export -> import
changes nothing). A column's ``header`` is its Chinese name in files; ``key`` names the value in the
registry (the API's field name where there is one), ``field`` the input schema's field it feeds
(``classes.small`` for nested ones).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from kernel.auth import Principal


class CellType(StrEnum):
    text = "text"  # free text
    ident = "ident"  # an identifier (ID number, certificate number, code): text only, never a number
    int = "int"
    decimal = "decimal"
    date = "date"
    bool = "bool"  # 是/否
    enum = "enum"  # a code, written as its Chinese label (the code itself is accepted too)
    enum_list = "enum_list"  # several codes, separated by 、 , ; or /
    text_list = "text_list"  # several names (streets), separated by 、 , or ;


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    cell: CellType = CellType.text
    required: bool = False
    enum: type[StrEnum] | None = None
    field: str = ""  # the input schema's field it feeds or is reported as ("": the key)
    lookup: bool = False  # read to find a record (a person, a session), not passed to the schema as is
    imported: bool = True  # read by imports (else: shown for people, ignored when read back)
    in_template: bool = True
    exported: bool = True
    note: str = ""
    width: int = 14

    @property
    def schema_field(self) -> str:
        return self.field or self.key


def info(key: str, header: str, note: str = "", width: int = 12, in_template: bool = True) -> Column:
    """A column shown for people (a name next to an ID number): exported, ignored on import."""
    return Column(key, header, imported=False, in_template=in_template, note=note, width=width)


def derived(key: str, header: str, type_: CellType = CellType.text, enum: type[StrEnum] | None = None) -> Column:
    """A column only exports have (derived or kept by the registry); ignored on import."""
    return Column(key, header, type_, enum=enum, imported=False, in_template=False)


@dataclass(frozen=True)
class Export:
    """A kind exported straight from the registry: one query, one row of values per row it returns.

    ``sql`` ends its WHERE clause with ``1 = 1{where}``: the export puts its filters there (each as
    `` AND ...``, placeholders ``{}``), the kindergarten (``kindergarten_column``, the caller's scope
    or the one asked for) and, where the kind has one, the calendar year (``year_column``).
    ``values(row, on)`` maps a row to the kind's column keys as of the day ``on`` (today)."""

    sql: str
    kindergarten_column: str
    values: Callable[[dict[str, Any], date], dict[str, Any]]
    year_column: str | None = None

    @property
    def parameters(self) -> tuple[str, ...]:
        """The export's parameters besides the kindergarten."""
        return ("year",) if self.year_column is not None else ()


@dataclass(frozen=True)
class ExportArgs:
    """What an export was asked for (the query parameters of ``GET /exports/{kind}``)."""

    kindergarten_id: int | None = None
    year: int | None = None
    by: str | None = None
    purpose: str | None = None
    on: date | None = None


@dataclass(frozen=True)
class Computed:
    """The rows of a file, and what its name says after the kind's label (a day, a purpose)."""

    rows: list[dict[str, Any]]
    name: str


@dataclass(frozen=True)
class ComputedExport:
    """A kind exported from a domain's answer (the staffing gaps, the eligibility batch), scoped as
    the JSON endpoint scopes it: ``rows(who, args)`` computes the rows and checks its parameters
    (``parameters``: the ones it takes besides the kindergarten)."""

    rows: Callable[[Principal, ExportArgs], Awaitable[Computed]]
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str  # as in URLs: /imports/{name}, /exports/{name}.xlsx
    label: str  # Chinese, for file and sheet names
    columns: tuple[Column, ...]
    importable: bool = True
    export: Export | ComputedExport | None = None  # None: not exported
    note: str = ""

    @property
    def exportable(self) -> bool:
        return self.export is not None

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @cached_property
    def imported(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.imported)

    @cached_property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @cached_property
    def template(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.in_template)

    @cached_property
    def exported(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.exported)


T, ID, INT, DEC, DATE, BOOL, ENUM, LIST = (
    CellType.text,
    CellType.ident,
    CellType.int,
    CellType.decimal,
    CellType.date,
    CellType.bool,
    CellType.enum,
    CellType.enum_list,
)
ID_NOTE = "18 位身份证号，末位可为 X；请把这一列设为文本格式"
