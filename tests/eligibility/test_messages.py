"""Issue 15: eligibility's refusals read in Chinese by default and in English when asked (with their
stable code); an answer keeps its two forms of every reason, ``detail`` in English and ``words`` in
Chinese, whatever language the request asks for."""

from __future__ import annotations

from typing import Any

from tests.credits.helpers import ADMIN, API, HR
from tests.credits.test_eligibility_api import compliant_teacher, rule
from tests.support import World


async def test_another_kindergarten_reads_in_the_requested_language(client: Any, world: World) -> None:
    """A kindergarten admin asking for another kindergarten's batch: 404, as for one that does not exist."""
    other = world.kg_b["id"]
    url = f"{API}/eligibility?purpose=title&kindergarten_id={other}"
    zh = (await client.get(url, headers=world.h(ADMIN))).json()
    assert (zh["status"], zh["code"], zh["title"], zh["detail"]) == (
        404,
        "not-found",
        "未找到",
        f"没有编号为 {other} 的园所",
    )
    en = (await client.get(url, headers={**world.h(ADMIN), "Accept-Language": "en-US,en;q=0.9"})).json()
    assert (en["code"], en["title"], en["detail"]) == ("not-found", "Not found", f"no kindergarten {other}")


async def test_the_veto_reason_keeps_both_forms_in_either_language(client: Any, world: World) -> None:
    sid = await compliant_teacher(client, world)
    r = await client.post(
        f"{API}/staff/{sid}/ethics/sanctions",
        json={"violation": 6, "facts": "体罚幼儿", "sanction": "demerit", "decided_on": "2024-06-10"},
        headers=world.h(HR),
    )
    assert r.status_code == 201, r.text
    url = f"{API}/staff/{sid}/eligibility?purpose=award&on=2024-09-01"
    zh = rule((await client.get(url, headers=world.h(HR))).json(), "ethics_veto")
    en = rule((await client.get(url, headers={**world.h(HR), "Accept-Language": "en"})).json(), "ethics_veto")
    assert zh == en
    assert zh["words"] == "记过处分 2024-06-10 起至 2025-06-10 期间不得参加评奖评优、职务晋升、职称评定"
    assert zh["detail"] == "demerit decided 2024-06-10, in force through 2025-06-10 (through 2025-06-10)"
