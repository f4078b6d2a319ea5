"""Builders for the credit-claim tests: evidence files made on the spot (each one different, so no test
claims another's file by accident), a claim's form, and a second kindergarten's admin and teacher."""

from __future__ import annotations

import io
import itertools
from typing import Any

from PIL import Image, ImageDraw

from tests.credits.helpers import API, HR
from tests.support import World, kindergarten_body, login, make_account, new_username, staff_body

_seeds = itertools.count(1)


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    """A PNG no other test has (its pixels carry a serial number)."""
    n = next(_seeds)
    image = Image.new("RGB", size, (n % 256, (n // 256) % 256, 200))
    ImageDraw.Draw(image).text((2, 2), str(n), fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo as a phone's camera sends it (a JPEG), different from every other one."""
    n = next(_seeds)
    image = Image.new("RGB", size, (30, (n * 7) % 256, n % 256))
    ImageDraw.Draw(image).text((10, 10), f"certificate {n}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def pdf() -> bytes:
    """A small, whole PDF (one empty page), different from every other one."""
    n = next(_seeds)
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        + f"% certificate {n}\n".encode()
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def fields(**over: Any) -> dict[str, str]:
    body = {
        "title": "北京市学前教育课程领导力研修班",
        "provider": "北京教育学院",
        "date_from": "2026-10-12",
        "date_to": "2026-10-14",
        "hours": "24",
        "category": "general",
        "source": "training",
        "note": "市级培训，三天",
    }
    body.update({k: str(v) for k, v in over.items() if v is not None})
    for k in [k for k, v in over.items() if v is None]:
        body.pop(k)
    return body


async def submit(
    client: Any,
    world: World,
    who: str = "teacher",
    content: bytes | None = None,
    name: str = "证书.png",
    media_type: str = "image/png",
    **over: Any,
) -> Any:
    files = {"file": (name, png() if content is None else content, media_type)}
    return await client.post(f"{API}/me/credit-claims", data=fields(**over), files=files, headers=world.h(who))


async def submitted(client: Any, world: World, who: str = "teacher", **over: Any) -> dict[str, Any]:
    r = await submit(client, world, who, **over)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def review(client: Any, world: World, claim_id: int, who: str, decision: str, **over: Any) -> Any:
    body = {"decision": decision, **over}
    return await client.post(f"{API}/credit-claims/{claim_id}/review", json=body, headers=world.h(who))


async def approved_by_both(client: Any, world: World, claim_id: int) -> dict[str, Any]:
    r = await review(client, world, claim_id, "kindergarten_admin", "approve")
    assert r.status_code == 200 and r.json()["status"] == "checked", r.text
    r = await review(client, world, claim_id, HR, "approve")
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    return dict(r.json())


OTHER: dict[str, Any] = {}


async def kindergarten_b_accounts(client: Any, world: World) -> dict[str, Any]:
    """Another kindergarten (not the world's A or B, whose accounts other tests count) with a teacher
    and an admin, logged in as ``teacher_b`` and ``admin_b``; its kindergarten row is returned."""
    if "teacher_b" in world.tokens:
        return OTHER
    hr = world.h(HR)
    kg = (await client.post(f"{API}/kindergartens", json=kindergarten_body(name="丙幼儿园"), headers=hr)).json()
    person = (await client.post(f"{API}/staff", json=staff_body(kg["id"], name="钱芳"), headers=hr)).json()
    admin, teacher = new_username("adm_c"), new_username("tch_c")
    await make_account("kindergarten_admin", admin, kindergarten_code=kg["code"])
    await make_account("teacher", teacher, staff_id_number=person["id_number"])
    world.tokens["admin_b"] = await login(client, admin)
    world.tokens["teacher_b"] = await login(client, teacher)
    OTHER.update(kg)
    return OTHER
