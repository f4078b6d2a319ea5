"""Each PDF rendered through the API and read back: the person's Chinese name, figures computed by
hand, page numbers and the verification code in the text; a CJK font embedded."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from kernel.common.time import today
from tests.ethics.helpers import put_sanction
from tests.reports.helpers import (
    API,
    HR,
    INSPECTOR,
    TEACHER,
    assert_cjk_font_embedded,
    assert_pdf,
    certify,
    code_in,
    new_kindergarten,
    pdf_pages,
    pdf_text,
    teacher_on_post,
)
from tests.support import World, insert_staff


def _masked(id_number: str) -> str:
    return id_number[:6] + "********" + id_number[14:]


async def _id_number(staff_id: int) -> str:
    from registry.staff.tables import Staff

    row = await Staff.select(Staff.id_number).where(Staff.id == staff_id).first()
    assert row is not None
    return str(row["id_number"])


async def test_certificate_report(client: Any, world: World, caplog: pytest.LogCaptureFixture) -> None:
    staff_id = await teacher_on_post(world.kg_a["id"], "欧阳明华")
    await certify(client, world, staff_id, "teacher_qualification")
    # a post certificate that expires within the reminder window (90 days)
    soon = today().toordinal() + 30
    from datetime import date

    await certify(client, world, staff_id, "post_certificate", expires_on=date.fromordinal(soon).isoformat())
    caplog.set_level(logging.WARNING, logger="weasyprint")

    r = await client.get(f"{API}/reports/staff/{staff_id}/certificates.pdf", headers=world.h(HR))
    pdf = assert_pdf(r)
    text = pdf_text(pdf)
    assert "欧阳明华" in text
    assert _masked(await _id_number(staff_id)) in text
    assert (await _id_number(staff_id)) not in text  # masked even for district HR: a printed page leaves the registry
    assert "教职工证书情况报告" in text and "北京市朝阳区教育委员会" in text
    assert "符合双证上岗要求" in text and "不符合双证上岗要求" not in text
    assert "教师资格证" in text and "上岗证" in text
    assert "即将到期" in text and "30" in text  # days left of the post certificate
    assert "第 1 页 / 共 1 页" in text
    assert code_in(text).replace("-", "") == r.headers["x-verification-code"]
    assert_cjk_font_embedded(pdf)
    # no missing glyphs (WeasyPrint warns about .notdef / missing fonts)
    assert not [rec for rec in caplog.records if "glyph" in rec.getMessage().lower()]


async def test_certificate_report_names_what_is_missing(client: Any, world: World) -> None:
    staff_id = await teacher_on_post(world.kg_a["id"], "司马静怡")
    await certify(client, world, staff_id, "teacher_qualification")
    text = pdf_text(
        assert_pdf(await client.get(f"{API}/reports/staff/{staff_id}/certificates.pdf", headers=world.h(HR)))
    )
    assert "司马静怡" in text
    assert "不符合双证上岗要求" in text
    assert re.search(r"缺少\s*上岗证", text), text


async def test_credit_transcript(client: Any, world: World) -> None:
    staff_id = await teacher_on_post(world.kg_a["id"], "诸葛晓燕")
    day = today().isoformat()
    # by hand: training 37.5 h / 10 = 3.75; research 25 h / 20 = 1.25; ethics training 15 h / 10 = 1.5
    for category, source, hours in (
        ("general", "training", 37.5),
        ("general", "research", 25),
        ("ethics", "training", 15),
    ):
        body = {
            "staff_id": staff_id,
            "date": day,
            "category": category,
            "source": source,
            "hours": hours,
            "reason": "报告测试",
        }
        assert (await client.post(f"{API}/credits/entries", json=body, headers=world.h(HR))).status_code == 201
    r = await client.get(f"{API}/reports/staff/{staff_id}/credits.pdf", headers=world.h(HR))
    pdf = assert_pdf(r)
    text = pdf_text(pdf)
    assert "诸葛晓燕" in text and "继续教育学分证明" in text
    assert "6.5 认定学分" in text  # counted in the cycle: 3.75 + 1.25 + 1.5 (below every cap)
    assert "6.5 获得学分" in text
    assert "3.75" in text and "1.25" in text and "1.5" in text  # the entries
    assert re.search(rf"{today().year} 6\.5 6\.5 4 是", text), text  # by year: earned, counted, minimum 4, met
    assert re.search(r"师德培训 1\.5 1\.5 1 是", text), text  # the required ethics credit is met
    for purpose in ("职称评定", "骨干选拔", "评优评先", "岗位晋升", "教师资格定期注册"):
        assert purpose in text
    assert "双证上岗" in text  # the eligibility rule that fails: no certificates
    assert_cjk_font_embedded(pdf)


async def test_my_reports_are_my_own(client: Any, world: World) -> None:
    for path in ("certificates", "credits"):
        r = await client.get(f"{API}/reports/me/{path}.pdf", headers=world.h(TEACHER))
        text = pdf_text(assert_pdf(r))
        assert world.staff_a["name"] in text and world.staff_b["name"] not in text


async def test_kindergarten_report(client: Any, world: World) -> None:
    kg = await new_kindergarten(client, world, name="报告测试幼儿园", street="太阳宫地区", group=9)
    ok = await teacher_on_post(kg["id"], "上官雨桐")
    await certify(client, world, ok, "teacher_qualification", "post_certificate")
    bad = await teacher_on_post(kg["id"], "皇甫子涵")
    await insert_staff(kg["id"], "teacher", "left", name="已离职者")
    r = await client.get(f"{API}/reports/kindergartens/{kg['id']}/staffing.pdf", headers=world.h(HR))
    pdf = assert_pdf(r)
    text = pdf_text(pdf)
    assert "报告测试幼儿园" in text and kg["code"] in text
    assert "上官雨桐" in text and "皇甫子涵" in text and "已离职者" not in text
    # compliance by hand: 2 teachers on post, 1 holds both certificates
    assert re.search(r"2 需持证在岗 on post 1 持证 compliant 50\.0% 持证上岗率", text), text
    assert re.search(r"皇甫子涵 专任教师 教师资格证\s*、\s*上岗证", text), text
    # staffing by hand: 6 full-day classes at 2 teachers each = 12 required, 2 on post, 1 qualified, gap 11
    assert re.search(r"专任教师 12 2 1 11", text), text
    masked = _masked(await _id_number(bad))
    assert masked in text
    assert_cjk_font_embedded(pdf)
    assert pdf_pages(pdf) >= 1


async def test_district_compliance_report(client: Any, world: World) -> None:
    kg = await new_kindergarten(client, world, name="合规测试幼儿园")
    await teacher_on_post(kg["id"], "慕容晨曦")  # no certificates: a violation
    figures = (await client.get(f"{API}/compliance/dual-certificate?by=district", headers=world.h(HR))).json()
    r = await client.get(f"{API}/reports/district/compliance.pdf", headers=world.h(INSPECTOR))
    pdf = assert_pdf(r)
    text = pdf_text(pdf)
    total = figures["total"]
    assert f"{total['on_post']:,} 需持证在岗" in text
    assert f"{total['compliant']:,} 持证 compliant" in text
    assert f"{total['rate'] * 100:.1f}%" in text
    assert "慕容晨曦" in text and kg["code"] in text
    assert "各协作组持证上岗率" in text  # the chart's title: its Chinese text is real text in the PDF
    assert_cjk_font_embedded(pdf)


async def test_ethics_veto_list(client: Any, world: World) -> None:
    staff_id = await teacher_on_post(world.kg_b["id"], "东方婉清")
    await put_sanction(staff_id, "demerit", today())
    r = await client.get(f"{API}/reports/ethics/vetoes.pdf", headers=world.h(HR))
    pdf = assert_pdf(r)
    text = pdf_text(pdf)
    assert "师德一票否决名单" in text and "东方婉清" in text and "记过" in text
    assert _masked(await _id_number(staff_id)) in text
    assert_cjk_font_embedded(pdf)


async def test_ethics_veto_list_names_other_measures(client: Any, world: World) -> None:
    staff_id = await teacher_on_post(world.kg_b["id"], "南宫诫勉")
    await put_sanction(staff_id, "other_measures", today())
    r = await client.get(f"{API}/reports/ethics/vetoes.pdf", headers=world.h(HR))
    text = pdf_text(assert_pdf(r))
    assert "南宫诫勉" in text and "其他处理" in text and "取消评优评先等资格" in text
    assert "最后一个否决日" in text and "exclusive" not in text


async def test_district_staffing_report(client: Any, world: World) -> None:
    gaps = (await client.get(f"{API}/staffing/gaps?by=district", headers=world.h(HR))).json()
    progress = (await client.get(f"{API}/plan/progress", headers=world.h(HR))).json()
    r = await client.get(f"{API}/reports/district/staffing.pdf", headers=world.h(HR))
    pdf = assert_pdf(r)
    text = pdf_text(pdf)
    assert "全区师资配备报告" in text
    assert f"{gaps['total']['gap']:,} 缺口合计" in text
    teachers = next(t for t in progress["targets"] if t["code"] == "teachers_added")
    assert f"{int(teachers['target']):,}" == "2,500" and "2,500" in text
    assert f"仍在职 {teachers['still_on_roll']:,}" in text and "含此后离职者" in text
    for title in ("各协作组缺口", "行动计划补充进度", "Gap by street"):  # the three charts
        assert title in text
    assert_cjk_font_embedded(pdf)
