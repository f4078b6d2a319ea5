"""Verification codes: issued with each PDF, checkable without login, revealing only minimal facts."""

from __future__ import annotations

from typing import Any

import pytest

from reports import rules
from tests.reports.helpers import ANON, API, HR, assert_pdf, code_in, pdf_text, teacher_on_post
from tests.support import World


async def _issue_certificate_report(client: Any, world: World, name: str) -> tuple[str, str]:
    staff_id = await teacher_on_post(world.kg_a["id"], name)
    r = await client.get(f"{API}/reports/staff/{staff_id}/certificates.pdf", headers=world.h(HR))
    text = pdf_text(assert_pdf(r))
    return code_in(text), r.headers["x-verification-code"]


async def test_round_trip_without_login(client: Any, world: World) -> None:
    printed, header = await _issue_certificate_report(client, world, "令狐思远")
    assert printed.replace("-", "") == header
    r = await client.get(f"{API}/reports/verify/{printed}", headers=world.h(ANON))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == printed and body["valid"] is True
    assert body["kind"] == "staff_certificates" and body["kind_label"] == "教职工证书情况报告"
    assert body["subject"] == "令***"  # the name masked: the paper says who it is, the check need not
    assert body["pages"] == 1 and body["issuer"] == "北京市朝阳区教育委员会"
    assert body["generated_at"]
    assert "令狐思远" not in r.text and "generated_by" not in body
    # typed the way people type: lower case, no dashes, O for 0 and I/L for 1 are read as digits
    typed = header.lower()
    assert (await client.get(f"{API}/reports/verify/{typed}")).status_code == 200
    misread = header.replace("0", "O").replace("1", "I")
    assert (await client.get(f"{API}/reports/verify/{misread}")).status_code == 200


async def test_tampered_and_unknown_codes_are_404(client: Any, world: World) -> None:
    _, header = await _issue_certificate_report(client, world, "独孤明月")
    last = header[-1]
    tampered = header[:-1] + ("0" if last != "0" else "1")
    for code in (tampered, "0000-0000-0000-0000", "not-a-code", "ABCD", header + "0"):
        r = await client.get(f"{API}/reports/verify/{code}")
        assert r.status_code == 404, (code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    # issue 15: the reader's language (Chinese by default), the code in English for programs
    body = (await client.get(f"{API}/reports/verify/{tampered}")).json()
    assert (body["title"], body["code"]) == ("未找到", "not-found")
    assert body["detail"] == "没有与此验证码对应的文件：该文件并非由本系统出具"
    body = (await client.get(f"{API}/reports/verify/{tampered}", headers={"Accept-Language": "en"})).json()
    assert (body["title"], body["code"]) == ("Not found", "not-found")
    assert body["detail"] == "no document with this verification code: it was not issued by this registry"


async def test_every_document_gets_its_own_code(client: Any, world: World) -> None:
    staff_id = await teacher_on_post(world.kg_a["id"], "公孙若兰")
    url = f"{API}/reports/staff/{staff_id}/certificates.pdf"
    first = (await client.get(url, headers=world.h(HR))).headers["x-verification-code"]
    second = (await client.get(url, headers=world.h(HR))).headers["x-verification-code"]
    assert first != second  # the generation time is part of the content


async def test_the_record_is_append_only(client: Any, world: World) -> None:
    from reports.tables import ReportDocument

    _, header = await _issue_certificate_report(client, world, "夏侯清风")
    row = await ReportDocument.select().where(ReportDocument.code == header).first()
    assert row is not None and row["generated_by"] == "w_hr" and row["kind"] == "staff_certificates"
    assert row["subject"].startswith("staff:") and len(row["digest"]) == 64
    assert rules.code_of(row["digest"]) == header  # the code is cut from the stored digest
    with pytest.raises(Exception, match="append-only"):
        await ReportDocument.update({ReportDocument.kind: "forged"}).where(ReportDocument.code == header)
    with pytest.raises(Exception, match="append-only"):
        await ReportDocument.delete().where(ReportDocument.code == header)
