"""Pure view-model logic of the pages: bars and their numbers, plain-language eligibility reasons,
the gap chart's geometry, where a login may send the browser next. Data in, view model out; no I/O.

Nothing here decides a rule of the domain: eligibility, credit status, gaps and verdicts come from
the services that answer the JSON API; this module only words and draws them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlsplit

from credits.codes import CreditStatus
from eligibility.codes import Purpose
from ethics.codes import EthicsGrade
from ethics.rules import measure_words, until_words
from kernel import codes
from kernel.codes import Role, label
from kernel.common.text import chinese_part, missing_text
from pages.schemas import Bar, ChartRow, EligibilityCard, PlainReason, Segment
from registry.staff.codes import Post, StaffStatus
from staffing.codes import StaffingPost

# --- numbers ---------------------------------------------------------------------------------------


def num(value: float | int | None, digits: int = 2) -> str:
    """A number as people read it: 1,234; 12.5; 36 (no trailing zeros)."""
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    text = f"{float(value):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: float, maximum: float) -> float:
    """value / maximum in percent, floored to one decimal (99.96 shows 99.9, never a false 100) and
    capped at 100. A target of zero or less is met by anything: 100."""
    if maximum <= 0:
        return 100.0
    if value <= 0:
        return 0.0
    return min(math.floor(value / maximum * 1000 + 1e-9) / 10, 100.0)


def pct_text(share: float | None) -> str:
    """A share (0–1) as a percentage with one decimal."""
    if share is None:
        return "—"
    return f"{(Decimal(str(share)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def bar(key: str, name: str, value: float, maximum: float, unit: str, *, ok: bool | None = None, note: str = "") -> Bar:
    p = percent(value, maximum)
    return Bar(
        key=key,
        label=name,
        value=value,
        max=maximum,
        percent=p,
        text=f"{num(value)} / {num(maximum)} {unit}（{num(p, 1)}%）".replace("  ", " "),
        ok=ok,
        note=note,
    )


# --- credits ---------------------------------------------------------------------------------------

CREDIT = "学分"


@dataclass(frozen=True)
class CreditBars:
    overall: Bar
    categories: list[Bar]
    years: list[Bar]


def credit_bars(transcript: Any) -> CreditBars:
    """The bars of a credit transcript (``credits.schemas.TranscriptOut``): overall counted against the
    cycle's requirement, each category (required ones against their minimum, the others as their share
    of the cycle's requirement), and each year against the yearly minimum."""
    required = float(transcript.required.credits)
    complete = transcript.status == CreditStatus.complete
    overall = bar(
        "overall",
        f"{transcript.cycle} 周期总学分",
        float(transcript.counted),
        required,
        CREDIT,
        ok=complete or float(transcript.counted) >= required,
        note=f"按时间进度此时应达 {num(transcript.pace)} 学分",
    )
    categories: list[Bar] = []
    for c in sorted(transcript.by_category, key=lambda c: (-float(c.required), c.category)):
        name = label_of("CourseCategory", c.category)
        if float(c.required) > 0:
            needed = float(c.required)
            b = bar(c.category, name, float(c.counted), needed, CREDIT, ok=bool(c.met), note="必修（本周期最低要求）")
        else:
            b = bar(c.category, name, float(c.counted), required, CREDIT, note="计入总学分（不设最低要求）")
        categories.append(b)
    this_year = transcript.as_of.year
    years = []
    for y in transcript.by_year:
        if y.year > this_year:  # a year still to come is neither met nor missed
            years.append(bar(str(y.year), f"{y.year} 年", float(y.counted), float(y.minimum), CREDIT, note="尚未开始"))
            continue
        note = "年度最低要求" + ("（本年度尚未结束）" if y.year == this_year and not y.minimum_met else "")
        years.append(
            bar(
                str(y.year),
                f"{y.year} 年",
                float(y.counted),
                float(y.minimum),
                CREDIT,
                ok=bool(y.minimum_met),
                note=note,
            )
        )
    return CreditBars(overall, categories, years)


def previous_cycle(cycle: str) -> str | None:
    """``2026-2030`` → ``2021-2025`` (cycles are consecutive and of equal length)."""
    m = re.fullmatch(r"(\d{4})-(\d{4})", cycle)
    if not m:
        return None
    first, last = int(m.group(1)), int(m.group(2))
    n = last - first + 1
    return f"{first - n}-{first - 1}" if n > 0 else None


STATUS_WORDS = {
    CreditStatus.complete: "本周期学分已修满",
    CreditStatus.on_track: "学分进度正常",
    CreditStatus.behind: "学分进度落后，请及时参加培训",
    CreditStatus.at_risk: "学分有未达标风险，请尽快补修",
}


# --- labels ------------------------------------------------------------------------------------------


def label_of(enum_name: str, code: Any) -> str:
    """The Chinese label of a code (kernel.codes.LABELS), the code itself when it has none."""

    if code is None:
        return "—"
    enum = codes.enum_named(enum_name)
    value = str(getattr(code, "value", code))
    return label(enum, value) if enum is not None else value


# --- a person's record over time ------------------------------------------------------------------------

ASSIGNMENT_REASONS = {"hired": "入职", "re-hired": "重新入职", "post changed": "调整岗位", "transfer": "调动"}


def assignment_reason(reason: str | None) -> str:
    """Why an assignment began, in words (the register's own reasons; a transfer's reason as typed)."""
    if not reason:
        return ""
    return ASSIGNMENT_REASONS.get(reason, reason)


# --- eligibility in plain words ------------------------------------------------------------------------

RULE_TITLES = {
    "roster": "评审范围",
    "registration_period": "注册周期",
    "ethics_veto": "师德",
    "dual_certificate": "持证上岗",
    "credits_cycle": "周期学分",
    "credits_yearly_minimum": "年度学分",
    "credits_on_track": "学分进度",
    "title_minimum": "职称",
    "ethics_evaluations": "历年师德考核",
    "training_hours": "培训学时",
}

# title and award first: the ones a teacher asks about this year
PURPOSE_ORDER = (Purpose.title, Purpose.award, Purpose.backbone, Purpose.promotion, Purpose.registration)


@dataclass(frozen=True)
class ReasonContext:
    """What the page knows besides the verdict, to word each rule with its numbers."""

    post: str
    title: str
    missing: Sequence[str]  # the dual-certificate verdict's missing requirements
    transcript: Any  # credits.schemas.TranscriptOut of the cycle containing ``on``
    on: date
    veto: Any = None  # ethics.schemas.VetoOut of ``on`` or None
    backbone_min_title: str | None = None


def _short(required: float, counted: float) -> float:
    return max(round(required - counted, 2), 0.0)


def plain_reason(rule: str, passed: bool, detail: str, ctx: ReasonContext, words: str = "") -> PlainReason:
    """One rule of an eligibility answer in plain Chinese, with its numbers. The credit rules read
    the periods the answer names (a round reads the last completed cycle and ended years, not the
    transcript of the current cycle): their text is the service's own words. Unknown rules (or
    details in an unexpected form) fall back to the service's own detail."""
    title = RULE_TITLES.get(rule, rule)
    t = ctx.transcript
    text: str | None = None
    veto = False
    if rule == "ethics_veto":
        if passed:
            text = "没有不合格的师德考核，也没有在影响期内的处分。"
        else:
            veto = True
            source = ctx.veto.detail if ctx.veto is not None else detail
            text = f"师德一票否决：{chinese_part(source)}"
            if ctx.veto is not None:
                text += f"（{until_words(ctx.veto.reason_code, ctx.veto.until)}）"
            text += "。无论其他条件如何，均不能参加。"
    elif rule == "dual_certificate":
        post = label_of("Post", ctx.post)
        text = (
            f"持有{post}岗位所需的证书（双证上岗）。"
            if passed
            else f"缺少{post}岗位所需的证书：{missing_text(ctx.missing)}。"
        )
    elif rule in ("roster", "registration_period") and words:
        text = words + "。"
    elif rule in ("credits_cycle", "credits_yearly_minimum") and words:
        text = words + ("，已达到。" if passed else "。")
    elif rule == "credits_cycle" and t is not None:
        counted, required = float(t.counted), float(t.required.credits)
        short_cats = [c for c in t.by_category if float(c.required) > 0 and not c.met]
        cats = "、".join(
            f"{label_of('CourseCategory', c.category)}还差 {num(_short(float(c.required), float(c.counted)))} 学分"
            for c in short_cats
        )
        if passed:
            text = f"{t.cycle} 周期已认定 {num(counted)} 学分，达到 {num(required)} 学分的要求，必修类别均已修满。"
        elif counted >= required:
            text = f"{t.cycle} 周期学分总数已达到 {num(required)} 学分，但必修类别未修满：{cats}。"
        else:
            text = (
                f"{t.cycle} 周期已认定 {num(counted)} 学分，要求 {num(required)} 学分，"
                f"还差 {num(_short(required, counted))} 学分" + (f"；必修类别：{cats}" if cats else "") + "。"
            )
    elif rule == "credits_yearly_minimum" and t is not None:
        year = next((y for y in t.by_year if y.year == ctx.on.year), None)
        if year is not None:
            counted, minimum = float(year.counted), float(year.minimum)
            text = f"{year.year} 年已认定 {num(counted)} 学分，年度最低 {num(minimum)} 学分" + (
                "，已达到。" if passed else f"，还差 {num(_short(minimum, counted))} 学分。"
            )
    elif rule == "credits_on_track" and t is not None:
        text = (
            f"{t.cycle} 周期学分{label(CreditStatus, t.status)}：已认定 {num(float(t.counted))} 学分，"
            f"按时间进度此时应达 {num(float(t.pace))} 学分。"
        )
    elif rule == "title_minimum":
        needed = label_of("Title", ctx.backbone_min_title) if ctx.backbone_min_title else None
        text = f"现任职称：{label_of('Title', ctx.title)}" + (f"；骨干选拔要求{needed}及以上。" if needed else "。")
    elif rule == "ethics_evaluations":
        if passed:
            text = "本注册周期已结束的各学年，师德考核均为合格及以上。"
        else:
            # "2024-2025: basically_qualified (recorded qualified, capped by a demerit)": the grade that counts
            years = re.findall(
                r"(\d{4}-\d{4}): ([a-z_]+(?: [a-z]+)*)(?: \(recorded ([a-z_]+), capped by an? ([a-z_]+)\))?", detail
            )
            if years:
                words = "、".join(
                    f"{sy} 学年{'无考核记录' if grade == 'no evaluation' else label(EthicsGrade, grade)}"
                    + (f"（记录为{label(EthicsGrade, recorded)}，受{measure_words(kind)}限定）" if recorded else "")
                    for sy, grade, recorded, kind in years
                )
                text = f"以下学年师德考核未达到合格及以上：{words}。"
    elif rule == "training_hours":
        m = re.match(r"([\d.]+) of ([\d.]+) hours", detail)
        if m:
            got, needed_hours = float(m.group(1)), float(m.group(2))
            text = f"本注册周期已记录 {num(got, 1)} 学时，教师资格定期注册要求 {num(needed_hours, 1)} 学时" + (
                "，已达到。" if passed else f"，还差 {num(_short(needed_hours, got), 1)} 学时。"
            )
    return PlainReason(rule=rule, title=title, passed=passed, text=text or detail, veto=veto)


def eligibility_card(answer: Any, ctx: ReasonContext) -> EligibilityCard:
    """An eligibility answer (``credits.schemas.EligibilityOut``) as a card in plain words."""
    purpose = str(getattr(answer.purpose, "value", answer.purpose))
    name = label(Purpose, purpose)
    reasons = [plain_reason(r.rule, r.passed, r.detail, ctx, r.words) for r in answer.reasons]
    vetoed = any(r.veto for r in reasons)
    if answer.eligible:
        summary = f"符合{name}的条件。"
    elif vetoed:
        summary = f"不能参加{name}：师德一票否决。"
    else:
        failing = "、".join(r.title for r in reasons if not r.passed)
        summary = f"暂不符合{name}的条件（{failing}未达到）。"
    return EligibilityCard(purpose=purpose, label=name, eligible=answer.eligible, summary=summary, reasons=reasons)


# --- the plan's targets ----------------------------------------------------------------------------------

UNITS = {"people": "人", "kindergartens": "所园"}


def target_bar(t: Any, note: str = "") -> Bar:
    """A plan target (``staffing.schemas.TargetOut``) as a bar: people and kindergartens against their
    number, rates against their target rate (or 100% when the plan names no number)."""
    achieved = float(t.achieved) if t.achieved is not None else 0.0
    if t.unit == "rate":
        target = float(t.target) if t.target is not None else 1.0
        p = percent(achieved, target)
        text = f"{pct_text(t.achieved)}（目标 {pct_text(t.target)}）" if t.target is not None else pct_text(t.achieved)
        ok = None if t.target is None or t.achieved is None else achieved >= target
        note = note or ("规划只提出方向，未给出数值目标" if t.target is None else "")
        return Bar(key=t.code, label=t.label, value=achieved, max=target, percent=p, text=text, ok=ok, note=note)
    target = float(t.target or 0)
    unit = UNITS.get(t.unit, "")
    remaining = f"，还差 {num(int(t.remaining))} {unit}" if t.remaining else ""
    b = bar(t.code, t.label, achieved, target, unit, ok=achieved >= target, note=note)
    return b.model_copy(
        update={"text": f"{num(int(achieved))} / {num(int(target))} {unit}（{num(b.percent, 1)}%）{remaining}"}
    )


def staffing_bar(p: Any) -> Bar:
    """A post of a kindergarten's staffing (``staffing.schemas.PostGapOut``): qualified staff on post
    against what the standard requires."""
    name = label(StaffingPost, getattr(p.post, "value", p.post))
    if p.required <= 0:
        return Bar(
            key=str(getattr(p.post, "value", p.post)),
            label=name,
            value=float(p.qualified),
            max=0.0,
            percent=100.0,
            text=f"持证在岗 {p.qualified} 人（标准不要求配备）",
            ok=None,
        )
    b = bar(str(getattr(p.post, "value", p.post)), name, float(p.qualified), float(p.required), "人", ok=p.gap == 0)
    return b.model_copy(update={"note": f"还缺 {p.gap} 人" if p.gap else ""})


def target_note(t: Any, plan: Any, added_after: Mapping[str, int]) -> str:
    """What a people target (``staffing.schemas.TargetOut`` of ``PlanProgressOut``) counts, in words:
    every addition in the plan's period, leavers included, and how many of them are still on the roll."""
    post = {"teachers_added": "teacher", "health_doctors_added": "health_doctor"}.get(t.code)
    if post is None or plan.counted_from is None or plan.counted_to is None:
        return ""
    span = f"{plan.counted_from.isoformat()} 至 {plan.counted_to.isoformat()}"
    text = f"计划期内（{span}）补充的人数（每人计一次，含此后离职者）"
    if t.still_on_roll is not None:
        text += f"，其中仍在职 {num(int(t.still_on_roll))} 人"
    after = added_after.get(post, 0)
    return text + (f"；计划期后另补充 {num(after)} 人，不计入本目标" if after else "")


# --- the gap chart ------------------------------------------------------------------------------------------

# the order (and colours, in app.css) of the posts in a stacked gap bar
CHART_POSTS = ("teacher", "childcare_worker", "health_doctor", "principal")


def gap_chart(rows: Iterable[Any], width: float = 100.0) -> list[ChartRow]:
    """Rows of a gap roll-up (``staffing.schemas.GapRow``) as stacked horizontal bars, the longest
    ``width`` wide; rows without a gap are left out. Each segment is one post's gap."""
    data: list[tuple[Any, dict[str, int]]] = []
    for r in rows:
        by_post = {str(getattr(p.post, "value", p.post)): int(p.gap) for p in r.posts}
        if sum(by_post.values()) > 0:
            data.append((r, by_post))
    longest = max((sum(b.values()) for _, b in data), default=0)
    scale = width / longest if longest else 0.0
    out: list[ChartRow] = []
    for r, by_post in data:
        x = 0.0
        segments: list[Segment] = []
        for post in (*CHART_POSTS, *sorted(set(by_post) - set(CHART_POSTS))):
            value = by_post.get(post, 0)
            if value <= 0:
                continue
            w = round(value * scale, 3)
            segments.append(Segment(key=post, label=label(StaffingPost, post), value=value, x=round(x, 3), width=w))
            x += w
        total = sum(by_post.values())
        words = "，".join(f"{s.label} {s.value}" for s in segments)
        out.append(
            ChartRow(
                key=r.key,
                label=r.label,
                total=total,
                segments=segments,
                description=f"{r.label}：缺口 {total} 人（{words}）",
            )
        )
    out.sort(key=lambda c: (-c.total, c.key))
    return out


# --- the reserve pool -----------------------------------------------------------------------------------

PLACEMENT_FLAGS = {
    "no_gap": "该园该岗位当前没有缺口",
    "post_not_wanted": "不是候选人填报的意向岗位",
    "outside_availability": "到岗日期不在候选人可到岗期间",
    "over_capacity": "该园在园幼儿超过核定学位",
}


def match_words(m: Any, street: str, on: date) -> list[str]:
    """Why a pool candidate ranks where they do (``staffing.schemas.MatchOut``), in words."""
    words = ["持有该岗位所需证书，可直接上岗" if m.ready else f"需先参加岗前培训，缺少：{missing_text(m.missing)}"]
    if m.prefers_street is None:
        words.append("未填报意向街乡")
    elif m.prefers_street:
        words.append(f"意向街乡：{street}")
    else:
        words.append(f"意向其他街乡（非{street}）")
    until = f"，至 {m.available_to.isoformat()}" if m.available_to else ""
    words.append(("现在即可到岗" if m.available_from <= on else f"{m.available_from.isoformat()} 起可到岗") + until)
    return words


def placement_message(out: Any, name: str) -> str:
    """What a placement did (``staffing.schemas.PlacementOut``), for the page after it."""
    status = label(StaffStatus, out.status)
    text = f"已安置{name}：{label(Post, out.post)}，{out.starts_on.isoformat()} 起，状态：{status}"
    if out.missing:
        text += f"（尚缺：{missing_text(out.missing)}）"
    flags = [PLACEMENT_FLAGS.get(f, f) for f in out.flags]
    if flags:
        text += "。请注意：" + "；".join(flags)
    return text + "。"


# --- navigation ------------------------------------------------------------------------------------------


def size_text(size: int) -> str:
    """A byte count as a person reads a file's size: 10 MB, 30.1 MB, 512 KB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


FORM_ACTIONS = ("/amend", "/review")  # a form posted to <page>/<action>: the form is on <page>


def form_page(path: str) -> str:
    """The page whose form posted to ``path`` (a refused upload links back to it): the path itself (a
    form posting to its own address, as 报告培训 does), or the page before a form action."""
    for action in FORM_ACTIONS:
        if path.endswith(action):
            return path.removesuffix(action)
    return path


def safe_next(target: str | None) -> str | None:
    """Where a login may send the browser: a path on this site only (no scheme, no host, no ``//``),
    never back to the login page."""
    if not target or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if parts.path in ("/login", "/logout"):
        return None
    return target


def home_of(role: Role | str, kindergarten_id: int | None, staff_id: int | None) -> str:
    """The first page after login: a teacher their record, an admin their kindergarten, district
    HR and inspectors the dashboard."""
    r = Role(role)
    if r == Role.teacher:
        return f"/staff/{staff_id}" if staff_id is not None else "/login"
    if r == Role.kindergarten_admin and kindergarten_id is not None:
        return f"/kindergartens/{kindergarten_id}"
    return "/dashboard"


def lockout_message(retry_after_seconds: int) -> str:
    minutes = max(1, math.ceil(retry_after_seconds / 60))
    return f"登录失败次数过多，账户已暂时锁定，请 {minutes} 分钟后再试。"


def busy_message(retry_after_seconds: int) -> str:
    return f"当前登录人数较多，请 {max(1, retry_after_seconds)} 秒后再试。"


STATUS_TITLES: Mapping[int, str] = {
    400: "请求有误",
    403: "无权访问",
    404: "未找到",
    405: "不支持的操作",
    409: "无法完成操作",
    413: "内容过大",
    422: "填写有误",
    429: "尝试次数过多",
    500: "系统出错",
}


def status_title(status: int) -> str:
    return STATUS_TITLES.get(status, "出错了")
