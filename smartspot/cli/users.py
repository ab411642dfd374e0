"""``smartspot users add|list|set-role|deactivate|activate|set-password``: who may log in.

The password is read from ``--password-stdin`` (one line), or asked for on the terminal;
``--generate`` makes a random one and prints it once. It must pass the password policy (at
least 12 characters, not a common password). A new role, a new password or deactivation ends
the user's current logins (within ``SMARTSPOT_AUTH_CACHE_S`` for a running service).
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
    for sub in (role, password, *(commands.choices[a] for a in ("deactivate", "activate"))):
        sub.add_argument(
            "--db", default=None, help=help_text("database file (default: $SMARTSPOT_DB)")
        )
        sub.add_argument("--by", default="cli", help=help_text("who changes it, for the audit log"))
        sub.add_argument("--json", action="store_true", help=help_text("print JSON"))


def _users(db: str | None) -> Any:
    from api.settings import Settings
    from smartspot.store.open import open_store

    overrides: dict[str, Any] = {"db": db} if db is not None else {}
    settings = Settings(**overrides)
    return open_store(settings.db, create=True).users


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

    password = _password(args)
    user = new_account(args.name, args.role, password, now=datetime.now(UTC))
    _users(args.db).add(user, actor=args.by)
    result: dict[str, Any] = {"name": user.name, "role": user.role}
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
    found = [{"name": u.name, "role": u.role, "active": u.active} for u in _users(args.db).list()]
    emit(
        found,
        as_json=args.json,
        text="\n".join(
            f"{u['name']}\t{say(Message(u['role']))}"
            + ("" if u["active"] else "\t" + say(msg("(deactivated)")))
            for u in found
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
    result.update(role=account.role, active=account.active)
    emit(result, as_json=args.json, text=text)
    return 0
