"""Importing kindergartens."""

from __future__ import annotations

from typing import Any

from bulk.importers.base import (
    Checked,
    Importer,
    chunks,
    validate,
)
from bulk.rules import (
    ParsedRow,
    input_dict,
)
from kernel.i18n import _
from registry.kindergartens.files import KINDERGARTENS, kindergarten_values
from registry.kindergartens.schemas import KindergartenCreate
from registry.kindergartens.tables import Kindergarten as K
from registry.kindergartens.writes import add_kindergartens


class KindergartenImporter(Importer):
    kind = KINDERGARTENS

    async def lookup(self, rows: list[ParsedRow]) -> None:

        codes = sorted({v for r in rows if isinstance(v := r.values.get("code"), str)})
        self.existing: dict[str, dict[str, Any]] = {}
        for part in chunks(codes):
            for k in await K.select().where(K.code.is_in(list(part))):
                self.existing[k["code"]] = k

    def check(self, rows: list[ParsedRow]) -> Checked:

        out = Checked()
        repeats = self.repeats(rows, lambda r: r.values.get("code"), "repeats the code of row {first}")
        for i, row in enumerate(rows):
            errors = list(row.errors)
            if row.row in repeats:
                errors.append(repeats[row.row])
            existing = self.existing.get(row.values.get("code") or "")
            if existing is not None and not errors:
                what = _("kindergarten code {code}", code=existing["code"])
                if self.existing_row(row, kindergarten_values(existing), what, errors):
                    out.skipped += 1
                    continue
            elif existing is None:
                model = validate(self.kind, row, KindergartenCreate, input_dict(self.kind, row.values), errors)
                if model is not None and not errors:
                    out.new.append((row.row, model))
            out.errors.extend(errors)
            if i % 5000 == 0:
                self.report("check", i, len(rows))
        self.report("check", len(rows), len(rows))
        return out

    async def write(self, new: list[tuple[int, Any]]) -> None:
        models = [model for _row, model in new]
        await add_kindergartens(self.who, models, on_batch=self.progress("write", len(new) * 2))
