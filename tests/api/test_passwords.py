"""The password policy: long enough, not common, not the user's name."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.passwords import MIN_LENGTH, check_password, common_passwords
from smartspot.errors import InvalidInputError

pytestmark = pytest.mark.sqlite_only  # the password policy, no store


def test_the_shipped_list_holds_the_common_passwords() -> None:
    listed = common_passwords()
    assert len(listed) > 19_000
    assert {"123456", "password", "qwerty", "iloveyou"} <= listed


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("kort-kode", "at least 12"),
        ("x" * (MIN_LENGTH - 1), "at least 12"),
        ("Password123456", "common"),  # a listed password with digits added
        ("qwertyuiop!!", "common"),
        ("QWERTY uiop asdf", "common"),
        ("Smartspot2026!", "common"),  # the product's own name and a year
        ("adgangskode123", "common"),
        ("123456789012", "digits only"),
        ("abababababababab", "two different"),
        ("vagthavende-7", "user name"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    with pytest.raises(InvalidInputError, match=why) as raised:
        check_password(password, name="vagthavende-7")
    assert raised.value.field == "password"


@pytest.mark.parametrize(
    "password", ["en god adgangskode til vagten", "Holstebro fjord vinter", "t7#Kq9!mZ2vR"]
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    check_password(password, name="vagthavende-7")


def test_the_api_refuses_a_common_password_with_422(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    body = {"name": "ny-vagt", "role": "operator", "password": "password1234"}
    answer = client.post("/users", json=body, headers=as_role["admin"])
    assert answer.status_code == 422
    assert "almindelige adgangskoder" in answer.json()["detail"]
    short = {"name": "ny-vagt", "role": "operator", "password": "elleve-tegn"}
    assert client.post("/users", json=short, headers=as_role["admin"]).status_code == 422
