"""The demo's credit claims (issue 16): the demo teacher has reported three outside courses with a
photo of each certificate, so every queue of the office's year shows something from the first login:
one waits for her kindergarten's admin, one (checked) for district HR, one was returned to her to amend.
Written through the claims' own service, in the demo load's transaction, so the teacher's inbox holds
what those steps told her."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from litestar.datastructures import UploadFile
from PIL import Image, ImageDraw, ImageFont

from credits import claims
from credits.claim_schemas import ClaimForm, ClaimReview
from credits.codes import ClaimDecision
from kernel.auth import Principal
from kernel.codes import Role

# a CJK face for the certificate's words where the system has one (Debian's fonts-noto-cjk)
FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
)


@dataclass(frozen=True)
class Course:
    title: str
    provider: str
    days_ago: int
    days: int
    hours: int
    category: str
    source: str


COURSES = (
    Course("北京市幼儿园游戏化教学研修班", "北京教育学院", 40, 3, 24, "general", "training"),
    Course("学前儿童安全防护与急救培训", "北京市红十字会", 26, 1, 8, "safety", "training"),
    Course("家园共育专题网络研修", "国家中小学智慧教育平台", 12, 10, 30, "family", "training"),
)


def certificate_photo(course: Course, name: str) -> bytes:
    """A JPEG of a course certificate, as a phone would photograph it."""
    image = Image.new("RGB", (960, 680), (250, 246, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, 936, 656), outline=(150, 40, 40), width=10)
    font_path = next((p for p in FONTS if p.exists()), None)
    big = ImageFont.truetype(str(font_path), 48) if font_path else ImageFont.load_default()
    small = ImageFont.truetype(str(font_path), 28) if font_path else ImageFont.load_default()
    draw.text((330, 90), "结业证书", fill=(150, 40, 40), font=big)
    lines = (
        f"{name} 同志：",
        f"参加「{course.title}」",
        f"共计 {course.hours} 学时，考核合格，特发此证。",
        course.provider,
    )
    for i, line in enumerate(lines):
        draw.text((110, 210 + i * 70), line, fill=(40, 40, 40), font=small)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


async def seed_claims(teacher: Principal, admin: Principal, name: str, today: date) -> int:
    """The three claims and their steps, dated weeks before ``today`` (a claim names training already
    taken); returns how many were written."""
    made = []
    for course in COURSES:
        last = today - timedelta(days=course.days_ago)
        form = ClaimForm(
            title=course.title,
            provider=course.provider,
            date_from=(last - timedelta(days=course.days - 1)).isoformat(),
            date_to=last.isoformat(),
            hours=str(course.hours),
            category=course.category,
            source=course.source,
            file=UploadFile("image/jpeg", "IMG_20261020.jpg", certificate_photo(course, name)),
        )
        made.append(await claims.submit(teacher, form))
    await claims.review(admin, made[0].id, ClaimReview(decision=ClaimDecision.approve))
    returned = ClaimReview(decision=ClaimDecision.return_, reason="证书照片不完整，请补拍盖章部分")
    await claims.review(admin, made[1].id, returned)
    return len(made)


def demo_principals(
    accounts: list[tuple[int, str, str, int | None, int | None]],
) -> tuple[Principal, Principal, Principal] | None:
    """The demo's teacher, admin and HR as the services see them, from (id, username, role,
    kindergarten, staff) rows; None when the demo has no such accounts."""
    found = {role: (i, u, kg, staff) for i, u, role, kg, staff in accounts}
    if not {Role.teacher, Role.kindergarten_admin, Role.district_hr} <= set(found):
        return None
    t, a, h = found[Role.teacher], found[Role.kindergarten_admin], found[Role.district_hr]
    return (
        Principal(t[0], t[1], Role.teacher, t[2], t[3]),
        Principal(a[0], a[1], Role.kindergarten_admin, a[2], a[3]),
        Principal(h[0], h[1], Role.district_hr, h[2], h[3]),
    )
