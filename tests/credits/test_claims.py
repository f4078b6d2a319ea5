"""Credit claims with evidence (issue 16): a teacher reports outside training, her kindergarten checks
it, the district decides it; the credits reach her transcript once."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from litestar.datastructures import UploadFile

from credits import claims, evidence
from credits.tables import CreditEntry
from kernel.common.downloads import content_disposition
from kernel.settings import get_settings
from tests.credits.claim_helpers import (
    approved_by_both,
    fields,
    jpeg,
    kindergarten_b_accounts,
    pdf,
    png,
    review,
    submit,
    submitted,
)
from tests.credits.helpers import ADMIN, API, HR, TEACHER
from tests.support import World


async def test_a_photographed_certificate_becomes_credits_on_the_transcript(client: Any, world: World) -> None:
    claim = await submitted(client, world, content=jpeg(), name="IMG_2041.JPG", media_type="image/jpeg")
    assert claim["status"] == "submitted"
    assert claim["staff_id"] == world.staff_a["id"] and claim["kindergarten_id"] == world.kg_a["id"]
    # 24 hours of training at the policy's 10 hours a credit
    assert claim["hours"] == 24 and claim["expected_credits"] == 2.4 and claim["credits"] is None
    assert claim["evidence"]["media_type"] == "image/jpeg" and claim["evidence"]["name"] == "IMG_2041.jpg"

    decided = await approved_by_both(client, world, claim["id"])
    assert decided["credits"] == 2.4 and decided["decided_by"] == "w_hr" and decided["checked_by"] == "w_admin"

    entries = await CreditEntry.select().where(CreditEntry.reference == f"claim:{claim['id']}")
    assert len(entries) == 1 and entries[0]["id"] == decided["entry_id"]
    assert entries[0]["staff"] == world.staff_a["id"] and entries[0]["credits"] == Decimal("2.40")
    assert entries[0]["source"] == "training" and str(entries[0]["entry_date"]) == "2026-10-14"

    transcript = (await client.get(f"{API}/me/credits?cycle=2026-2030", headers=world.h(TEACHER))).json()
    mine = [e for e in transcript["entries"] if e["reference"] == f"claim:{claim['id']}"]
    assert len(mine) == 1 and mine[0]["credits"] == 2.4
    assert mine[0]["reason"] == f"学分申报 {claim['id']}：北京市学前教育课程领导力研修班"

    again = await review(client, world, claim["id"], HR, "approve")
    assert again.status_code == 409 and again.json()["code"] == "decided-already"
    assert len(await CreditEntry.select().where(CreditEntry.reference == f"claim:{claim['id']}")) == 1
    inbox = (await client.get(f"{API}/me/notifications?limit=500", headers=world.h(TEACHER))).json()["items"]
    about = [n for n in inbox if n["link"] == f"/my/claims/{claim['id']}"]
    assert [n["kind"] for n in about] == ["claim.decided", "claim.checked"], "newest first, each step once"
    assert about[0]["message"] == (
        "您的学分申报“北京市学前教育课程领导力研修班”已通过区级认定：2.4 学分已计入您的学分档案"
    )
    assert about[0]["read_at"] is None


async def test_every_step_is_audited(client: Any, world: World) -> None:
    claim = await submitted(client, world)
    await review(client, world, claim["id"], ADMIN, "return", reason="证书照片不清晰")
    r = await client.put(
        f"{API}/me/credit-claims/{claim['id']}",
        data=fields(),
        files={"file": ("clear.png", png(), "image/png")},
        headers=world.h(TEACHER),
    )
    assert r.status_code == 200 and r.json()["status"] == "submitted", r.text
    await approved_by_both(client, world, claim["id"])
    trail = (await client.get(f"{API}/audit?entity=credit_claim&limit=500", headers=world.h(HR))).json()["items"]
    actions = [e["action"] for e in reversed(trail) if str(e["entity_id"]) == str(claim["id"])]
    assert actions == ["submit", "return", "amend", "check", "approve"]


async def test_bad_fields_are_a_422_naming_the_field_in_chinese(client: Any, world: World) -> None:
    cases = [
        ({"hours": 0}, "hours"),
        ({"hours": -3}, "hours"),
        ({"date_to": "2099-01-01"}, "date_to"),
        ({"date_from": "2026-10-20", "date_to": "2026-10-14"}, "date_to"),
        ({"category": "cooking"}, "category"),
        ({"source": "holiday"}, "source"),
        ({"title": None}, "title"),
        ({"date_from": "14/10/2026"}, "date_from"),
    ]
    for over, field in cases:
        r = await submit(client, world, **over)
        assert r.status_code == 422, (over, r.text)
        body = r.json()
        assert field in [e["field"] for e in body["errors"]], (over, body)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body["detail"]
    no_file = {"file": ("", b"", "application/octet-stream")}  # a form's file input left empty
    r = await client.post(f"{API}/me/credit-claims", data=fields(), files=no_file, headers=world.h(TEACHER))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file", r.text
    r = await client.post(f"{API}/me/credit-claims", data=fields(), headers=world.h(TEACHER))  # not multipart
    assert r.status_code == 400 and r.json()["detail"] == "multipart/form-data 格式无效", r.text
    future = await submit(client, world, date_to="2099-01-01")
    assert "未来" in future.json()["errors"][0]["message"] or "future" in future.text


async def test_the_evidence_is_judged_by_its_content_not_its_name(client: Any, world: World) -> None:
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(2000)
    r = await submit(client, world, content=elf, name="certificate.pdf", media_type="application/pdf")
    assert r.status_code == 415 and r.json()["errors"][0]["field"] == "file", r.text
    whole = png((400, 300))
    r = await submit(client, world, content=whole[: len(whole) // 2], name="cut.png")
    assert r.status_code == 415, "a truncated PNG is refused"
    photo = jpeg()
    r = await submit(client, world, content=photo[: len(photo) - 600], name="cut.jpg", media_type="image/jpeg")
    assert r.status_code == 415, "a truncated JPEG is refused"
    r = await submit(client, world, content=pdf()[:-7], name="cut.pdf", media_type="application/pdf")
    assert r.status_code == 415, "a PDF without its end is refused"
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    r = await submit(client, world, content=gif, name="x.png")
    assert r.status_code == 415
    # a PDF named as a photo is a PDF: kept and served as one
    r = await submit(client, world, content=pdf(), name="scan.jpg", media_type="image/jpeg")
    assert r.status_code == 201, r.text
    evidence = r.json()["evidence"]
    assert evidence["media_type"] == "application/pdf" and evidence["name"] == "scan.pdf"
    served = await client.get(evidence["url"], headers=world.h(TEACHER))
    assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
    assert served.content.startswith(b"%PDF-") and "scan.pdf" in served.headers["content-disposition"]


async def test_the_size_limit(client: Any, world: World) -> None:
    limit = 10 * 1024 * 1024
    over = png() + bytes(limit)  # a PNG's bytes, then padding past the limit
    r = await submit(client, world, content=over[: limit + 1])
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "file", r.text
    assert "10,485,760" in r.json()["detail"]
    r = await submit(client, world, content=bytes(limit + 200_000))  # over the body's own limit as well
    assert r.status_code == 413, r.text
    assert r.json()["status"] == 413


async def test_the_same_file_twice_is_a_409_naming_the_first_claim(client: Any, world: World) -> None:
    content = png()
    first = await submitted(client, world, content=content)
    r = await submit(client, world, content=content, name="again.png", title="另一门课程")
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "duplicate-evidence" and body["claim_id"] == first["id"]
    assert str(first["id"]) in body["detail"]
    await kindergarten_b_accounts(client, world)  # another teacher may hold the same group photo
    r = await submit(client, world, "teacher_b", content=content)
    assert r.status_code == 201, r.text


async def test_the_steps_and_their_refusals(client: Any, world: World) -> None:
    claim = await submitted(client, world)
    cid = claim["id"]
    r = await review(client, world, cid, HR, "approve")
    assert r.status_code == 409 and r.json()["code"] == "not-checked", "the kindergarten checks first"
    r = await review(client, world, cid, ADMIN, "return")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await review(client, world, cid, ADMIN, "reject", reason="  ")
    assert r.status_code == 422
    r = await review(client, world, cid, ADMIN, "approve", credits=5)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credits"
    r = await review(client, world, cid, ADMIN, "approve")
    assert r.json()["status"] == "checked"
    r = await review(client, world, cid, ADMIN, "approve")
    assert r.status_code == 409 and r.json()["code"] == "checked"
    r = await review(client, world, cid, HR, "approve", credits=3)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason", "credits by hand need a reason"
    r = await review(client, world, cid, HR, "return", reason="请补充学时证明")
    assert r.json()["status"] == "returned" and r.json()["reason"] == "请补充学时证明"
    inbox = (await client.get(f"{API}/me/notifications?limit=500", headers=world.h(TEACHER))).json()["items"]
    told = [n["message"] for n in inbox if n["link"] == f"/my/claims/{cid}" and n["kind"] == "claim.returned"]
    assert told == ["您的学分申报“北京市学前教育课程领导力研修班”被退回修改：请补充学时证明"]
    r = await review(client, world, cid, ADMIN, "approve")
    assert r.status_code == 409 and r.json()["code"] == "returned"
    no_file = {"file": ("", b"", "application/octet-stream")}  # a browser's form with the file left empty
    r = await client.put(
        f"{API}/me/credit-claims/{cid}", data=fields(hours="30"), files=no_file, headers=world.h(TEACHER)
    )
    assert r.status_code == 200, r.text
    amended = r.json()
    assert amended["status"] == "submitted" and amended["hours"] == 30 and amended["checked_by"] is None
    assert amended["evidence"]["sha256"] == claim["evidence"]["sha256"], "no new file: the first one stands"
    r = await client.put(f"{API}/me/credit-claims/{cid}", data=fields(), files=no_file, headers=world.h(TEACHER))
    assert r.status_code == 409 and r.json()["code"] == "not-returned"
    await review(client, world, cid, ADMIN, "approve")
    r = await review(client, world, cid, HR, "approve", credits="2.5", reason="按市级认定文件折算")
    assert r.status_code == 200, r.text
    assert r.json()["credits"] == 2.5 and r.json()["credits_reason"] == "按市级认定文件折算"
    entry = (await CreditEntry.select().where(CreditEntry.reference == f"claim:{cid}"))[0]
    assert entry["credits"] == Decimal("2.50") and entry["hours"] == Decimal("30.0")


async def test_a_rejected_claim_writes_nothing(client: Any, world: World) -> None:
    claim = await submitted(client, world)
    await review(client, world, claim["id"], ADMIN, "approve")
    r = await review(client, world, claim["id"], HR, "reject", reason="非继续教育项目")
    assert r.json()["status"] == "rejected" and r.json()["entry_id"] is None
    assert not await CreditEntry.exists().where(CreditEntry.reference == f"claim:{claim['id']}")
    r = await review(client, world, claim["id"], HR, "approve")
    assert r.status_code == 409 and r.json()["code"] == "decided-already"


async def test_two_approvals_at_once_write_one_entry(client: Any, world: World) -> None:
    claim = await submitted(client, world)
    await review(client, world, claim["id"], ADMIN, "approve")
    answers = await asyncio.gather(*(review(client, world, claim["id"], HR, "approve") for _i in range(3)))
    assert sorted(a.status_code for a in answers) == [200, 409, 409]
    assert len(await CreditEntry.select().where(CreditEntry.reference == f"claim:{claim['id']}")) == 1


async def test_lists_and_filters(client: Any, world: World) -> None:
    claim = await submitted(client, world)
    mine = (await client.get(f"{API}/me/credit-claims", headers=world.h(TEACHER))).json()
    assert mine["items"][0]["id"] == claim["id"], "my claims: newest first"
    queue = (await client.get(f"{API}/credit-claims?status=submitted&limit=500", headers=world.h(ADMIN))).json()
    assert claim["id"] in [c["id"] for c in queue["items"]]
    assert all(c["status"] == "submitted" and c["kindergarten_id"] == world.kg_a["id"] for c in queue["items"])
    ids = [c["id"] for c in queue["items"]]
    assert ids == sorted(ids), "a queue: oldest first"
    assert queue["items"][0]["staff_name"] == "张丽"
    other = f"{API}/credit-claims?kindergarten_id={world.kg_b['id']}&limit=500"
    assert (await client.get(other, headers=world.h(ADMIN))).json()["total"] == 0, "an admin's scope holds"


async def test_the_same_file_sent_twice_at_once_is_one_claim_and_409s(client: Any, world: World) -> None:
    content = png()  # a double tap on the phone: the same form, four times at once
    answers = await asyncio.gather(*(submit(client, world, content=content) for _i in range(4)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 409, 409, 409], [a.text for a in answers]
    first = next(a.json()["id"] for a in answers if a.status_code == 201)
    assert all(a.json()["claim_id"] == first for a in answers if a.status_code == 409)


async def test_an_amended_claim_forgets_its_last_decision(client: Any, world: World) -> None:
    claim = await submitted(client, world)
    await review(client, world, claim["id"], ADMIN, "approve")
    returned = (await review(client, world, claim["id"], HR, "return", reason="学时与证书不符")).json()
    assert returned["decided_by"] == "w_hr" and returned["reason"] == "学时与证书不符"
    r = await client.put(
        f"{API}/me/credit-claims/{claim['id']}",
        data=fields(hours="21"),
        files={"file": ("", b"", "application/octet-stream")},
        headers=world.h(TEACHER),
    )
    amended = r.json()
    assert amended["status"] == "submitted"
    assert (amended["checked_by"], amended["decided_by"], amended["decided_at"], amended["reason"]) == (
        None,
        None,
        None,
        "",
    )


async def test_implausible_hours_and_old_training_are_refused(client: Any, world: World) -> None:
    # at most 12 hours a day of the course (policy): 24 hours in two days pass, 25 do not
    assert (await submit(client, world, date_from="2026-10-13", date_to="2026-10-14", hours=24)).status_code == 201
    r = await submit(client, world, date_from="2026-10-13", date_to="2026-10-14", hours=25)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "hours"
    assert r.json()["errors"][0]["message"] == "2 天共 25 学时，超过每天 12 学时：请核对学时"
    # the current cycle (2026-2030) and the one before (2021-2025) are open; 2020 is not
    assert (await submit(client, world, date_from="2021-01-01", date_to="2021-01-02")).status_code == 201
    r = await submit(client, world, date_from="2020-12-30", date_to="2020-12-31", hours=12)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["date_from", "date_to"]
    assert "2021-01-01" in r.json()["errors"][0]["message"]


async def test_hand_set_credits_are_bounded(client: Any, world: World) -> None:
    claim = await submitted(client, world)  # 24 hours
    await review(client, world, claim["id"], ADMIN, "approve")
    for credits, field in ((0, "credits"), (24.5, "credits")):
        r = await review(client, world, claim["id"], HR, "approve", credits=credits, reason="人工认定")
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, (credits, r.text)
    r = await review(client, world, claim["id"], HR, "reject", credits=3, reason="不予认定")
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == "只有认定通过时才可设定学分"
    r = await review(client, world, claim["id"], HR, "approve", credits=24, reason="按市级文件一学时一学分")
    assert r.status_code == 200 and r.json()["credits"] == 24


async def test_an_unknown_code_is_answered_with_the_choices_in_chinese(client: Any, world: World) -> None:
    r = await submit(client, world, category="cooking")
    (error,) = r.json()["errors"]
    assert error["field"] == "category"
    assert error["message"].startswith("应为以下之一：通识培训、重点培训、师德培训") and "'" not in error["message"]


async def test_two_files_or_a_name_with_control_characters(client: Any, world: World) -> None:
    two = [("file", ("a.png", png(), "image/png")), ("file", ("b.png", png(), "image/png"))]
    r = await client.post(f"{API}/me/credit-claims", data=fields(), files=two, headers=world.h(TEACHER))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file", r.text
    # a raw client may send control characters in the file's name: stored and served without them
    kept = evidence.Evidence("0" * 64, evidence.PNG, 10)
    assert claims._file_name(UploadFile("image/png", "C:\\相册\\cert\x01\x7f.jpg"), kept) == "cert.png"
    header = content_disposition("cert\x00\r\nX-Evil: 1.png", inline=True)
    assert "\r" not in header and "\n" not in header and "\x00" not in header


async def test_a_missing_evidence_file_is_a_clear_404(client: Any, world: World) -> None:
    claim = await submitted(client, world)
    evidence.path_of(get_settings().evidence_path, claim["evidence"]["sha256"]).unlink()
    r = await client.get(claim["evidence"]["url"], headers=world.h(HR))
    assert r.status_code == 404 and r.json()["code"] == "evidence-missing"
    assert "缺失" in r.json()["detail"]
