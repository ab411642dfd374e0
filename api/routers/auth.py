"""Logging in (OAuth2 password flow), the event stream's cookie, and managing user accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import (
    Admin,
    Principal,
    Reader,
    hash_password,
    issue_token,
    new_account,
)
from api.deps import ServicesDep
from api.events_auth import clear_event_cookie, set_event_cookie
from api.login import throttled_check
from api.schemas import Account, EventSession, Token, UserChange, UserIn, UserOut
from smartspot.access import choose_districts, default_districts
from smartspot.geo.regions import politikreds_names
from smartspot.i18n import N_, Message
from smartspot.resources import DATA_DIR
from smartspot.store.records import UserAccount

router = APIRouter(tags=["auth"])

_WRONG = N_("wrong user name or password")


@router.post(
    "/auth/token",
    response_model=Token,
    responses={
        401: {"description": _WRONG},
        429: {"description": "too many failed logins: wait Retry-After seconds"},
        503: {"description": "too many logins at once: try again in a moment"},
    },
)
async def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    services: ServicesDep,
) -> Token:
    """Exchange a user name and password for a short-lived bearer token.

    After 5 wrong passwords for one user (20 from one address) each further failure doubles
    the wait (1 s, 2 s, 4 s … at most 15 min): the answer is then ``429`` with
    ``Retry-After`` and the password is not even checked.
    """
    user = await throttled_check(services, request, form.username, form.password)
    if user is None:
        raise HTTPException(
            status_code=401, detail=Message(_WRONG), headers={"WWW-Authenticate": "Bearer"}
        )
    minutes = services.settings.token_minutes
    token = issue_token(
        user.name,
        user.role,
        secret=services.settings.secret_key,
        minutes=minutes,
        generation=services.store.users.token_generation(user.name),
    )
    return Token(access_token=token, expires_in=minutes * 60, role=user.role, name=user.name)


@router.get("/auth/me", response_model=UserOut)
def me(principal: Reader) -> UserOut:
    """Who the token belongs to, their role and their politikredse."""
    return UserOut(
        name=principal.name,
        role=principal.role.value,
        districts=sorted(principal.districts.names),
    )


@router.post("/events/session", response_model=EventSession)
def open_event_session(
    principal: Reader, request: Request, response: Response, services: ServicesDep
) -> EventSession:
    """Log the browser's event stream in: sets an HttpOnly cookie that only ``GET /events``
    accepts, so no credential ever travels in a URL (EventSource cannot send headers)."""
    seconds = set_event_cookie(response, principal, request=request, settings=services.settings)
    return EventSession(expires_in=seconds)


@router.delete("/events/session", status_code=204)
def close_event_session(response: Response) -> Response:
    """Drop the event stream's cookie (on logging out)."""
    clear_event_cookie(response)
    response.status_code = 204
    return response


@router.get("/users", response_model=list[Account])
def list_users(principal: Admin, services: ServicesDep) -> list[Account]:
    """Every account (admin only)."""
    return [_account(u) for u in services.store.users.list()]


def _account(user: UserAccount) -> Account:
    return Account(
        name=user.name, role=user.role, active=user.active, districts=list(user.districts)
    )


def _districts(typed: list[str]) -> tuple[str, ...]:
    return choose_districts(typed, politikreds_names(DATA_DIR))


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(body: UserIn, principal: Admin, services: ServicesDep) -> UserOut:
    """Create an account (admin only) working in ``districts`` (default: all for an admin,
    else the deployment's own); 409 when the name is taken, 422 for a password that is short
    or common, or an unknown politikreds."""
    districts = (
        _districts(body.districts)
        if body.districts
        else default_districts(body.role, services.settings.district)
    )
    user = new_account(
        body.name, body.role, body.password, now=services.clock.now(), districts=districts
    )
    services.store.users.add(user, actor=principal.name)
    return UserOut(name=user.name, role=user.role, districts=list(user.districts))


@router.patch("/users/{name}", response_model=Account)
def change_user(name: str, body: UserChange, principal: Admin, services: ServicesDep) -> Account:
    """Change a role, deactivate or reactivate, set a new password or new districts (admin
    only). A new role, password or active flag ends the account's current logins at once;
    new districts apply from the user's next request."""
    users, at = services.store.users, services.clock.now()
    account = users.get(name)
    password_hash = None if body.password is None else hash_password(body.password, name=name)
    districts = None if body.districts is None else _districts(body.districts)
    with services.store.transaction():
        if districts is not None:
            account = users.set_districts(name, districts, actor=principal.name, at=at)
        if body.role is not None:
            account = users.set_role(name, body.role, actor=principal.name, at=at)
        if body.active is not None:
            account = users.set_active(name, body.active, actor=principal.name, at=at)
        if password_hash is not None:
            account = users.set_password_hash(name, password_hash, actor=principal.name, at=at)
    services.accounts.forget(name)
    return _account(account)


__all__ = ["Principal", "router"]
