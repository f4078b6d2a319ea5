"""Issue 15: the kernel's own refusals (the route guard, query parameters, the policy's years) read in
Chinese by default and in English with ``Accept-Language: en``, with their stable code."""

from __future__ import annotations

import asyncio
from typing import Any

from kernel.i18n import current_locale, use_locale
from kernel.workers import run_cpu
from tests.support import World

API = "/api/v1"
EN = {"Accept-Language": "en"}


async def test_a_role_refused_by_the_guard(client: Any, world: World) -> None:
    zh = (await client.get(f"{API}/accounts", headers=world.h("teacher"))).json()
    assert (zh["status"], zh["code"], zh["title"]) == (403, "forbidden", "无权操作")
    assert zh["detail"] == "教师无权进行此操作（account.read）"
    en = (await client.get(f"{API}/accounts", headers={**world.h("teacher"), **EN})).json()
    assert (en["code"], en["title"], en["detail"]) == (
        "forbidden",
        "Forbidden",
        "role teacher may not do this (account.read)",
    )


async def test_an_unknown_query_parameter(client: Any, world: World) -> None:
    url = f"{API}/kindergartens?colour=red"
    zh = (await client.get(url, headers=world.h("district_hr"))).json()
    assert (zh["status"], zh["code"]) == (400, "bad-request")
    assert zh["detail"].startswith("未知的查询参数：colour；可用的参数：")
    assert zh["errors"] == [{"field": "colour", "message": "未知的查询参数"}]
    en = (await client.get(url, headers={**world.h("district_hr"), **EN})).json()
    assert en["detail"].startswith("unknown query parameter(s): colour; allowed: ")
    assert en["errors"] == [{"field": "colour", "message": "unknown query parameter"}]


async def test_a_day_no_policy_covers(client: Any, world: World) -> None:
    url = f"{API}/compliance/dual-certificate?on=1800-01-01"
    zh = (await client.get(url, headers=world.h("district_hr"))).json()
    assert (zh["status"], zh["code"]) == (422, "invalid")
    assert zh["detail"] == "查询日期：1800-01-01 超出系统支持的年份范围（1900-2100）"
    assert zh["errors"] == [{"field": "on", "message": "1800-01-01 超出系统支持的年份范围（1900-2100）"}]
    en = (await client.get(url, headers={**world.h("district_hr"), **EN})).json()
    assert en["detail"] == "on: 1800-01-01 is outside the years the registry handles (1900-2100)"


def test_a_worker_process_answers_in_the_callers_language() -> None:
    """A PDF or a sheet made in a worker process reads in the language of the request that asked for it."""

    async def main() -> None:
        with use_locale("en"):
            assert await run_cpu(current_locale) == "en"
        assert await run_cpu(current_locale) == "zh"

    asyncio.run(main())
