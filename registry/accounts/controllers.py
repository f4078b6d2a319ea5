from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from kernel.auth import Principal, requires
from kernel.codes import Role
from kernel.common.params import Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from kernel.settings import get_settings
from registry.accounts import services
from registry.accounts.schemas import AccountCreate, AccountOut, EmailUpdate, Me, TokenRequest, TokenResponse
from registry.accounts.security import client_address, issue_token


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/token",
        status_code=200,
        summary="Log in: a bearer token for username and password",
        security=[],
        responses=None,
    )
    async def token(self, request: Request[Any, Any, Any], data: JSONBody[TokenRequest], state: State) -> TokenResponse:
        who = await services.authenticate(data.username, data.password, client_address(request))
        ttl = get_settings().token_ttl_minutes
        return TokenResponse(access_token=issue_token(state.jwt_auth, who, ttl), expires_in=ttl * 60)

    @post(
        "/logout",
        status_code=204,
        guards=[requires("me")],
        summary="Log out: every token and page session of this account ends (on every device)",
    )
    async def logout(self, request: Request[Principal, Any, Any]) -> None:
        await services.log_out(request.user)


class MeController(Controller):
    path = "/me"
    tags = ["auth"]

    @get("/", guards=[requires("me")], summary="The account behind the token")
    async def me(self, request: Request[Principal, Any, Any]) -> Me:
        return await services.me(request.user)

    @patch(
        "/",
        guards=[requires("me")],
        summary="Set or clear (null) your own email address: notifications are also mailed to it",
    )
    async def update_me(self, request: Request[Principal, Any, Any], data: JSONBody[EmailUpdate]) -> Me:
        return await services.update_my_email(request.user, data)


class AccountController(Controller):
    path = "/accounts"
    tags = ["auth"]

    @get("/", guards=[requires("account.read")], summary="Accounts (district HR)")
    async def list_accounts(
        self,
        role: FromQuery[Role | None] = None,
        search: Annotated[str | None, QueryParameter(max_length=64, description="part of the username")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[AccountOut]:
        return await services.list_accounts(role, search, limit, offset)

    @post("/", guards=[requires("account.write")], summary="Create an account (district HR)")
    async def create(self, request: Request[Principal, Any, Any], data: JSONBody[AccountCreate]) -> AccountOut:
        return await services.create_account(request.user, data)

    @post(
        "/{account_id:int}/deactivate",
        status_code=200,
        guards=[requires("account.write")],
        summary="Deactivate an account: its tokens and sessions end, logging in is refused (district HR)",
    )
    async def deactivate(self, request: Request[Principal, Any, Any], account_id: FromPath[int]) -> AccountOut:
        return await services.set_active(request.user, account_id, False)

    @post(
        "/{account_id:int}/activate",
        status_code=200,
        guards=[requires("account.write")],
        summary="Reactivate an account (district HR)",
    )
    async def activate(self, request: Request[Principal, Any, Any], account_id: FromPath[int]) -> AccountOut:
        return await services.set_active(request.user, account_id, True)

    @patch(
        "/{account_id:int}",
        guards=[requires("account.write")],
        summary="Set or clear (null) an account's email address (district HR)",
    )
    async def update(
        self, request: Request[Principal, Any, Any], account_id: FromPath[int], data: JSONBody[EmailUpdate]
    ) -> AccountOut:
        return await services.update_account(request.user, account_id, data)
