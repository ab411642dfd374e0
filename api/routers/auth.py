"""Logging in (OAuth2 password flow) and managing user accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import Admin, Principal, Reader, Role, User, authenticate, hash_password, issue_token
from api.deps import ServicesDep
from api.schemas import Token, UserIn, UserOut

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=Token)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], services: ServicesDep) -> Token:
    """Exchange a user name and password for a short-lived bearer token."""
    user = authenticate(services.users, form.username, form.password)
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="wrong user name or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    minutes = services.settings.token_minutes
    token = issue_token(user, secret=services.settings.secret_key, minutes=minutes)
    return Token(access_token=token, expires_in=minutes * 60, role=user.role.value, name=user.name)


@router.get("/auth/me", response_model=UserOut)
def me(principal: Reader) -> UserOut:
    """Who the token belongs to, and their role."""
    return UserOut(name=principal.name, role=principal.role.value)


@router.get("/users", response_model=list[UserOut])
def list_users(principal: Admin, services: ServicesDep) -> list[UserOut]:
    """Every account (admin only)."""
    return [UserOut(name=u.name, role=u.role.value) for u in services.users.list()]


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(body: UserIn, principal: Admin, services: ServicesDep) -> UserOut:
    """Create an account (admin only); 409 when the name is taken."""
    user = User(body.name, Role(body.role), hash_password(body.password))
    services.users.add(user, actor=principal.name)
    return UserOut(name=user.name, role=user.role.value)


__all__ = ["Principal", "router"]
