"""Logging in (OAuth2 password flow) and managing user accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import Admin, Principal, Reader, authenticate, issue_token, new_account
from api.deps import ServicesDep
from api.schemas import Token, UserIn, UserOut

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=Token)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], services: ServicesDep) -> Token:
    """Exchange a user name and password for a short-lived bearer token."""
    user = authenticate(services.store.users, form.username, form.password)
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="wrong user name or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    minutes = services.settings.token_minutes
    token = issue_token(user.name, user.role, secret=services.settings.secret_key, minutes=minutes)
    return Token(access_token=token, expires_in=minutes * 60, role=user.role, name=user.name)


@router.get("/auth/me", response_model=UserOut)
def me(principal: Reader) -> UserOut:
    """Who the token belongs to, and their role."""
    return UserOut(name=principal.name, role=principal.role.value)


@router.get("/users", response_model=list[UserOut])
def list_users(principal: Admin, services: ServicesDep) -> list[UserOut]:
    """Every account (admin only)."""
    return [UserOut(name=u.name, role=u.role) for u in services.store.users.list()]


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(body: UserIn, principal: Admin, services: ServicesDep) -> UserOut:
    """Create an account (admin only); 409 when the name is taken."""
    user = new_account(body.name, body.role, body.password, now=services.clock.now())
    services.store.users.add(user, actor=principal.name)
    return UserOut(name=user.name, role=user.role)


__all__ = ["Principal", "router"]
