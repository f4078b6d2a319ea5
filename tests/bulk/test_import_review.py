"""A kindergarten admin's import is reviewed like their single writes (issue 15): checked at once,
kept for district HR, imported on approval in the admin's name; a dry run and HR's imports apply."""

from __future__ import annotations

from typing import Any

from bulk.changes import FOLDER
from kernel.settings import get_settings
from registry.staff.tables import Staff
from tests.bulk.helpers import upload, xlsx
from tests.bulk.test_imports import STAFF_HEADERS, staff_row
from tests.support import World, approved, new_id_number

API = "/api/v1"
HR, ADMIN = "district_hr", "kindergarten_admin"


async def test_an_admins_import_waits_for_hr_then_imports_in_the_admins_name(client: Any, world: World) -> None:
    id_number = new_id_number()
    file = xlsx(STAFF_HEADERS, [staff_row(world, id_number, 在岗状态="待岗培训")])
    r = await upload(client, world.h(ADMIN), "staff", file)
    assert r.status_code == 202, r.text
    change = r.json()
    assert (change["kind"], change["kind_label"], change["kindergarten_id"]) == (
        "import.staff",
        "批量导入教职工",
        world.kg_a["id"],
    )
    assert r.headers["location"] == f"{API}/changes/{change['id']}"
    assert not await Staff.exists().where(Staff.id_number == id_number)
    decision = (await approved(client, world, r)).json()
    run = decision["result"]
    assert (run["imported"], run["actor"], run["outcome"]) == (1, "w_admin", "imported")
    assert await Staff.exists().where(Staff.id_number == id_number)
    # the file is not kept once its rows are the registry's
    assert not (get_settings().var_dir / FOLDER / change["payload"]["file"]).exists()
    again = await client.post(f"{API}/changes/{change['id']}/approve", headers=world.h(HR))
    assert again.status_code == 409


async def test_an_admins_bad_file_is_refused_at_once_with_its_rows(client: Any, world: World) -> None:
    before = (await client.get(f"{API}/changes", headers=world.h(HR))).json()["total"]
    rows = [staff_row(world, 在岗状态="待岗培训"), staff_row(world, 园所代码=world.kg_b["code"], 在岗状态="待岗培训")]
    r = await upload(client, world.h(ADMIN), "staff", xlsx(STAFF_HEADERS, rows))
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 3
    # the refusal's workbook of errors is readable: the check was kept as a run
    workbook = await client.get(f"{API}/imports/runs/{r.json()['id']}/errors.xlsx", headers=world.h(ADMIN))
    assert workbook.status_code == 200
    assert (await client.get(f"{API}/changes", headers=world.h(HR))).json()["total"] == before


async def test_a_dry_run_and_hrs_import_are_never_reviewed(client: Any, world: World) -> None:
    file = xlsx(STAFF_HEADERS, [staff_row(world, 在岗状态="待岗培训")])
    dry = await upload(client, world.h(ADMIN), "staff", file, dry_run=True)
    assert dry.status_code == 200 and dry.json()["outcome"] == "checked"
    direct = await upload(client, world.h(HR), "staff", file)
    assert direct.status_code == 200 and direct.json()["imported"] == 1


async def test_a_rejected_import_writes_nothing(client: Any, world: World) -> None:
    id_number = new_id_number()
    r = await upload(
        client, world.h(ADMIN), "staff", xlsx(STAFF_HEADERS, [staff_row(world, id_number, 在岗状态="待岗培训")])
    )
    reject = await client.post(
        f"{API}/changes/{r.json()['id']}/reject", json={"reason": "请先核对身份证号"}, headers=world.h(HR)
    )
    assert reject.status_code == 200 and reject.json()["status"] == "rejected"
    assert not await Staff.exists().where(Staff.id_number == id_number)
    assert not (get_settings().var_dir / FOLDER / r.json()["payload"]["file"]).exists()
