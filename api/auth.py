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

Tokens can be revoked: each carries the account's *token generation* (``gen``), which the
store raises whenever the role, the password or the active flag changes. Every request
compares the two through :class:`AccountCache` (a short-lived in-process cache that the
service's own user changes clear at once), so deactivating a user or changing a role ends
their tokens on the next request.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer

from api.passwords import check_password
from smartspot.access import Districts
from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.i18n import N_, Message, joined, msg
from smartspot.store.port import UserRepository
from smartspot.store.records import UserAccount

ALGORITHM = "HS256"
NO_DISTRICTS = Districts(frozenset())


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
    READ_AUDIT = "read the audit log"
    EDIT_FOLLOWUPS = "register follow-ups"
    RECORD_FOLLOWUPS = "record follow-up outcomes"
    READ_CITIZENS = "see citizens' names and phone numbers"


#: The roles' and permissions' values are also their English texts; marked for the catalog.
ROLE_AND_PERMISSION_TEXTS = (
    N_("operator"),
    N_("analyst"),
    N_("planner"),
    N_("admin"),
    N_("read"),
    N_("edit hotspots"),
    N_("report patrols, callouts and visits"),
    N_("accept or reject proposals"),
    N_("manage users"),
    N_("read the audit log"),
    N_("register follow-ups"),
    N_("record follow-up outcomes"),
    N_("see citizens' names and phone numbers"),
)

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: frozenset(
        {
            Permission.READ,
            Permission.OPERATE,
            Permission.DECIDE_PROPOSALS,
            Permission.RECORD_FOLLOWUPS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Permission.READ,
            Permission.EDIT_HOTSPOTS,
            Permission.READ_AUDIT,
            Permission.EDIT_FOLLOWUPS,
            Permission.RECORD_FOLLOWUPS,
            Permission.READ_CITIZENS,
        }
    ),
    Role.PLANNER: frozenset({Permission.READ}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request, as its token says; ``districts`` as the account holds them
    now (filled in by :func:`check_current`, never taken from the token)."""

    name: str
    role: Role
    generation: int = 0
    districts: Districts = NO_DISTRICTS

    def may(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]


def check_username(name: str) -> None:
    if not isinstance(name, str) or not 2 <= len(name) <= 64 or not name.isprintable():
        raise InvalidInputError(msg("a user name is 2–64 printable characters"), field="name")
    if name != name.strip() or any(c.isspace() for c in name):
        raise InvalidInputError(msg("a user name may not contain spaces"), field="name")


_hasher = PasswordHasher()


def hash_password(password: str, *, name: str = "") -> str:
    """An argon2id hash of ``password``, once it has passed the password policy
    (:func:`api.passwords.check_password`)."""
    check_password(password, name=name)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so a wrong name costs as much time
# as a wrong password and names cannot be probed by timing.
DUMMY_HASH = _hasher.hash("not-a-real-password")


def new_account(
    name: str, role: str, password: str, *, now: datetime, districts: Sequence[str]
) -> UserAccount:
    """A user account with an argon2 hash of ``password`` (checks name, role and password),
    working in ``districts`` (canonical politikreds names, or ``("*",)``)."""
    check_username(name)
    return UserAccount(
        name=name,
        role=Role(role).value,
        password_hash=hash_password(password, name=name),
        created_at=now,
        districts=tuple(districts),
    )


def issue_token(
    name: str,
    role: str,
    *,
    secret: str,
    minutes: int,
    generation: int = 0,
    now: datetime | None = None,
    audience: str | None = None,
) -> str:
    """A signed token for ``name``; ``generation`` is the account's token generation, and
    ``audience`` limits where it is accepted (``"events"`` for the event-stream cookie)."""
    moment = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": name,
        "role": Role(role).value,
        "gen": generation,
        "iat": int(moment.timestamp()),
        "exp": int((moment + timedelta(minutes=minutes)).timestamp()),
    }
    if audience is not None:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _unauthorized(detail: Message) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def read_token(token: str, *, secret: str, audience: str | None = None) -> Principal:
    """The principal a token names. Raises a 401 HTTPException when it is bad or expired,
    or meant for another audience (an event-stream cookie is no bearer token, and back)."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise _unauthorized(msg("the login has expired; log in again")) from None
    except jwt.PyJWTError:
        raise _unauthorized(msg("the bearer token is not valid; log in again")) from None
    try:
        return Principal(
            name=str(claims["sub"]),
            role=Role(str(claims.get("role"))),
            generation=int(claims.get("gen", 0)),
        )
    except (TypeError, ValueError):
        raise _unauthorized(msg("the bearer token names no known role; log in again")) from None


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


@dataclass(frozen=True, slots=True)
class AccountState:
    """What a token is checked against: the account's role, active flag and generation;
    and the politikredse the account works in."""

    role: str
    active: bool
    generation: int
    districts: tuple[str, ...] = ()


class AccountCache:
    """The accounts' current state for token checks, cached for ``ttl_s`` seconds.

    The service's own user changes call :meth:`forget`, so they take effect on the next
    request; a change made elsewhere (the CLI, another worker) within ``ttl_s``.
    """

    def __init__(self, users: UserRepository, *, ttl_s: float = 1.0) -> None:
        self._users = users
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[float, AccountState | None]] = {}
        self._lock = threading.Lock()

    def state(self, name: str) -> AccountState | None:
        """The account's state, or None when there is no such account."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(name)
        if hit is not None and now - hit[0] < self.ttl_s:
            return hit[1]
        try:
            user = self._users.get(name)
            found: AccountState | None = AccountState(
                user.role, user.active, self._users.token_generation(name), user.districts
            )
        except (NotFoundError, InvalidInputError):
            found = None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[name] = (now, found)
        return found

    def forget(self, name: str) -> None:
        with self._lock:
            self._cache.pop(name, None)


def check_current(principal: Principal, accounts: AccountCache) -> Principal:
    """The principal, with the districts its account holds now, when the account still holds
    the token's role and generation; else a 401 (the user was deactivated, given another role
    or a new password)."""
    state = accounts.state(principal.name)
    if (
        state is None
        or not state.active
        or state.role != principal.role.value
        or state.generation != principal.generation
    ):
        raise _unauthorized(msg("the login was ended (the account changed); log in again"))
    return dataclasses.replace(principal, districts=Districts.of(state.districts))


def current_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise _unauthorized(
            msg("log in first: send Authorization: Bearer <token> from /auth/token")
        )
    secret: str = request.app.state.settings.secret_key
    accounts: AccountCache = request.app.state.services.accounts
    return check_current(read_token(token, secret=secret), accounts)


def requires(permission: Permission) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that lets only roles holding ``permission`` through (else 403). It reads
    no store, so it runs on the event loop (``async``): a plain ``def`` made every request
    hop to the threadpool and back once more, waiting for a thread and the interpreter lock
    each way (the token's own check, :func:`current_principal`, reads the accounts: it stays
    in the threadpool)."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.may(permission):
            allowed = sorted(r.value for r, grants in GRANTS.items() if permission in grants)
            raise HTTPException(
                status_code=403,
                detail=msg(
                    "a {role} may not {permission}; allowed roles: {allowed}",
                    role=Message(principal.role.value),
                    permission=Message(permission.value),
                    allowed=joined([Message(r) for r in allowed], ", "),
                ),
            )
        return principal

    return check


Reader = Annotated[Principal, Depends(requires(Permission.READ))]
HotspotEditor = Annotated[Principal, Depends(requires(Permission.EDIT_HOTSPOTS))]
Operator = Annotated[Principal, Depends(requires(Permission.OPERATE))]
Decider = Annotated[Principal, Depends(requires(Permission.DECIDE_PROPOSALS))]
Admin = Annotated[Principal, Depends(requires(Permission.MANAGE_USERS))]
Auditor = Annotated[Principal, Depends(requires(Permission.READ_AUDIT))]
FollowUpEditor = Annotated[Principal, Depends(requires(Permission.EDIT_FOLLOWUPS))]
OutcomeRecorder = Annotated[Principal, Depends(requires(Permission.RECORD_FOLLOWUPS))]
