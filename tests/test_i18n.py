"""The catalogs: every text for people has a Danish translation, and Danish formats hold."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.i18n import (
    LOCALE_DIR,
    Message,
    catalog_messages,
    joined,
    msg,
    msg_n,
    negotiate,
    translator,
)

ROOT = Path(__file__).resolve().parents[1]
#: the keywords scripts/i18n.sh passes to pybabel
PYTHON_KEYWORDS = {**DEFAULT_KEYWORDS, "msg": None, "msg_n": (1, 2), "help_text": None}
MAP_KEYWORDS = {"t": None, "N_": None}
#: Files allowed to raise with a bare string for now (none: every message is in the catalog).
NOT_YET: set[str] = set()
ERRORS = {
    "SmartspotError",
    "InvalidInputError",
    "NotFoundError",
    "ConflictError",
    "StorageError",
    "AuthError",
    "HTTPException",
}


def _extracted(config: str, keywords: dict) -> set[str]:  # type: ignore[type-arg]
    with (LOCALE_DIR / config).open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=keywords,
        directory_filter=lambda d: "node_modules" not in d and not Path(d).name.startswith("."),
    ):
        msgid = message[0] if isinstance(message, tuple) else message  # a plural: its singular
        if msgid:
            found.add(msgid)
    return found


def _danish(domain: str) -> dict[str, object]:
    with (LOCALE_DIR / "da" / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        catalog = read_po(handle)
    return {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }


@pytest.mark.parametrize(
    ("config", "keywords", "domain"),
    [("python.cfg", PYTHON_KEYWORDS, "smartspot"), ("map.cfg", MAP_KEYWORDS, "map")],
)
def test_every_text_in_the_code_has_a_danish_translation(
    config: str,
    keywords: dict,
    domain: str,  # type: ignore[type-arg]
) -> None:
    missing = sorted(_extracted(config, keywords) - set(_danish(domain)))
    assert not missing, (
        f"{len(missing)} texts have no Danish translation in smartspot/locale/da/LC_MESSAGES/"
        f"{domain}.po (run scripts/i18n.sh update, then translate): {missing[:10]}"
    )


@pytest.mark.parametrize("domain", ["smartspot", "map"])
def test_catalogs_pass_babels_checks(domain: str) -> None:
    # what `pybabel compile` refuses: placeholders that do not match, broken plural forms
    with (LOCALE_DIR / "da" / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        catalog = read_po(handle)
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []


_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)")


@pytest.mark.parametrize("domain", ["smartspot", "map"])
def test_translations_keep_every_placeholder(domain: str) -> None:
    for msgid, message in _danish(domain).items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)  # type: ignore[attr-defined]
        for text in strings:
            assert set(_FIELD.findall(text)) == set(_FIELD.findall(msgid)), (msgid, text)


def _bare_texts(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in ERRORS:
            continue
        values = list(node.args[:1]) + [k.value for k in node.keywords if k.arg == "detail"]
        if name == "HTTPException":
            values = [k.value for k in node.keywords if k.arg == "detail"] + list(node.args[1:2])
        for value in values:
            if isinstance(value, ast.JoinedStr | ast.BinOp) or (
                isinstance(value, ast.Constant) and isinstance(value.value, str)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_error_hands_a_person_an_untranslated_string() -> None:
    bare = []
    for folder in ("smartspot", "api"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if str(path.relative_to(ROOT)) not in NOT_YET:
                bare.extend(_bare_texts(path))
    assert not bare, f"use smartspot.i18n.msg(...) for these messages: {bare}"


def test_danish_numbers_use_a_decimal_comma_and_dots_for_thousands() -> None:
    da = translator("da")
    assert da.render(msg("{km:.1f} km", km=1375.93)) == "1375,9 km"
    assert da.render(msg("{limit:,} bytes", limit=2_000_000)) == "2.000.000 bytes"
    assert da.number(582.44, 1) == "582,4"
    assert translator("en").number(1375.93, 1) == "1,375.9"


@pytest.mark.parametrize("value", [1e300, -1e300, float("nan"), float("inf"), 5e-324])
def test_absurd_numbers_in_a_message_never_break_it(value: float) -> None:
    text = translator("da").render(
        msg(
            "coordinate ({lon}, {lat}) is outside Denmark; allowed is longitude {west}–{east} and latitude {south}–{north} (WGS84)",
            lon=value,
            lat=56.0,
            west=7.9,
            east=15.3,
            south=54.45,
            north=57.85,
        )
    )
    assert "Danmark" in text


def test_times_are_copenhagen_time_on_a_24_hour_clock() -> None:
    winter = datetime(2026, 1, 15, 19, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 19, 5, tzinfo=UTC)
    assert translator("da").moment(winter) == "15.01.2026 20.05"
    assert translator("da").moment(summer) == "15.07.2026 21.05"
    assert translator("en").moment(winter).endswith("20:05")


def test_an_error_message_is_english_for_engineers_and_danish_for_people() -> None:
    error = NotFoundError(
        msg("no hotspot {hotspot_id!r}; ids look like HS-000042", hotspot_id="HS-9")
    )
    assert str(error) == "no hotspot 'HS-9'; ids look like HS-000042"
    assert translator("da").render(error.message) == "ingen opgave 'HS-9'; id ser ud som HS-000042"


def test_nested_messages_and_plurals_are_rendered_in_the_same_language() -> None:
    inner = InvalidInputError(msg("the geometry is empty"))
    outer = msg("{field}: {reason}", field="geometry", reason=inner)
    assert translator("da").render(outer) == "geometry: geometrien er tom"
    one = msg_n("{n} hotspot in the database", "{n} hotspots in the database", 1)
    many = msg_n("{n} hotspot in the database", "{n} hotspots in the database", 7)
    assert translator("da").render(one) == "1 opgave i databasen"
    assert translator("da").render(many) == "7 opgaver i databasen"
    both = joined([msg("registered"), Message("as is", translate=False)], "; ")
    assert translator("da").render(both) == "registreret; as is"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "da"),
        ("", "da"),
        ("en-US,en;q=0.9", "en"),
        ("da-DK,da;q=0.9,en;q=0.8", "da"),
        ("de-DE,en;q=0.5,da;q=0.7", "da"),
        ("fr", "da"),
        ("en;q=0, da;q=0.1", "da"),
    ],
)
def test_accept_language_chooses_danish_or_english(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def test_the_map_catalog_answers_english_with_itself() -> None:
    danish = catalog_messages("da", "map")
    english = catalog_messages("en", "map")
    assert set(danish) == set(english)
    assert all(english[k] == k for k in english)
    assert danish["Log in"] == "Log ind"
