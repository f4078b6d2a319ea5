from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromQuery

from kernel.auth import requires
from kernel.common.params import Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from registry.mail import outbox
from registry.mail.codes import MailStatus
from registry.mail.schemas import MailOut


class MailController(Controller):
    path = "/mail"
    tags = ["mail"]

    @get(
        "/outbox",
        guards=[requires("mail.read")],
        summary="The email outbox, newest first: what waits, what was sent, what failed (district HR)",
    )
    async def list_outbox(
        self, status: FromQuery[MailStatus | None] = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> Page[MailOut]:
        return await outbox.list_mail(status, limit, offset)


CONTROLLERS = [MailController]
