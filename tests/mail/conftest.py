"""A real SMTP server for the mail tests (aiosmtpd's Controller on 127.0.0.1 and a free port, in its own
thread), REGISTRY_SMTP_URL pointing at it, and accounts with addresses."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from kernel.db import get_engine
from kernel.settings import Settings, get_settings
from registry.accounts.tables import Account
from tests.support import make_account, new_username


@dataclass
class Mailbox:
    """What the test server does and what it received. ``rcpt_reply`` answers every RCPT (e.g.
    "550 …", "451 …") while set; ``drop_data`` closes the connection during DATA that many times."""

    received: list[EmailMessage] = field(default_factory=list)
    mail_reply: str | None = None  # answers every MAIL FROM while set (e.g. "553 sender refused")
    rcpt_reply: str | None = None
    drop_data: int = 0
    dropped: int = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_data > 0:
            self.drop_data -= 1
            self.dropped += 1
            server.transport.close()  # mid-message: the client never hears a reply
            return "421 closing"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.received.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


class SmtpServer:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.box = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?security=none"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """REGISTRY_SMTP_URL set to the test server (fast backoff numbers kept as the defaults)."""
    monkeypatch.setenv("REGISTRY_SMTP_URL", smtp.url)
    monkeypatch.setenv("REGISTRY_MAIL_FROM", "registry@kg-chaoyang.cn")
    monkeypatch.setenv("REGISTRY_SMTP_TIMEOUT_SECONDS", "5")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()  # the next reader sees the environment without them


@pytest.fixture
async def empty_outbox(client: Any) -> AsyncIterator[None]:
    """Each test starts from an empty outbox (delivery takes every due row)."""
    await get_engine().run_ddl("DELETE FROM mail_outbox")
    yield


async def account_with_email(address: str | None = "li.jing@example.org", active: bool = True) -> int:
    username = new_username("mail")
    await make_account("inspector", username)
    await Account.update({Account.email: address, Account.active: active}).where(Account.username == username)
    row = await Account.select(Account.id).where(Account.username == username).first()
    assert row is not None
    return int(row["id"])
