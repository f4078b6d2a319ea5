"""``registry import KIND FILE`` and ``registry export KIND FILE`` (issue 6), added to the ``registry`` command.

The command line acts as district HR (it runs where the database is); its audit events name the
operating-system user as ``cli:<user>``.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bulk.columns import exportable, importable
from bulk.exports import export
from bulk.services import ImportRejected, errors_workbook, run_import
from kernel.auth import Principal
from kernel.codes import Role
from kernel.db import close_pool, start_pool
from kernel.errors import DomainError
from registry.kindergartens.tables import Kindergarten

console = Console()
STAGES = {"read": "reading the file", "check": "checking rows", "write": "writing"}
SHOWN_ERRORS = 20


def _principal(actor: str | None) -> Any:

    try:
        user = getpass.getuser()
    except Exception:  # pragma: no cover - no user name in some containers
        user = "unknown"
    return Principal(account_id=0, username=(actor or f"cli:{user}")[:64], role=Role.district_hr)


async def _with_pool(coro: Any) -> Any:

    await start_pool(2)
    try:
        return await coro
    finally:
        await close_pool()


@click.command("import")
@click.argument("kind", type=click.Choice(importable()))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--valid-only", is_flag=True, help="import the valid rows and report the bad ones (default: all or none)")
@click.option("--dry-run", is_flag=True, help="check every row and write nothing")
@click.option(
    "--as-found",
    is_flag=True,
    help="staff only: record the people as found, on post without their certificates too (HR's first load; "
    "they show up as dual-certificate violations, and the audit trail says so)",
)
@click.option(
    "--errors-out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="write the rows with errors to this .xlsx (fix them there and import it again)",
)
@click.option("--actor", default=None, help="the name recorded in the audit trail (default cli:<user>)")
def import_command(
    kind: str,
    file: Path,
    valid_only: bool,
    dry_run: bool,
    as_found: bool,
    errors_out: Path | None,
    actor: str | None,
) -> None:
    """Import an .xlsx or CSV (UTF-8 or GBK) file of KIND, as district HR."""

    who = _principal(actor)
    data = file.read_bytes()
    with Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            out = asyncio.run(
                _with_pool(
                    run_import(
                        who,
                        kind,
                        file.name,
                        data,
                        valid_only=valid_only,
                        dry_run=dry_run,
                        as_found=as_found,
                        progress=progress,
                    )
                )
            )
            rejected = False
        except ImportRejected as exc:
            out, rejected = exc.out, True
        except DomainError as exc:
            detail = "; ".join(f"{e.field}: {e.message}" for e in exc.errors[:5])
            raise click.ClickException(f"{exc.detail}" + (f" ({detail})" if detail else "")) from None
    if out.errors:
        table = Table(title=f"{len({e.row for e in out.errors})} row(s) with errors")
        for column in ("row", "column", "message"):
            table.add_column(column)
        for e in out.errors[:SHOWN_ERRORS]:
            table.add_row(str(e.row), e.column, e.message)
        console.print(table)
        if len(out.errors) > SHOWN_ERRORS:
            console.print(f"… and {len(out.errors) - SHOWN_ERRORS} more")
        if errors_out is not None:
            _, content = asyncio.run(_with_pool(errors_workbook(who, out.id)))
            errors_out.write_bytes(content)
            console.print(f"errors written to {errors_out}")
    summary = (
        f"{kind}: {out.rows} row(s) read, {out.imported} imported, {out.skipped} already present"
        f" — {out.outcome} (import run {out.id})"
    )
    if rejected:
        console.print(f"[red]{summary}: nothing was imported[/] (use --valid-only to import the valid rows)")
        sys.exit(1)
    console.print(f"[green]{summary}[/]" if not out.errors else f"[yellow]{summary}[/]")


@click.command("export")
@click.argument("kind", type=click.Choice(exportable()))
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--kindergarten", "kindergarten_code", default=None, help="only this kindergarten (its code)")
@click.option("--year", type=int, default=None, help="credits only: entries dated in this year")
@click.option(
    "--by",
    type=click.Choice(["kindergarten", "street", "group", "ownership", "district"]),
    default=None,
    help="gaps only: the roll-up (default kindergarten)",
)
@click.option(
    "--purpose",
    type=click.Choice(["title", "backbone", "award", "promotion", "registration"]),
    default=None,
    help="eligibility only (required there): what the round is for",
)
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="eligibility only: the day judged")
def export_command(
    kind: str,
    file: Path,
    kindergarten_code: str | None,
    year: int | None,
    by: str | None,
    purpose: str | None,
    on: datetime | None,
) -> None:
    """Export KIND to FILE (.xlsx or .csv, by its name), as district HR (full ID numbers)."""

    extension = file.suffix.lower().lstrip(".")
    if extension not in ("xlsx", "csv"):
        raise click.UsageError("FILE must end in .xlsx or .csv")

    async def run() -> tuple[str, str, bytes]:
        kindergarten_id = None
        if kindergarten_code:
            row = await Kindergarten.select(Kindergarten.id).where(Kindergarten.code == kindergarten_code).first()
            if row is None:
                raise click.ClickException(f"no kindergarten {kindergarten_code}")
            kindergarten_id = row["id"]
        return await export(
            _principal(None),
            f"{kind}.{extension}",
            kindergarten_id=kindergarten_id,
            year=year,
            by=by,
            purpose=purpose,
            on=on.date() if on else None,
        )

    try:
        _, _, content = asyncio.run(_with_pool(run()))
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    file.write_bytes(content)
    console.print(f"[green]{kind} exported to {file}[/] ({len(content):,} bytes)")
