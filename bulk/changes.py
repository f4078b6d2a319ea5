"""A kindergarten admin's import, reviewed like their single writes (issue 15).

An import of a kind whose single writes the policy reviews (staff, certificates, credit entries:
``import.<kind>`` in ``[version.review]``) is checked at once — the whole import run in a transaction
that is rolled back, so a bad row is a 422 listing the rows, as always — and the file is kept for
district HR, who approve it (then it is imported in the submitter's name, every row checked again) or
reject it. A dry run is never reviewed: it writes nothing. The file waits under ``<var>/change-files/``
by a random name and is removed once the change is decided (approved: its rows are the registry's, the
import run keeps its name and checksum; rejected or withdrawn: nothing of it is wanted).
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field

from bulk.schemas import ImportOut
from bulk.services import ImportRejected, import_kind, run_import
from kernel.auth import Principal
from kernel.common.schemas import Schema
from kernel.errors import NotFound
from kernel.i18n import _
from kernel.settings import get_settings
from registry.changes.codes import ChangeKind
from registry.changes.schemas import ChangeOut
from registry.changes.services import Applied, Changes, Handler, Snapshot

FOLDER = "change-files"
REVIEWED_IMPORTS = {
    "staff": ChangeKind.import_staff,
    "certificates": ChangeKind.import_certificates,
    "credits": ChangeKind.import_credits,
}


class ImportChange(Schema):
    """An import kept for review: the kind, the file's name as uploaded and where it waits."""

    kind: str = Field(max_length=32)
    filename: str = Field(max_length=255)
    file: str = Field(pattern=r"^[A-Za-z0-9_-]{16,64}$", description="the kept file's name")
    valid_only: bool = False


def _folder() -> Path:
    return get_settings().var_dir / FOLDER


def _write(name: str, content: bytes) -> None:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)


def _read(name: str) -> bytes:
    path = _folder() / name
    if not path.is_file():
        raise NotFound(_("the file of this import is no longer kept: ask for it again"))
    return path.read_bytes()


def _delete(name: str) -> None:
    (_folder() / name).unlink(missing_ok=True)


async def import_or_submit(
    changes: Changes,
    who: Principal,
    kind: str,
    filename: str,
    content: bytes,
    *,
    valid_only: bool = False,
    dry_run: bool = False,
    as_found: bool = False,
) -> ImportOut | ChangeOut:
    """The import (API and page alike): run at once, or checked and kept for review when the caller's
    role needs review for this kind (a dry run never does)."""
    import_kind(kind)
    change_kind = REVIEWED_IMPORTS.get(kind)
    # as_found is district HR's alone (run_import refuses anyone else), and HR's imports are not reviewed
    if dry_run or as_found or change_kind is None or not changes.needs_review(who, change_kind):
        return await run_import(who, kind, filename, content, valid_only=valid_only, dry_run=dry_run, as_found=as_found)
    # checked first as a dry run of its own, kept: its bad rows and their workbook stay readable
    checked = await run_import(who, kind, filename, content, valid_only=valid_only, dry_run=True)
    if checked.errors and not valid_only:
        raise ImportRejected(checked)
    name = secrets.token_urlsafe(24)
    await asyncio.to_thread(_write, name, content)
    try:
        outcome = await changes.write(
            who, change_kind, ImportChange(kind=kind, filename=filename[:255], file=name, valid_only=valid_only)
        )
    except BaseException:
        await asyncio.to_thread(_delete, name)
        raise
    assert not isinstance(outcome, Applied)
    return outcome.change


def handlers() -> list[Handler]:
    async def apply(who: Principal, _target: int | None, data: ImportChange) -> Any:
        content = await asyncio.to_thread(_read, data.file)
        return await run_import(who, data.kind, data.filename, content, valid_only=data.valid_only)

    async def kindergarten_of(_target: int | None, _data: ImportChange) -> int | None:
        return None  # filled in from the submitter (an admin's own kindergarten)

    def summary(data: ImportChange, _before: Snapshot | None) -> str:
        return _("import of {kind}: {filename}", kind=data.kind, filename=data.filename)

    async def decided(data: ImportChange) -> None:
        await asyncio.to_thread(_delete, data.file)

    return [
        Handler(kind, ImportChange, apply, kindergarten_of, summary, decided=decided)
        for kind in REVIEWED_IMPORTS.values()
    ]
