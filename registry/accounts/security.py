"""Bearer tokens (Litestar's JWTAuth) and role guards.

The token carries the role and the scope (kindergarten, staff record) as signed claims, and the
account's session epoch at login: a logout or a deactivation moves the epoch on, and the token
stops working (checked against a short per-process cache, so most requests cost no query).
Tokens are short-lived (REGISTRY_TOKEN_TTL_MINUTES).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.security.jwt import JWTAuth, Token

from kernel.auth import Principal
from kernel.codes import Role
from kernel.settings import Settings
from registry.accounts.services import login_stands
from registry.accounts.throttle import UNKNOWN_ADDRESS

PUBLIC_PATHS = ["/api/v1/auth/token", "/api/v1/schema", "/health", "/favicon.ico"]


async def retrieve_principal(token: Token, _: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The caller, if the token's login still stands (None: a 401)."""

    extras = token.extras or {}
    try:
        who = Principal(
            account_id=int(extras["aid"]),
            username=token.sub,
            role=Role(extras["role"]),
            kindergarten_id=extras.get("kg"),
            staff_id=extras.get("st"),
            epoch=int(extras["ep"]),  # required: a token from before epochs existed is refused
        )
    except (KeyError, ValueError, TypeError):
        return None
    return who if await login_stands(who.account_id, who.epoch) else None


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's IP address, as the server reports it: behind a proxy, the one the proxy names in
    ``X-Forwarded-For`` when the server trusts it (uvicorn's ``--forwarded-allow-ips``)."""
    client = connection.client
    return client.host if client is not None and client.host else UNKNOWN_ADDRESS


def make_jwt_auth(settings: Settings) -> JWTAuth[Principal, Token]:
    return JWTAuth[Principal, Token](
        retrieve_user_handler=retrieve_principal,
        token_secret=settings.jwt_secret(),
        exclude=PUBLIC_PATHS,
        default_token_expiration=timedelta(minutes=settings.token_ttl_minutes),
        description="Bearer token from POST /api/v1/auth/token",
    )


def issue_token(auth: JWTAuth[Principal, Token], who: Principal, ttl_minutes: int) -> str:
    return auth.create_token(
        identifier=who.username,
        token_expiration=timedelta(minutes=ttl_minutes),
        token_extras={
            "aid": who.account_id,
            "role": who.role.value,
            "kg": who.kindergarten_id,
            "st": who.staff_id,
            "ep": who.epoch,
        },
    )
