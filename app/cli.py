"""The ``registry`` command: serve, migrate, backup, restore, demo load, user create, notifications sweep
and deliver."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import click
from piccolo.apps.migrations.commands.forwards import run_forwards
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.notifications import sweep
from bulk.cli import export_command, import_command
from certificates.services import remind
from demo.loader import load_demo
from kernel.backup import BackupError
from kernel.backup import backup as take_backup
from kernel.backup import restore as restore_backup
from kernel.codes import Role
from kernel.common.time import today
from kernel.errors import DomainError
from kernel.settings import get_settings
from registry.accounts.schemas import AccountCreate
from registry.accounts.services import SYSTEM, create_account
from registry.kindergartens.tables import Kindergarten
from registry.mail.delivery import deliver_all, requeue_failed, target_of
from registry.mail.rules import SmtpUrlError
from reports.cli import report

console = Console()


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


@click.group()
def main() -> None:
    """District kindergarten-workforce registry."""


@main.command()
@click.option("--host", default=None, help="interface to bind (default REGISTRY_HOST, 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default REGISTRY_PORT, 8000)")
@click.option("--workers", default=1, show_default=True, type=int, help="worker processes (PostgreSQL only)")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the API with uvicorn (uvloop, httptools)."""
    # heavy optional dependency: imported on first use, not at start-up
    import uvicorn

    settings = get_settings()
    if workers > 1 and settings.engine_kind == "sqlite":
        raise click.UsageError("SQLite has one writer: run a single worker, or use PostgreSQL")
    settings.jwt_secret()  # create the development key before workers fork, so they share it
    uvicorn.run(
        "app.factory:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


async def _migrate() -> None:

    result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise click.ClickException(f"migration failed: {result.message}")


@main.command()
def migrate() -> None:
    """Apply every pending migration (all apps)."""

    _run(_migrate())
    console.print(f"[green]database is up to date[/] ({get_settings().engine_kind})")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="replace FILE if it exists")
def backup(file: Path, overwrite: bool) -> None:
    """Copy the whole registry into FILE while the service runs (a consistent snapshot).

    SQLite: the online backup API (FILE is a SQLite database); PostgreSQL: pg_dump's custom format.
    FILE is readable by you only: it holds personal data."""
    try:
        done = take_backup(get_settings(), file, overwrite=overwrite)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(
        f"[green]backup written[/]: {done.file} ({done.engine}, {done.tables} tables, "
        f"{done.bytes / 1e6:.1f} MB, {done.seconds:.1f} s)"
    )


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(file: Path) -> None:
    """Bring a backup made by `registry backup` back into an EMPTY database (REGISTRY_DATABASE_URL).

    A database with tables is refused: create a new one and restore into it. The migrations' state comes
    with the backup (`registry migrate` afterwards finds nothing to do)."""
    try:
        done = restore_backup(get_settings(), file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(
        f"[green]restored[/] {done.file} into the {done.engine} database ({done.tables} tables, {done.seconds:.1f} s)"
    )


@main.group()
def demo() -> None:
    """The synthetic demo district."""


@demo.command("load")
@click.option("--scale", type=click.Choice(["district", "city", "province"]), default="district", show_default=True)
@click.option("--seed", type=int, default=2017, show_default=True)
@click.option("--reset", is_flag=True, help="delete the existing registry data first (not the audit trail)")
@click.option("--if-empty", is_flag=True, help="do nothing (but show the saved demo logins) if data exists")
def demo_load(scale: str, seed: int, reset: bool, if_empty: bool) -> None:
    """Build a deterministic synthetic district and one demo account per role."""

    if if_empty and not reset and Kindergarten.count().run_sync() > 0:
        saved = get_settings().var_dir / "demo-credentials.txt"
        console.print("[yellow]the registry already holds data: demo load skipped[/]")
        if saved.exists():
            console.print(f"demo logins (from {saved}):")
            console.print(saved.read_text().strip())
        return

    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            summary = _run(load_demo(scale=scale, seed=seed, progress=progress, reset=reset))
        except DomainError as exc:
            raise click.ClickException(exc.detail) from None
    print_demo_summary(summary)


def print_demo_summary(summary: Any) -> None:
    figures = Table(title=f"Demo {summary.scale} (seed {summary.seed}) loaded in {summary.elapsed_seconds:.1f} s")
    figures.add_column("figure")
    figures.add_column("value", justify="right")
    rows = [
        ("kindergartens", summary.kindergartens),
        ("streets / collaboration groups", f"{summary.streets} / {summary.collab_groups}"),
        ("children / approved places", f"{summary.children:,} / {summary.places:,}"),
        ("classes", f"{summary.classes:,}"),
        ("staff records", f"{summary.staff:,}"),
        ("full-time teachers (not left)", f"{summary.teachers:,}"),
        ("health doctors present / required", f"{summary.health_doctors_present} / {summary.health_doctors_required}"),
        (
            "正高级 / 特级 / backbone",
            f"{summary.teacher_titles.get('professor', 0)} / "
            f"{summary.honours.get('special_grade', 0)} / {summary.backbone}",
        ),
        ("courses / training results", f"{summary.courses} / {summary.results:,}"),
        ("certificates", f"{summary.certificates:,}"),
        ("on-post certified rate (持证上岗率)", f"{summary.compliance_rate:.1%}" if summary.compliance_rate else "-"),
        ("on-post people missing a certificate", f"{summary.violations}"),
        ("kindergartens without a family-education instructor", f"{summary.kindergartens_without_family_instructor}"),
        (f"certificates expiring within {summary.expiring_within_days} days", f"{summary.expiring}"),
        (
            "reserve pool (储备库): available / placed / withdrawn",
            " / ".join(f"{summary.pool_by_status.get(s, 0):,}" for s in ("available", "placed", "withdrawn")),
        ),
        ("planned places (records / places)", f"{summary.planned_places} / {summary.planned_places_total:,}"),
    ]
    for name, value in rows:
        figures.add_row(name, str(value))
    console.print(figures)
    accounts = Table(title="Demo accounts (demo mode only: delete or change them before real use)")
    for col in ("username", "role", "password", "kindergarten", "staff"):
        accounts.add_column(col)
    for acc in summary.accounts:
        accounts.add_row(acc.username, acc.role, acc.password, acc.kindergarten_code or "-", acc.staff_name or "-")
    console.print(accounts)
    console.print(f"(also written to {summary.credentials_path}, readable by you only)")


@main.group()
def certificates() -> None:
    """Certificates."""


@certificates.command("remind")
@click.option("--within-days", type=click.IntRange(1, 366), default=90, show_default=True)
def certificates_remind(within_days: int) -> None:
    """Write expiry reminders into the outbox (one per certificate and window; safe to re-run).

    The outbox is kept for compatibility; what reaches people is `registry notifications sweep`."""

    written = _run(remind(within_days))
    table = Table(title=f"Expiry reminders written (certificates expiring within {within_days} days)")
    table.add_column("window (days)", justify="right")
    table.add_column("new reminders", justify="right")
    for window, count in written.items():
        table.add_row(str(window), str(count))
    console.print(table)
    console.print(f"{sum(written.values())} new reminder(s) in the outbox")


@main.group()
def notifications() -> None:
    """Notifications: the inbox's events and their email."""


@notifications.command("deliver")
@click.option(
    "--retry-failed",
    is_flag=True,
    help="first make every failed email due again (after fixing what failed them: the sender, the account)",
)
def notifications_deliver(retry_failed: bool) -> None:
    """Send every email that is due, then exit (for cron; the server also delivers in the background).

    Exit code 0 when the run went through, whatever the SMTP server answered (what failed stays in the
    outbox: GET /api/v1/mail/outbox?status=failed); 2 when REGISTRY_SMTP_URL is unset or unreadable,
    so a cron job pointed at an installation without email says so."""
    settings = get_settings()
    try:
        target = target_of(settings)
    except SmtpUrlError as exc:
        console.print(f"[red]{exc}[/]")
        sys.exit(2)
    if target is None:
        console.print("[yellow]REGISTRY_SMTP_URL is not set: email is off, nothing to deliver[/]")
        sys.exit(2)
    if retry_failed:
        console.print(f"{_run(requeue_failed())} failed email(s) made due again")
    done = _run(deliver_all(settings=settings))
    console.print(
        f"email via {target}: {done.sent} sent, {done.retried} to retry later, {done.failed} failed "
        f"({done.claimed} attempted)"
    )


@notifications.command("sweep")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="the day to sweep as (default: today, Beijing time)",
)
def notifications_sweep(on: Any) -> None:
    """Write the day's time-based notifications: certificates expiring and registrations due (90/30/7
    days), credits behind pace on a checkpoint day. Once per person and occasion: safe to re-run (cron)."""

    day: date = on.date() if on is not None else today()
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise click.BadParameter("a day between 2000-01-01 and 2100-12-31", param_hint="--on")
    if get_settings().smtp_url is None:
        console.print("[yellow]REGISTRY_SMTP_URL is not set: the notices reach the inboxes only, none is mailed[/]")
    started = time.perf_counter()
    written = _run(sweep(day))
    table = Table(title=f"Notifications written on {day.isoformat()}")
    table.add_column("kind")
    table.add_column("new notifications", justify="right")
    for kind, count in written.items():
        table.add_row(kind, str(count))
    console.print(table)
    console.print(f"{sum(written.values())} new notification(s) in {time.perf_counter() - started:.1f} s")


@main.group()
def user() -> None:
    """Accounts."""


@user.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--kindergarten", "kindergarten_code", default=None, help="kindergarten code (kindergarten_admin)")
@click.option("--staff", "staff_id_number", default=None, help="ID number of the staff record (teacher)")
@click.option("--password-stdin", is_flag=True, required=True, help="read the password from standard input")
def user_create(
    username: str, role: str, kindergarten_code: str | None, staff_id_number: str | None, password_stdin: bool
) -> None:
    """Create an account; the password is read from standard input, never from the command line."""

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        data = AccountCreate(
            username=username,
            password=password,
            role=Role(role),
            kindergarten_code=kindergarten_code,
            staff_id_number=staff_id_number,
        )
        out = _run(create_account(SYSTEM, data))
    except ValidationError as exc:
        raise click.ClickException(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    console.print(f"created account [bold]{out.username}[/] ({out.role.value}), id {out.id}")


def _add_report_commands() -> None:
    """``registry report ...`` (PDF reports, issue 6): defined in reports/cli.py."""

    main.add_command(report)


_add_report_commands()


def _add_bulk_commands() -> None:
    """``registry import ...`` and ``registry export ...`` (Excel/CSV, issue 6): defined in bulk/cli.py."""

    main.add_command(import_command)
    main.add_command(export_command)


_add_bulk_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
