from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from registry.accounts import services
from registry.accounts.rules import Principal
from registry.accounts.schemas import AccountCreate, AccountOut, Me, TokenRequest, TokenResponse
from registry.accounts.security import issue_token, requires
from registry.settings import get_settings


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
    async def token(self, data: JSONBody[TokenRequest], state: State) -> TokenResponse:
        who = await services.authenticate(data.username, data.password)
        ttl = get_settings().token_ttl_minutes
        return TokenResponse(access_token=issue_token(state.jwt_auth, who, ttl), expires_in=ttl * 60)


class MeController(Controller):
    path = "/me"
    tags = ["auth"]

    @get("/", guards=[requires("me")], summary="The account behind the token")
    async def me(self, request: Request[Principal, Any, Any]) -> Me:
        u = request.user
        return Me(username=u.username, role=u.role, kindergarten_id=u.kindergarten_id, staff_id=u.staff_id)


class AccountController(Controller):
    path = "/accounts"
    tags = ["auth"]

    @post("/", guards=[requires("account.write")], summary="Create an account (district HR)")
    async def create(self, request: Request[Principal, Any, Any], data: JSONBody[AccountCreate]) -> AccountOut:
        return await services.create_account(request.user, data)
