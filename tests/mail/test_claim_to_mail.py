"""Issue 16's "done when", end to end: a teacher photographs a certificate on her phone and reports 24
hours of an outside course; her admin checks it and HR approves it; her transcript shows the credits,
her inbox the decision, and a real SMTP server receives one email for it, even with a server restart
in the middle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kernel.common.time import utcnow
from kernel.settings import Settings, get_settings
from registry.mail.delivery import deliver_due
from registry.mail.outbox import outbox_rows
from tests.credits.claim_helpers import jpeg, review
from tests.credits.helpers import ADMIN, API, HR
from tests.mail.conftest import SmtpServer
from tests.notifications.helpers import person_with_account
from tests.support import World, login


async def test_a_phone_claim_reaches_the_transcript_the_inbox_and_one_email(
    client: Any,
    world: World,
    smtp: SmtpServer,
    mail_settings: Settings,
    empty_outbox: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REGISTRY_PUBLIC_URL", "https://registry.jw.chaoyang.example/")
    get_settings.cache_clear()  # the mail fixture clears it again afterwards
    staff_id, username = await person_with_account(world.kg_a["id"])
    teacher = {"Authorization": f"Bearer {await login(client, username)}"}
    r = await client.patch(f"{API}/me", json={"email": "wang.fang@163.com"}, headers=teacher)
    assert r.status_code == 200, r.text

    photo = jpeg((1600, 1200))  # what the phone's camera sends through the form
    form = {
        "title": "北京市幼儿园游戏化教学研修班",
        "provider": "北京教育学院朝阳分院",
        "date_from": "2026-11-02",
        "date_to": "2026-11-04",
        "hours": "24",
        "category": "general",
        "source": "training",
    }
    r = await client.post(
        f"{API}/me/credit-claims", data=form, files={"file": ("IMG_0412.JPG", photo, "image/jpeg")}, headers=teacher
    )
    assert r.status_code == 201, r.text
    claim = r.json()
    assert claim["staff_id"] == staff_id and claim["evidence"]["media_type"] == "image/jpeg"
    assert (await review(client, world, claim["id"], ADMIN, "approve")).json()["status"] == "checked"
    decided = (await review(client, world, claim["id"], HR, "approve")).json()
    assert decided["status"] == "approved" and decided["credits"] == 2.4

    transcript = (await client.get(f"{API}/me/credits?cycle=2026-2030", headers=teacher)).json()
    entries = [e for e in transcript["entries"] if e["reference"] == f"claim:{claim['id']}"]
    assert [e["credits"] for e in entries] == [2.4] and transcript["earned"] >= 2.4

    inbox = (await client.get(f"{API}/me/notifications", headers=teacher)).json()
    assert inbox["unread"] == 2
    assert [n["kind"] for n in inbox["items"]] == ["claim.decided", "claim.checked"]
    decision = inbox["items"][0]
    assert "已通过区级认定：2.4 学分" in decision["message"]

    # the two notifications wait in the outbox; the SMTP server goes down before anything is sent
    queued = {r["source"]: r for r in await outbox_rows()}
    assert set(queued) == {f"notification:{n['id']}" for n in inbox["items"]}
    smtp.stop()
    now = utcnow()
    down = await deliver_due(now)
    assert (down.sent, down.retried) == (0, 2)
    smtp.start()  # restarted, on the same port
    up = await deliver_due(now + timedelta(minutes=5))
    assert (up.sent, up.failed) == (2, 0)
    assert (await deliver_due(now + timedelta(days=2))).claimed == 0, "nothing is sent twice"

    mails = [m for m in smtp.box.received if m["To"] == "wang.fang@163.com"]
    about_decision = [m for m in mails if "已通过区级认定" in m.get_content()]
    assert len(about_decision) == 1, "one email for the decision"
    mail = about_decision[0]
    assert mail["Message-ID"] == queued[f"notification:{decision['id']}"]["message_id"]
    assert mail["Subject"] == "【幼儿园教职工登记系统】" + decision["kind_label"]
    body = mail.get_content()
    assert "北京市幼儿园游戏化教学研修班" in body and "2.4 学分" in body
    assert f"https://registry.jw.chaoyang.example/my/claims/{claim['id']}" in body, "a link to the page"
    assert len(mails) == 2, "the check and the decision, each once"
