"""``smartspot users add|list|set-role|set-districts|deactivate|activate|set-password``: who
may log in, and in which politikredse.

The password is read from ``--password-stdin`` (one line), or asked for on the terminal;
``--generate`` makes a random one and prints it once. It must pass the password policy (at
least 12 characters, not a common password). A new role, a new password or deactivation ends
the user's current logins (within ``SMARTSPOT_AUTH_CACHE_S`` for a running service).

Every user belongs to one or more politikredse (``--district``, repeatable: a full name or a
unique start of one, e.g. ``Østjylland``; ``all`` for every politikreds). Without
``--district`` an admin gets all and anyone else ``$SMARTSPOT_DISTRICT``, the deployment's own.
A change of districts takes effect on the user's next request; their logins go on.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from typing import Any

from smartspot.cli.output import emit, help_text, say
from smartspot.i18n import N_, Message, msg

ROLES = ("operator", "analyst", "planner", "admin")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("users", help=help_text("user accounts for the web service"))
    commands = parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = commands.add_parser("add", help=help_text("create a login"))
    add.add_argument("name", help=help_text("login name, no spaces"))
    add.add_argument("--role", required=True, choices=ROLES)
    how = add.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin", action="store_true", help=help_text("read the password from stdin")
    )
    how.add_argument(
        "--generate", action="store_true", help=help_text("make a random password and print it")
    )
    add.add_argument(
        "--district",
        action="append",
        default=None,
        metavar="POLITIKREDS",
        help=help_text(
            "a politikreds the user works in (repeat for more; 'all' for every one; default: "
            "all for an admin, else $SMARTSPOT_DISTRICT)"
        ),
    )
    add.add_argument("--db", default=None, help=help_text("database file (default: $SMARTSPOT_DB)"))
    add.add_argument("--by", default="cli", help=help_text("who creates it, for the audit log"))
    add.add_argument("--json", action="store_true", help=help_text("print JSON"))
    add.set_defaults(func=run_add)
    listing = commands.add_parser("list", help=help_text("list logins and roles"))
    listing.add_argument(
        "--db", default=None, help=help_text("database file (default: $SMARTSPOT_DB)")
    )
    listing.add_argument("--json", action="store_true", help=help_text("print JSON"))
    listing.set_defaults(func=run_list)
    role = commands.add_parser(
        "set-role", help=help_text("give a login another role (ends its logins)")
    )
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(func=run_change, change="role")
    where = commands.add_parser(
        "set-districts", help=help_text("the politikredse a login works in ('all' for every one)")
    )
    where.add_argument("name")
    where.add_argument("districts", nargs="+", metavar="POLITIKREDS")
    where.set_defaults(func=run_change, change="districts")
    for action, text in (
        ("deactivate", N_("stop a login at once")),
        ("activate", N_("allow it again")),
    ):
        sub = commands.add_parser(action, help=help_text(text))
        sub.add_argument("name")
        sub.set_defaults(func=run_change, change=action)
    password = commands.add_parser(
        "set-password", help=help_text("a new password (ends its logins)")
    )
    password.add_argument("name")
    pw_how = password.add_mutually_exclusive_group()
    pw_how.add_argument(
        "--password-stdin", action="store_true", help=help_text("read it from stdin")
    )
    pw_how.add_argument("--generate", action="store_true", help=help_text("make one and print it"))
    password.set_defaults(func=run_change, change="password")
    for sub in (
        role,
        where,
        password,
        *(commands.choices[a] for a in ("deactivate", "activate")),
    ):
        sub.add_argument(
            "--db", default=None, help=help_text("database file (default: $SMARTSPOT_DB)")
        )
        sub.add_argument("--by", default="cli", help=help_text("who changes it, for the audit log"))
        sub.add_argument("--json", action="store_true", help=help_text("print JSON"))


def _settings(db: str | None) -> Any:
    from api.settings import Settings

    overrides: dict[str, Any] = {"db": db} if db is not None else {}
    return Settings(**overrides)


def _users(db: str | None) -> Any:
    from smartspot.store.open import open_store

    return open_store(_settings(db).db, create=True).users


def _districts(typed: list[str]) -> tuple[str, ...]:
    from smartspot.access import choose_districts
    from smartspot.geo.regions import politikreds_names
    from smartspot.resources import DATA_DIR

    return choose_districts(typed, politikreds_names(DATA_DIR))


def _shown(districts: tuple[str, ...]) -> str:
    from smartspot.access import ALL_DISTRICTS

    return say(msg("all politikredse")) if districts == (ALL_DISTRICTS,) else ", ".join(districts)


def _password(args: argparse.Namespace) -> str:
    if args.generate:
        return secrets.token_urlsafe(12)
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(say(msg("password for {name}: ", name=args.name)))
    if getpass.getpass(say(msg("again: "))) != first:
        from smartspot.errors import InvalidInputError

        raise InvalidInputError(msg("the two passwords differ"), field="password")
    return first


def run_add(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from api.auth import new_account
    from smartspot.access import default_districts

    districts = (
        _districts(args.district)
        if args.district
        else default_districts(args.role, _settings(args.db).district)
    )
    password = _password(args)
    user = new_account(args.name, args.role, password, now=datetime.now(UTC), districts=districts)
    _users(args.db).add(user, actor=args.by)
    result: dict[str, Any] = {
        "name": user.name,
        "role": user.role,
        "districts": list(user.districts),
    }
    if args.generate:
        result["password"] = password
    emit(
        result,
        as_json=args.json,
        text=msg(
            "user {name} ({role}) created; password: {password}",
            name=user.name,
            role=Message(user.role),
            password=password,
        )
        if args.generate
        else msg("user {name} ({role}) created", name=user.name, role=Message(user.role)),
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    users = _users(args.db).list()
    found = [
        {"name": u.name, "role": u.role, "active": u.active, "districts": list(u.districts)}
        for u in users
    ]
    emit(
        found,
        as_json=args.json,
        text="\n".join(
            f"{u.name}\t{say(Message(u.role))}\t{_shown(u.districts)}"
            + ("" if u.active else "\t" + say(msg("(deactivated)")))
            for u in users
        ),
    )
    return 0


def run_change(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from api.auth import hash_password

    users, at = _users(args.db), datetime.now(UTC)
    result: dict[str, Any] = {"name": args.name}
    if args.change == "role":
        account = users.set_role(args.name, args.role, actor=args.by, at=at)
        text = msg(
            "user {name} is now {role}; their logins have ended",
            name=account.name,
            role=Message(account.role),
        )
    elif args.change == "districts":
        account = users.set_districts(args.name, _districts(args.districts), actor=args.by, at=at)
        text = msg(
            "user {name} now works in {districts}",
            name=account.name,
            districts=_shown(account.districts),
        )
    elif args.change in ("deactivate", "activate"):
        account = users.set_active(args.name, args.change == "activate", actor=args.by, at=at)
        text = (
            msg("user {name} may log in again", name=account.name)
            if account.active
            else msg("user {name} is deactivated; their logins have ended", name=account.name)
        )
    else:
        users.get(args.name)  # an unknown name fails before the password is asked for
        password = _password(args)
        account = users.set_password_hash(
            args.name, hash_password(password, name=args.name), actor=args.by, at=at
        )
        text = msg("user {name} has a new password; their logins have ended", name=account.name)
        if args.generate:
            result["password"] = password
            text = msg(
                "user {name} has a new password; their logins have ended; password: {password}",
                name=account.name,
                password=password,
            )
    result.update(role=account.role, active=account.active, districts=list(account.districts))
    emit(result, as_json=args.json, text=text)
    return 0
