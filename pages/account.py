"""我的账号 (``/me/account``, linked from the user name in every page's header): the logged-in
account's username, role, kindergarten and staff record, and a form to set or clear its email address,
where notifications are also mailed when the district has email set up (``REGISTRY_SMTP_URL``).

The write is ``PATCH /api/v1/me``'s: ``accounts.update_my_email`` with the API's ``EmailUpdate`` (an
empty field clears the address); the schema's refusal is shown next to the field in Chinese, what was
typed kept.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect
from pydantic import ValidationError

from kernel.auth import Principal, requires
from kernel.codes import Role, label
from kernel.errors import DomainError
from kernel.i18n import _
from kernel.settings import get_settings
from pages.form_support import FormErrors, Namer, Render, add_domain, add_validation, set_flash
from registry.accounts.schemas import EmailUpdate, Me
from registry.accounts.services import me, update_my_email
from registry.kindergartens.services import names_of

Req = Request[Any, Any, Any]
RenderDep = NamedDependency[Render]

ACCOUNT = "/me/account"
EMAIL_MAX = 320  # EmailUpdate's max_length


async def account_context(who: Principal, account: Me, email: str, errors: FormErrors) -> dict[str, Any]:
    kindergarten = ""
    if account.kindergarten_id is not None:
        kindergarten = (await names_of([account.kindergarten_id])).get(account.kindergarten_id, "")
    return {
        "account": account,
        "role_name": label(Role, account.role),
        "kindergarten": kindergarten,
        "email": email,
        "email_max": EMAIL_MAX,
        "mail_on": get_settings().smtp_url is not None,
        "errors": errors,
    }


class AccountPages(Controller):
    path = ACCOUNT
    guards = [requires("me")]

    @get("/", summary="我的账号: my username, role, kindergarten and email address")
    async def account(self, request: Req, render: RenderDep) -> Response[Any]:
        who: Principal = request.user
        mine = await me(who)
        return render.page(request, "account.html", await account_context(who, mine, mine.email or "", FormErrors()))

    @post("/", summary="Set or clear my email address (PATCH /api/v1/me's service)", status_code=303)
    async def set_email(self, request: Req, render: RenderDep) -> Response[Any]:
        who: Principal = request.user
        form = await request.form()
        typed = str(form.get("email") or "").strip()
        errors = FormErrors()
        name_of: Namer = lambda f: "email" if f == "email" else None  # noqa: E731
        try:
            done = await update_my_email(who, EmailUpdate.model_validate({"email": typed or None}))
        except ValidationError as exc:
            add_validation(errors, exc, name_of, fallback="email")
        except DomainError as exc:
            add_domain(errors, exc, name_of)
        else:
            if done.email:
                set_flash(request, _("Email address saved: {email}", email=done.email))
            else:
                set_flash(request, _("Email address cleared: notifications stay in the inbox"))
            return Redirect(path=ACCOUNT, status_code=303)
        context = await account_context(who, await me(who), typed, errors)
        return render.page(request, "account.html", context, status_code=errors.status)


ACCOUNT_PAGES: list[type[Controller]] = [AccountPages]
