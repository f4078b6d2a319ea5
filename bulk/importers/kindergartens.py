"""Importing kindergartens."""

from __future__ import annotations

from typing import Any

from bulk.importers.base import (
    AUDIT_COLUMNS,
    Checked,
    Importer,
    audit_row,
    chunks,
    reserve_ids,
    validate,
    write_in_batches,
)
from bulk.rules import (
    ParsedRow,
    input_dict,
)
from kernel.common.time import utcnow
from registry.kindergartens.files import KINDERGARTENS, kindergarten_values
from registry.kindergartens.schemas import KindergartenCreate
from registry.kindergartens.services import snapshot as kindergarten_snapshot
from registry.kindergartens.services import to_columns, to_out
from registry.kindergartens.tables import Kindergarten as K


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
                what = f"kindergarten code {existing['code']}"
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

        ids = await reserve_ids("kindergarten", len(new))
        now = utcnow()
        table_rows, audit = [], []
        columns: list[str] = []
        for kid, (_, model) in zip(ids, new, strict=True):
            values = {"id": kid, **to_columns(model.model_dump()), "created_at": now, "updated_at": now}
            columns = list(values)
            table_rows.append(tuple(values.values()))
            audit.append(audit_row(self.who, now, "create", "kindergarten", kid, kindergarten_snapshot(to_out(values))))
        total = len(new) * 2
        done = await write_in_batches("kindergarten", columns, table_rows, self.report, "write", 0, total)
        await write_in_batches("audit_event", AUDIT_COLUMNS, audit, self.report, "write", done, total)
