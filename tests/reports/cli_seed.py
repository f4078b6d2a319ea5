"""Run by test_cli.py in a subprocess against a scratch database: migrates, then adds three
kindergartens with a few staff each and prints their codes and names as JSON."""

from __future__ import annotations

import asyncio
import json

from app.cli import _migrate
from registry.accounts.services import SYSTEM
from registry.kindergartens.schemas import KindergartenCreate
from registry.kindergartens.services import create_kindergarten
from tests.support import insert_staff

KINDERGARTENS = [("RPT001", "命令行甲幼儿园"), ("RPT002", "命令行乙幼儿园"), ("RPT003", "命令行丙幼儿园")]
NAMES = ["宇文晴", "长孙毅", "尉迟芳"]


async def main() -> None:
    await _migrate()
    out = []
    for i, (code, name) in enumerate(KINDERGARTENS):
        kg = await create_kindergarten(
            SYSTEM,
            KindergartenCreate(
                code=code, name=name, street="望京街道", group=3, ownership="public",
                classes={"small": 1, "middle": 1, "large": 1}, children=90, places=100,
            ),
        )  # fmt: skip
        await insert_staff(kg.id, "teacher", "on_post", name=NAMES[i])
        out.append({"id": kg.id, "code": code, "name": name, "staff": NAMES[i]})
    print(json.dumps(out, ensure_ascii=False))


asyncio.run(main())
