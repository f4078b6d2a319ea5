"""The seam to issue 5's staffing package: without it, the kindergarten report leaves its staffing
section out and the district staffing report is a 404."""

from __future__ import annotations

from typing import Any

import pytest

from kernel.common.time import today
from kernel.errors import NotFound
from registry.accounts.services import SYSTEM
from reports import services, staffing_seam
from tests.reports.helpers import API, HR, assert_pdf, pdf_text
from tests.support import World


async def test_with_staffing_the_kindergarten_report_has_its_row(world: World) -> None:
    assert staffing_seam.available()
    doc = await services.kindergarten_staffing(SYSTEM, world.kg_a["id"])
    row = doc.data["staffing"]
    assert row is not None and row["key"] == world.kg_a["code"]
    assert {p["post"] for p in row["posts"]} >= {"teacher", "childcare_worker", "health_doctor"}


async def test_without_staffing(client: Any, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staffing_seam, "_services", lambda: None)
    assert not staffing_seam.available()
    doc = await services.kindergarten_staffing(SYSTEM, world.kg_a["id"])
    assert doc.data["staffing"] is None
    with pytest.raises(NotFound):
        await staffing_seam.district(SYSTEM, today())
    r = await client.get(f"{API}/reports/kindergartens/{world.kg_a['id']}/staffing.pdf", headers=world.h(HR))
    assert "编制缺口数据暂不可用" in pdf_text(assert_pdf(r))
    r = await client.get(f"{API}/reports/district/staffing.pdf", headers=world.h(HR))
    assert r.status_code == 404 and r.json()["detail"] == "本系统暂未提供师资配备数据"
