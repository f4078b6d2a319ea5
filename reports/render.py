"""HTML (Jinja2) and PDF (WeasyPrint) rendering: CPU-bound and synchronous.

The services call ``render_document`` in a worker process (``kernel.workers.run_cpu``), so the event loop
is never blocked; inside a process renders run one at a time (a lock), because WeasyPrint's and
matplotlib's native libraries are not documented as thread-safe and two renders on a two-core
machine gain nothing over one.

What is cached: the Jinja environment (templates and filters) and the list of installed CJK font
families. Nothing derived from a caller or a report's data is kept.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from credits.codes import CourseCategory, CreditSource, CreditStatus
from eligibility.codes import Purpose
from eligibility.rules import rule_label
from kernel import codes
from kernel.common.privacy import mask_id_number
from registry.kindergartens.codes import Demonstration, Grade, Ownership, ServiceType, TeacherModel
from reports import charts, rules
from staffing.codes import StaffingPost

log = logging.getLogger("registry.reports")

TEMPLATES = Path(__file__).resolve().parent / "templates"
BEIJING = timezone(timedelta(hours=8))
# CSS font stack: Noto Sans CJK SC (fonts-noto-cjk, installed by bin/bootstrap) first.
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
VERIFY_PATH = "/api/v1/reports/verify/"

_render_lock = threading.Lock()

# The codes the templates label (``label("Ownership")``) whose labels their own packages register in
# ``kernel.codes.LABELS`` when imported: imported here, so a worker process that renders a document and
# has imported nothing else labels them too (it printed "teacher" for 专任教师 in the staffing table).
LABELLED = (
    CourseCategory,
    CreditSource,
    CreditStatus,
    Demonstration,
    Grade,
    Ownership,
    Purpose,
    ServiceType,
    StaffingPost,
    TeacherModel,
)


def label(code: Any, enum_name: str) -> str:
    """``{{ post | label("Post") }}`` → 专任教师 (the code itself when it has no label)."""
    if code is None:
        return "—"
    value = getattr(code, "value", code)
    enum = codes.enum_named(enum_name)
    return codes.label(enum, str(value)) if enum else str(value)


def labels(values: Any, enum_name: str, sep: str = "、") -> str:
    return sep.join(label(v, enum_name) for v in values or []) or "—"


def missing_label(requirement: str) -> str:
    """A missing requirement as the certificate services name it: a type, or alternatives joined by |."""
    return " 或 ".join(label(part, "CertificateType") for part in str(requirement).split("|"))


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def num(value: Any, digits: int = 2) -> str:
    """Numbers as people read them: 1,234; 12.5; 36 (no trailing zeros)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    text = f"{float(value):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def day(value: date | datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def beijing_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") + " (UTC+8)"


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("是" if value else "否")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        label=label,
        labels=labels,
        missing=missing_label,
        pct=pct,
        num=num,
        day=day,
        yes_no=yes_no,
        mask_id=_mask_id,
        rule=rule_label,
    )
    env.globals.update(font_stack=FONT_STACK)
    return env


def _mask_id(value: str | None) -> str:

    return "—" if not value else mask_id_number(value)


@dataclass(frozen=True)
class Page:
    """What the header and footer of every page carry."""

    bureau: str
    title: str
    title_en: str
    subtitle: str
    generated_at: datetime
    code: str

    @property
    def generated(self) -> str:
        return beijing_time(self.generated_at)

    @property
    def code_display(self) -> str:
        return rules.display_code(self.code)

    @property
    def verify_path(self) -> str:
        return VERIFY_PATH + self.code_display


def render_html(template: str, page: Page, data: dict[str, Any], chart_specs: dict[str, charts.ChartSpec]) -> str:
    images = {name: charts.data_uri(charts.svg_of(spec)) for name, spec in chart_specs.items()}
    return environment().get_template(template).render(page=page, data=data, charts=images)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """The PDF and its page count (A4, fonts embedded as subsets)."""
    # heavy optional dependency: imported on first use, not at start-up
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(TEMPLATES)).render()
    return document.write_pdf(), len(document.pages)


def render_document(
    template: str, page: Page, data: dict[str, Any], chart_specs: dict[str, charts.ChartSpec]
) -> tuple[str, bytes, int]:
    """HTML, PDF and page count of one document (synchronous: call it in a worker thread)."""
    with _render_lock:
        warn_without_cjk_font()
        html = render_html(template, page, data, chart_specs)
        pdf, pages = html_to_pdf(html)
    return html, pdf, pages


@lru_cache(maxsize=1)
def cjk_font_families() -> tuple[str, ...]:
    """Font families fontconfig knows for Chinese (``fc-list :lang=zh``); empty if none or no fc-list."""
    exe = shutil.which("fc-list")
    if exe is None:
        return ()
    try:
        out = subprocess.run([exe, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return ()
    families = {name.strip() for line in out.stdout.splitlines() for name in line.split(",") if name.strip()}
    return tuple(sorted(families))


@lru_cache(maxsize=1)
def warn_without_cjk_font() -> bool:
    """Log once when no CJK font is installed (Chinese would print as boxes)."""
    if cjk_font_families():
        return True
    log.warning("no CJK font found (fc-list :lang=zh): install fonts-noto-cjk (bin/bootstrap does)")
    return False


def harfbuzz_subset_available() -> bool:
    """WeasyPrint subsets embedded fonts with HarfBuzz when libharfbuzz-subset is installed; without
    it, it falls back to fontTools, which takes seconds per PDF on a CJK font."""
    try:
        # heavy optional dependency: imported on first use, not at start-up
        from weasyprint.text.ffi import harfbuzz_subset
    except Exception:  # pragma: no cover - a broken WeasyPrint install
        return False
    return harfbuzz_subset is not None


def now() -> datetime:
    return datetime.now(UTC)
