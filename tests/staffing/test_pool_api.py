"""The reserve talent pool: candidates (validated like staff), masking, and ranked matches."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.staffing.helpers import (
    ADMIN,
    API,
    HR,
    INSPECTOR,
    candidate_body,
    make_candidate,
    make_kindergarten,
    people,
    street,
    teacher_certificates,
)
from tests.support import World, insert_staff, new_id_number, teacher_qualification_number


async def test_create_and_read_a_candidate(client: Any, world: World) -> None:
    body = candidate_body(
        name="陈思远",
        source="retired_teacher",
        posts=["teacher", "teacher", "childcare_worker"],
        streets=["望京街道", " 望京街道 "],
        available_to="2027-08-31",
        certificates=teacher_certificates(),
    )
    r = await client.post(f"{API}/pool/candidates", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["id_number"] == body["id_number"] and c["status"] == "available" and c["staff_id"] is None
    assert c["posts"] == ["teacher", "childcare_worker"] and c["streets"] == ["望京街道"]
    assert sorted(x["type"] for x in c["certificates"]) == ["post_certificate", "teacher_qualification"]
    masked = (await client.get(f"{API}/pool/candidates/{c['id']}", headers=world.h(INSPECTOR))).json()
    assert masked["id_number"] == body["id_number"][:6] + "********" + body["id_number"][14:]
    listed = await client.get(f"{API}/pool/candidates?source=retired_teacher&search=陈思远", headers=world.h(HR))
    assert c["id"] in [x["id"] for x in listed.json()["items"]]
    # only HR finds a candidate by the start of the ID number
    prefix = body["id_number"][:12]
    hr = await client.get(f"{API}/pool/candidates?search={prefix}", headers=world.h(HR))
    assert c["id"] in [x["id"] for x in hr.json()["items"]]
    inspector = await client.get(f"{API}/pool/candidates?search={prefix}", headers=world.h(INSPECTOR))
    assert c["id"] not in [x["id"] for x in inspector.json()["items"]]
    audit = await client.get(f"{API}/audit?entity=pool_candidate&entity_id={c['id']}", headers=world.h(INSPECTOR))
    assert audit.json()["items"][0]["after"]["id_number"].count("*") == 8


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"id_number": "110105199001011230"}, "id_number"),  # wrong check character
        ({"id_number": "110105199002301234"}, "id_number"),  # 30 February
        ({"id_number": "12345"}, "id_number"),
        ({"posts": []}, "posts"),
        ({"posts": ["cook"]}, "posts.0"),
        ({"source": "agency"}, "source"),
        ({"available_from": "2026-09-01", "available_to": "2026-08-31"}, "available_to"),
        (
            {"certificates": [{"type": "teacher_qualification", "number": "2012110019", "issued_on": "2012-07-01"}]},
            "certificates[0].number",
        ),
        (
            {"certificates": [{"type": "post_certificate", "number": "SG-1", "issued_on": "2031-01-01"}]},
            "certificates[0].issued_on",
        ),
    ],
)
async def test_bad_candidates_are_422_naming_the_field(
    client: Any, world: World, over: dict[str, Any], field: str
) -> None:
    r = await client.post(f"{API}/pool/candidates", json=candidate_body(**over), headers=world.h(HR))
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}, r.json()


async def test_one_candidate_per_person_and_not_someone_employed(client: Any, world: World) -> None:
    c = await make_candidate(client, world)
    again = await client.post(
        f"{API}/pool/candidates", json=candidate_body(id_number=c["id_number"]), headers=world.h(HR)
    )
    assert again.status_code == 409
    employed = await client.post(
        f"{API}/pool/candidates", json=candidate_body(id_number=world.staff_a["id_number"]), headers=world.h(HR)
    )
    assert employed.status_code == 409 and employed.json()["code"] == "employed"
    assert "换园请办理调动" in employed.json()["detail"]
    assert again.json()["code"] == "duplicate" and again.json()["detail"] == "此人已在储备库中"


async def test_withdraw_and_return(client: Any, world: World) -> None:
    c = await make_candidate(client, world)
    r = await client.patch(f"{API}/pool/candidates/{c['id']}", json={"status": "withdrawn"}, headers=world.h(HR))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = await client.patch(f"{API}/pool/candidates/{c['id']}", json={"status": "placed"}, headers=world.h(HR))
    assert r.status_code == 422  # placed only by a placement
    r = await client.patch(
        f"{API}/pool/candidates/{c['id']}",
        json={"status": "available", "certificates": teacher_certificates(), "streets": ["双井街道"]},
        headers=world.h(HR),
    )
    assert r.status_code == 200 and r.json()["status"] == "available" and len(r.json()["certificates"]) == 2
    r = await client.patch(f"{API}/pool/candidates/{c['id']}", json={"available_to": "2025-01-01"}, headers=world.h(HR))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "available_to"


# --- matching --------------------------------------------------------------------------------------------


async def test_matches_are_ranked_with_reasons(client: Any, world: World) -> None:
    s = street()
    kg = await make_kindergarten(client, world, street=s, classes={"small": 2}, children=50, places=60)
    await people(kg["id"], "teacher", qualified=1)  # 4 required, 1 qualified: a gap of 3
    ready = teacher_certificates
    # expected order: ready first; then this street, no preference, other streets; then now before later
    e = await make_candidate(client, world, name="E", streets=[s], certificates=ready())
    c = await make_candidate(client, world, name="C", streets=[s], certificates=ready(), available_from="2099-01-01")
    d = await make_candidate(client, world, name="D", streets=[], certificates=ready())
    a = await make_candidate(client, world, name="A", streets=["别处"], certificates=ready())
    b = await make_candidate(client, world, name="B", streets=[s])  # no certificates: needs induction
    expired = ready()
    expired[1] |= {"expires_on": "2021-12-31"}  # an expired post certificate does not count
    x = await make_candidate(client, world, name="X", streets=[s], certificates=expired)
    await make_candidate(client, world, name="Z", streets=[s], posts=["health_doctor"], certificates=ready())
    gone = await make_candidate(
        client,
        world,
        name="G",
        streets=[s],
        certificates=ready(),
        available_from="2025-01-01",
        available_to="2025-12-31",
    )
    mine = {e["id"]: "E", c["id"]: "C", d["id"]: "D", a["id"]: "A", b["id"]: "B", x["id"]: "X", gone["id"]: "G"}

    r = await client.get(f"{API}/kindergartens/{kg['id']}/pool-matches?post=teacher&limit=500", headers=world.h(HR))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["gap"]["gap"] == 3 and body["post"] == "teacher" and body["street"] == s
    ranked = [i for i in body["items"] if i["candidate_id"] in mine]
    assert [mine[i["candidate_id"]] for i in ranked] == ["E", "C", "D", "A", "B", "X"]  # G's window has ended
    first = ranked[0]
    assert first["ready"] and first["prefers_street"] is True and first["missing"] == []
    assert first["rank_reasons"] == ["持有专任教师岗位所需证书，可直接上岗", f"意向街乡：{s}", "现在即可到岗"]
    assert ranked[1]["rank_reasons"][2] == "2099-01-01 起可到岗"
    assert ranked[4]["rank_reasons"][0] == "需先参加岗前培训方可在专任教师岗位上岗，缺少：教师资格证、上岗证"
    assert ranked[2]["prefers_street"] is None and ranked[3]["prefers_street"] is False
    assert ranked[4]["missing"] == ["teacher_qualification", "post_certificate"] and not ranked[4]["ready"]
    assert ranked[5]["missing"] == ["post_certificate"]
    assert all(i["id_number"] == next(v for v in (e, c, d, a, b, x) if v["id"] == i["candidate_id"])["id_number"]
               for i in ranked)  # fmt: skip
    ranks = [i["rank"] for i in body["items"]]
    assert ranks == list(range(1, len(ranks) + 1)) and body["total"] == len(ranks)
    english = await client.get(
        f"{API}/kindergartens/{kg['id']}/pool-matches?post=teacher&limit=500",
        headers={**world.h(HR), "Accept-Language": "en"},
    )
    reasons = {i["candidate_id"]: i["rank_reasons"] for i in english.json()["items"]}
    assert reasons[e["id"]] == [
        "holds the certificates of the post teacher: can go on post now",
        f"prefers {s}",
        "available now",
    ]
    assert reasons[c["id"]][2] == "available from 2099-01-01"
    assert reasons[b["id"]][0] == (
        "needs induction before going on post as teacher: missing teacher_qualification, post_certificate"
    )

    page = await client.get(
        f"{API}/kindergartens/{kg['id']}/pool-matches?post=teacher&limit=2&offset=1", headers=world.h(HR)
    )
    assert [i["rank"] for i in page.json()["items"]] == [2, 3] and page.json()["total"] == body["total"]
    past = await client.get(
        f"{API}/kindergartens/{kg['id']}/pool-matches?post=teacher&offset=100000", headers=world.h(HR)
    )
    assert past.json()["items"] == [] and past.json()["total"] == body["total"]


async def test_matches_for_a_principal_use_the_principals_rule(client: Any, world: World) -> None:
    kg = await make_kindergarten(client, world, street=street(), classes={"small": 6}, children=150, places=150)
    certs = [
        *teacher_certificates(),
        {"type": "principal_qualification", "number": f"YZ-{new_id_number()[-8:]}", "issued_on": "2021-06-01"},
    ]
    p = await make_candidate(client, world, posts=["principal", "vice_principal"], certificates=certs)
    t = await make_candidate(client, world, posts=["principal"], certificates=teacher_certificates())
    r = await client.get(
        f"{API}/kindergartens/{kg['id']}/pool-matches?post=vice_principal&limit=500", headers=world.h(HR)
    )
    items = {i["candidate_id"]: i for i in r.json()["items"]}
    assert items[p["id"]]["ready"] and p["id"] in items and t["id"] not in items  # t does not want vice principal
    assert r.json()["post"] == "principal"  # the standard counts vice principals as principals
    r = await client.get(f"{API}/kindergartens/{kg['id']}/pool-matches?post=principal&limit=500", headers=world.h(HR))
    items = {i["candidate_id"]: i for i in r.json()["items"]}
    assert items[p["id"]]["ready"] and items[t["id"]]["missing"] == ["principal_qualification"]


async def test_matching_and_the_per_person_rule_agree(client: Any, world: World) -> None:
    """The set-wise SQL ranks by the same rule as the per-person verdict explains (a qualification of
    another school type, a suspended or not-yet-issued certificate never counts)."""
    kg = await make_kindergarten(client, world, street=street())
    variants = {
        "primary_school_qualification": [
            {
                "type": "teacher_qualification",
                "number": teacher_qualification_number(2015, "3"),
                "issued_on": "2015-07-01",
            },
            teacher_certificates()[1],
        ],
        "complete": teacher_certificates(),
        "only_qualification": teacher_certificates()[:1],
        "expires_tomorrow": [teacher_certificates()[0], teacher_certificates()[1] | {"expires_on": "2099-01-01"}],
    }
    made = {name: await make_candidate(client, world, certificates=certs) for name, certs in variants.items()}
    r = await client.get(f"{API}/kindergartens/{kg['id']}/pool-matches?post=teacher&limit=500", headers=world.h(HR))
    items = {i["candidate_id"]: i for i in r.json()["items"]}
    for name, c in made.items():
        item = items[c["id"]]
        assert item["ready"] == (item["missing"] == []), name
    assert [name for name, c in made.items() if items[c["id"]]["ready"]] == ["complete", "expires_tomorrow"]


async def test_matches_scope_and_bad_posts(client: Any, world: World) -> None:
    own = await client.get(f"{API}/kindergartens/{world.kg_a['id']}/pool-matches?post=teacher", headers=world.h(ADMIN))
    assert own.status_code == 200
    assert all("*" in i["id_number"] for i in own.json()["items"])  # an admin sees masked ID numbers
    other = await client.get(
        f"{API}/kindergartens/{world.kg_b['id']}/pool-matches?post=teacher", headers=world.h(ADMIN)
    )
    assert other.status_code == 404
    missing = await client.get(f"{API}/kindergartens/{10**8}/pool-matches?post=teacher", headers=world.h(HR))
    assert missing.status_code == 404
    r = await client.get(f"{API}/kindergartens/{world.kg_a['id']}/pool-matches?post=other", headers=world.h(HR))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "post"
    r = await client.get(f"{API}/kindergartens/{world.kg_a['id']}/pool-matches", headers=world.h(HR))
    assert r.status_code == 400  # post is required


async def test_people_on_the_staff_who_left_may_join_the_pool(client: Any, world: World) -> None:
    idn = new_id_number(born=date(1962, 3, 3))
    await insert_staff(world.kg_a["id"], status="left", id_number=idn, left_on=date(2022, 7, 31))
    c = await make_candidate(client, world, id_number=idn, source="retired_teacher")
    assert c["status"] == "available"


async def test_pages_of_matches_follow_the_one_ranking(client: Any, world: World) -> None:
    """Each page is cut from the same ranking (the ranking's tiers are read page by page)."""
    s = street()
    kg = await make_kindergarten(client, world, street=s)
    for i in range(7):
        certs = teacher_certificates() if i % 2 else []
        await make_candidate(client, world, streets=[s] if i % 3 else [], certificates=certs)
    url = f"{API}/kindergartens/{kg['id']}/pool-matches?post=teacher"
    everyone = (await client.get(f"{url}&limit=500", headers=world.h(HR))).json()
    ids = [i["candidate_id"] for i in everyone["items"]]
    assert len(ids) == min(everyone["total"], 500) and len(ids) >= 7
    paged: list[int] = []
    for offset in range(0, 21, 3):
        page = (await client.get(f"{url}&limit=3&offset={offset}", headers=world.h(HR))).json()
        assert page["total"] == everyone["total"]
        paged += [i["candidate_id"] for i in page["items"]]
    assert paged == ids[:21]
    keys = [
        (not i["ready"], {True: 0, None: 1, False: 2}[i["prefers_street"]], i["available_from"])
        for i in everyone["items"]
    ]
    assert keys == sorted(keys)
