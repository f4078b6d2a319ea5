"""Charts for the PDFs: matplotlib figures rendered to SVG (vector graphics) with Chinese labels.

Text is written into the SVG as outlines (``svg.fonttype = path``), so the PDF needs no extra font
for the charts and every glyph is drawn from the CJK font matplotlib found. Only matplotlib's
object-oriented API is used (``Figure``, never ``pyplot``): no global figure state, nothing kept
between calls. Calls are serialised by a lock, because matplotlib's font cache and ``rcParams``
are process-wide.

A chart is described by a ``ChartSpec`` (plain data, built by the services from the report's data)
and drawn by ``svg_of`` at render time.
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

# Families tried in order; fonts-noto-cjk (bin/bootstrap) provides the first.
CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "DejaVu Sans"]
PALETTE = ["#1f5fa8", "#d9822b", "#3a9a5b", "#b53d3d", "#7a5ea8", "#6b6b6b"]

_lock = threading.Lock()
SVG_FONTTYPE = "none"  # text stays text: WeasyPrint draws it with the embedded CJK font


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class ChartSpec:
    """What to draw. ``kind``: ``bar`` (vertical), ``barh`` (horizontal, for long labels) or ``line``
    (categories on x, e.g. dates). ``targets``: horizontal reference lines (``label``, value)."""

    kind: Literal["bar", "barh", "line"]
    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    value_label: str = ""
    targets: Sequence[tuple[str, float]] = field(default_factory=tuple)
    percent: bool = False
    value_min: float | None = None  # start of the value axis (None: zero / matplotlib's choice)
    width_mm: float = 170
    height_mm: float = 80


@lru_cache(maxsize=1)
def installed_families() -> list[str]:
    """The families of ``CJK_FAMILIES`` matplotlib can find (so it never warns about the others)."""
    # heavy optional dependency: imported on first use, not at start-up
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FAMILIES if name in known] or ["DejaVu Sans"]


@lru_cache(maxsize=1)
def _font() -> object:
    # heavy optional dependency: imported on first use, not at start-up
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=installed_families(), size=8)


def _apply_font(ax: object, font: object) -> None:
    for text in [*ax.get_xticklabels(), *ax.get_yticklabels()]:  # type: ignore[attr-defined]
        text.set_fontproperties(font)


def svg_of(spec: ChartSpec) -> str:
    """The chart as an SVG document (text)."""
    # heavy optional dependency: imported on first use, not at start-up
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with _lock, matplotlib.rc_context({"svg.fonttype": SVG_FONTTYPE, "svg.hashsalt": "registry-reports"}):
        font = _font()
        inch = 25.4
        fig = Figure(figsize=(spec.width_mm / inch, spec.height_mm / inch), dpi=72)
        FigureCanvasSVG(fig)
        ax = fig.add_subplot(1, 1, 1)
        n = max(len(spec.series), 1)
        positions = list(range(len(spec.categories)))
        width = 0.8 / n
        for i, series in enumerate(spec.series):
            values = [0.0 if v is None else float(v) for v in series.values]
            colour = PALETTE[i % len(PALETTE)]
            offset = [p - 0.4 + width * (i + 0.5) for p in positions]
            if spec.kind == "bar":
                ax.bar(offset, values, width=width, label=series.name, color=colour)
            elif spec.kind == "barh":
                ax.barh(offset, values, height=width, label=series.name, color=colour)
            else:
                xs = [p for p, v in zip(positions, series.values, strict=True) if v is not None]
                ys = [float(v) for v in series.values if v is not None]
                ax.plot(xs, ys, marker="o", markersize=3, label=series.name, color=colour)
        for j, (name, value) in enumerate(spec.targets):
            line = ax.axvline if spec.kind == "barh" else ax.axhline
            line(value, linestyle="--", linewidth=0.8, color=PALETTE[(j + 3) % len(PALETTE)], label=name)
        values_axis = ax.xaxis if spec.kind == "barh" else ax.yaxis
        if spec.value_min is not None and spec.kind == "barh":
            ax.set_xlim(left=spec.value_min)
        elif spec.value_min is not None:
            ax.set_ylim(bottom=spec.value_min)
        if spec.percent:
            values_axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        else:
            values_axis.set_major_locator(MaxNLocator(integer=True))
        if spec.kind == "barh":
            ax.set_yticks(positions, list(spec.categories))
            ax.invert_yaxis()
            ax.set_xlabel(spec.value_label, fontproperties=font)
        else:
            ax.set_xticks(positions, list(spec.categories))
            if len(spec.categories) > 8:
                for t in ax.get_xticklabels():
                    t.set_rotation(45)
                    t.set_horizontalalignment("right")
            ax.set_ylabel(spec.value_label, fontproperties=font)
        ax.set_title(spec.title, fontproperties=font, fontsize=10)
        ax.grid(axis="x" if spec.kind == "barh" else "y", linewidth=0.3, alpha=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        _apply_font(ax, font)
        if len(spec.series) > 1 or spec.targets:
            ax.legend(prop=font, frameon=False, fontsize=7)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
        return out.getvalue()


def data_uri(svg: str) -> str:
    """For ``<img src=...>``: WeasyPrint draws an SVG image as vectors."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
