"""Who may do what: argon2 password hashes, short-lived JWT bearer tokens, four roles.

The OAuth2 password flow as FastAPI documents it: ``POST /auth/token`` with a form
``username``/``password`` answers ``{"access_token": …, "token_type": "bearer"}``; every other
endpoint but ``/health`` wants ``Authorization: Bearer <token>``.

Roles (the issue's rules):

* **operator** (vagtcentral): reads everything, feeds patrols, callouts and visits, decides
  proposals; cannot change hotspots.
* **analyst**: reads everything, registers, edits and closes hotspots; cannot decide proposals.
* **planner**: reads everything, changes nothing live.
* **admin**: everything, including users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.store.port import UserRepository
from smartspot.store.records import UserAccount

ALGORITHM = "HS256"
MIN_PASSWORD = 8


class Role(StrEnum):
    OPERATOR = "operator"
    ANALYST = "analyst"
    PLANNER = "planner"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"
    EDIT_HOTSPOTS = "edit hotspots"
    OPERATE = "report patrols, callouts and visits"
    DECIDE_PROPOSALS = "accept or reject proposals"
    MANAGE_USERS = "manage users"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: frozenset({Permission.READ, Permission.OPERATE, Permission.DECIDE_PROPOSALS}),
    Role.ANALYST: frozenset({Permission.READ, Permission.EDIT_HOTSPOTS}),
    Role.PLANNER: frozenset({Permission.READ}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request, as its token says."""

    name: str
    role: Role

    def may(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]


def check_username(name: str) -> None:
    if not isinstance(name, str) or not 2 <= len(name) <= 64 or not name.isprintable():
        raise InvalidInputError("a user name is 2–64 printable characters", field="name")
    if name != name.strip() or any(c.isspace() for c in name):
        raise InvalidInputError("a user name may not contain spaces", field="name")


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(
            f"a password needs at least {MIN_PASSWORD} characters", field="password"
        )
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so a wrong name costs as much time
# as a wrong password and names cannot be probed by timing.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def new_account(name: str, role: str, password: str, *, now: datetime) -> UserAccount:
    """A user account with an argon2 hash of ``password`` (checks name, role and password)."""
    check_username(name)
    return UserAccount(
        name=name, role=Role(role).value, password_hash=hash_password(password), created_at=now
    )


def authenticate(users: UserRepository, name: str, password: str) -> UserAccount | None:
    """The active account when ``password`` is right, else None."""
    try:
        user = users.get(name)
    except (NotFoundError, InvalidInputError):
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


def issue_token(
    name: str, role: str, *, secret: str, minutes: int, now: datetime | None = None
) -> str:
    moment = now or datetime.now(UTC)
    claims = {
        "sub": name,
        "role": Role(role).value,
        "iat": int(moment.timestamp()),
        "exp": int((moment + timedelta(minutes=minutes)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def read_token(token: str, *, secret: str) -> Principal:
    """The principal a token names. Raises a 401 HTTPException when it is bad or expired."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise _unauthorized("the login has expired; log in again") from None
    except jwt.PyJWTError:
        raise _unauthorized("the bearer token is not valid; log in again") from None
    try:
        return Principal(name=str(claims["sub"]), role=Role(str(claims.get("role"))))
    except ValueError:
        raise _unauthorized("the bearer token names no known role; log in again") from None


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def current_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise _unauthorized("log in first: send Authorization: Bearer <token> from /auth/token")
    secret: str = request.app.state.settings.secret_key
    return read_token(token, secret=secret)


def requires(permission: Permission) -> Callable[..., Principal]:
    """A dependency that lets only roles holding ``permission`` through (else 403)."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.may(permission):
            allowed = sorted(r.value for r, grants in GRANTS.items() if permission in grants)
            raise HTTPException(
                status_code=403,
                detail=f"a {principal.role.value} may not {permission.value}; "
                f"allowed roles: {', '.join(allowed)}",
            )
        return principal

    return check


Reader = Annotated[Principal, Depends(requires(Permission.READ))]
HotspotEditor = Annotated[Principal, Depends(requires(Permission.EDIT_HOTSPOTS))]
Operator = Annotated[Principal, Depends(requires(Permission.OPERATE))]
Decider = Annotated[Principal, Depends(requires(Permission.DECIDE_PROPOSALS))]
Admin = Annotated[Principal, Depends(requires(Permission.MANAGE_USERS))]
