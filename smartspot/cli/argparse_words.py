"""argparse's own words ("usage:", "error:", "invalid choice") in the command line's language.

argparse looks each of its texts up at the moment it prints them, through its module-level
``_`` and ``ngettext``; :func:`speak` points those at the command line's translator, so a
Danish user reads "brug:" and "fejl:" where argparse would say "usage:" and "error:". The
texts below are argparse's own English msgids (CPython 3.11–3.13), listed so that the catalog
extraction carries them; argparse's ``%``-placeholders stay as they are.
"""

from __future__ import annotations

import argparse

from smartspot.i18n import N_, Translator, msg_n

WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
    N_("can't open '%(filename)s': %(error)s"),
)
PLURALS = (msg_n("expected %s argument", "expected %s arguments", 2),)


def speak(t: Translator) -> None:
    """Make argparse print its words through ``t`` from now on (for this process)."""
    argparse._ = t.gettext  # type: ignore[attr-defined]
    argparse.ngettext = t.ngettext  # type: ignore[attr-defined]
