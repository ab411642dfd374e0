"""Users belong to districts: which politikredse a user may read and change.

A national instance serves all 12 vagtcentraler; each user works in one or more politikredse
(an admin may have all, stored as ``"*"``). Everything that lives in a district (a hotspot by
where it lies, a car by its home station, a callout by where it was received, a proposal by
its car's district, a visit by its hotspot) is refused to a user outside it. The web layer
asks :class:`Districts` in one place (``api/access.py``); the rule itself is here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from smartspot.errors import ForbiddenError, InvalidInputError
from smartspot.i18n import msg

#: A user whose districts are just this has every politikreds (a national user).
ALL_DISTRICTS = "*"
#: Words that mean every politikreds, besides ``"*"``.
ALL_WORDS = frozenset({ALL_DISTRICTS, "all", "alle"})


@dataclass(frozen=True, slots=True)
class Districts:
    """The politikredse one user works in."""

    names: frozenset[str]

    @classmethod
    def of(cls, names: Iterable[str]) -> Districts:
        return cls(frozenset(names))

    @property
    def everywhere(self) -> bool:
        """All politikredse (a national user)."""
        return ALL_DISTRICTS in self.names

    def covers(self, politikreds: str | None) -> bool:
        """Whether the user may see and change what lies in ``politikreds`` (something in no
        politikreds, e.g. a callout outside the country, only national users)."""
        return self.everywhere or (politikreds is not None and politikreds in self.names)

    def require(self, politikreds: str | None, *, what: str) -> None:
        """Raise :class:`ForbiddenError` unless the user covers ``politikreds``.

        ``what`` names the object, e.g. ``"HS-000001"`` or ``"MV-21"``.
        """
        if self.covers(politikreds):
            return
        raise ForbiddenError(
            msg(
                "{what} belongs to {politikreds}, outside your districts ({mine})",
                what=what,
                politikreds=politikreds or "—",
                mine=", ".join(sorted(self.names)) or "—",
            )
        )

    def allowed(self, politikreds: Collection[str]) -> list[str]:
        """The names of ``politikreds`` the user covers, sorted."""
        return sorted(p for p in politikreds if self.covers(p))


def choose_districts(requested: Sequence[str], known: Collection[str]) -> tuple[str, ...]:
    """Canonical politikreds names for what a person typed: a full name or a unique start of
    one, in any case; ``*``, ``all`` or ``alle`` for every politikreds (alone).

    Raises
    ------
    InvalidInputError
        For an empty list, an unknown or ambiguous name, or "all" beside other names.
    """
    if not requested:
        raise InvalidInputError(msg("name at least one politikreds"), field="districts")
    if any(r.strip().lower() in ALL_WORDS for r in requested):
        if len(requested) > 1:
            raise InvalidInputError(
                msg("all districts ({all}) stands alone", all=ALL_DISTRICTS), field="districts"
            )
        return (ALL_DISTRICTS,)
    chosen: set[str] = set()
    for typed in requested:
        wanted = typed.strip().casefold()
        exact = [k for k in known if k.casefold() == wanted]
        matches = exact or [k for k in known if wanted and k.casefold().startswith(wanted)]
        if len(matches) != 1:
            raise InvalidInputError(
                msg(
                    "no single politikreds is called {typed!r}; the politikredse are {known}",
                    typed=typed,
                    known=", ".join(sorted(known)),
                ),
                field="districts",
            )
        chosen.add(matches[0])
    return tuple(sorted(chosen))


def default_districts(role: str, deployment: str) -> tuple[str, ...]:
    """The districts of a new account when none are named: all for an admin, else the
    deployment's own politikreds (``SMARTSPOT_DISTRICT``)."""
    return (ALL_DISTRICTS,) if role == "admin" else (deployment,)


def home_district(districts: Districts, deployment: str) -> str:
    """The politikreds a user's map opens on: the deployment's own (``SMARTSPOT_DISTRICT``)
    when it is one of theirs, else the first of theirs by name."""
    if districts.covers(deployment) or not districts.names:
        return deployment
    return sorted(districts.names)[0]
