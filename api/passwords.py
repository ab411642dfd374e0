"""The password policy: at least 12 characters, not a common password, not the user's name.

The common-password list is Django's (``data/passwords/common-passwords.txt.gz``: 20,000
passwords, lower-cased, from Royce Williams' list; BSD licence, see
``data/passwords/README.md``). It is read once, on first use. A password is refused when it,
its lower-case form, or its lower-case form without spaces, digits at the end or punctuation
is on the list, or is a listed password with up to five characters added at the end, so
``Password123456`` and ``qwerty uiop 1234`` fare no better than ``password``.
"""

from __future__ import annotations

import gzip
import string
from functools import cache

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.resources import DATA_DIR

MIN_LENGTH = 12
MAX_LENGTH = 200
COMMON_PASSWORDS = DATA_DIR / "passwords" / "common-passwords.txt.gz"
# Words every Smart Spot installation would be guessed with first (the list is English).
LOCAL_WORDS = frozenset(
    {"smartspot", "politi", "politiet", "vagtcentral", "adgangskode", "kodeord", "password"}
)
_STRIP = str.maketrans("", "", string.punctuation + string.whitespace)


@cache
def common_passwords() -> frozenset[str]:
    """The common-password list, lower-cased (read once)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def _forms(password: str) -> set[str]:
    lowered = password.lower()
    bare = lowered.translate(_STRIP)
    return {password, lowered, bare, bare.rstrip(string.digits)}


def _common(form: str) -> bool:
    """Whether ``form`` is a common password or local word with at most 5 characters added
    at the end (``qwertyuiop1234``, ``smartspot2026``)."""
    listed = common_passwords()
    shortest = max(6, len(form) - 5)
    return any(
        form[:end] in listed or form[:end] in LOCAL_WORDS for end in range(shortest, len(form) + 1)
    )


def check_password(password: str, *, name: str = "") -> None:
    """Refuse a password that is short, common, made of the user name or one repeated
    character.

    Parameters
    ----------
    password
        The new password, as typed.
    name
        The login it is for (a password that is the name, or the name and digits, is refused).

    Raises
    ------
    InvalidInputError
        With ``field="password"`` and a message that says what to do instead.
    """
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise InvalidInputError(
            msg(
                "a password needs at least {MIN_LENGTH} characters; a few unrelated words make a good one",
                MIN_LENGTH=MIN_LENGTH,
            ),
            field="password",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInputError(
            msg("a password has at most {MAX_LENGTH} characters", MAX_LENGTH=MAX_LENGTH),
            field="password",
        )
    forms = _forms(password)
    if len(set(password)) <= 2:
        raise InvalidInputError(
            msg("a password needs more than two different characters"), field="password"
        )
    if name and name.lower().translate(_STRIP) in forms:
        raise InvalidInputError(msg("a password may not be the user name"), field="password")
    if any(form.isdigit() for form in forms):
        raise InvalidInputError(
            msg("a password of digits only is too easy to guess"), field="password"
        )
    if any(_common(form) for form in forms):
        raise InvalidInputError(
            msg("that password is on the list of common passwords; choose another"),
            field="password",
        )
