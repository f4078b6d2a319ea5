"""Reading the PDFs back (pypdf) and building what the report tests need."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date
from typing import Any

from pypdf import PdfReader

from tests.support import World, insert_staff, teacher_qualification_number

API = "/api/v1"
HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"
CODE_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")

_numbers = itertools.count(1)


def pdf_text(pdf: bytes) -> str:
    """Every page's text, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def pdf_fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use: its base name, and whether the font program is embedded."""
    reader = PdfReader(io.BytesIO(pdf))
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for ref in resources.get_object().get("/Font", {}).values():
            font = ref.get_object()
            descriptors = [font.get("/FontDescriptor")]
            for descendant in font.get("/DescendantFonts", []):
                descriptors.append(descendant.get_object().get("/FontDescriptor"))
            embedded = any(
                d is not None and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                for d in descriptors
            )
            fonts[str(font.get("/BaseFont"))] = embedded
    return fonts


def assert_cjk_font_embedded(pdf: bytes) -> None:
    fonts = pdf_fonts(pdf)
    cjk = {name: embedded for name, embedded in fonts.items() if "CJK" in name or "Han" in name or "Hei" in name}
    assert cjk, f"no CJK font in the PDF: {sorted(fonts)}"
    assert all(cjk.values()), f"CJK font not embedded: {cjk}"


def assert_pdf(r: Any) -> bytes:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/pdf")
    assert r.headers["cache-control"] == "no-store"
    assert r.content.startswith(b"%PDF-")
    return bytes(r.content)


def code_in(text: str) -> str:
    """The verification code printed on the document (header and footer show the same one)."""
    found = set(CODE_RE.findall(text))
    assert len(found) == 1, found
    return found.pop()


async def certify(client: Any, world: World, staff_id: int, *types: str, expires_on: str | None = None) -> None:
    """Record valid certificates (a post certificate needs passed induction training first)."""
    from tests.support import give_training

    for cert_type in types:
        if cert_type == "post_certificate":
            await give_training(staff_id, "induction")
        number = teacher_qualification_number() if cert_type == "teacher_qualification" else f"RPT-{next(_numbers):06d}"
        body = {"type": cert_type, "number": number, "issuer": "北京市朝阳区教育委员会", "issued_on": "2016-07-01"}
        if expires_on:
            body["expires_on"] = expires_on
        r = await client.post(f"{API}/staff/{staff_id}/certificates", json=body, headers=world.h(HR))
        assert r.status_code == 201, r.text


async def new_kindergarten(client: Any, world: World, **over: Any) -> dict[str, Any]:
    from tests.support import kindergarten_body

    r = await client.post(f"{API}/kindergartens", json=kindergarten_body(**over), headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def teacher_on_post(kindergarten_id: int, name: str, **over: Any) -> int:
    return await insert_staff(kindergarten_id, "teacher", "on_post", name=name, hired_on=date(2015, 9, 1), **over)
