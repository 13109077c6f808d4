"""Object-level authorisation in the registry (OWASP API1, API5).

An organisation's key changes that organisation, its resources and its contacts,
and nobody else's; creating organisations is for administrators (a client's key
is bound to organisations that exist already). Public reads stay public. Every
refusal leaves the stored data exactly as it was, read back as the administrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from conftest import AUTH, organization_body, resource_body
from hostile import MISSING_ID, assert_problem, request_as

NO_REGISTRY_WRITE = ("events:write", "matching:write")
CONTACT = {"name": "山田 花子", "email": "hanako@example.jp", "phone": "090-1111-2222"}
PRIVATE = ("山田", "hanako@example.jp", "090-1111-2222")
FORBIDDEN = "urn:kyodo:problem:forbidden"


@dataclass
class World:
    org: str  # organisation A: contacts and a resource
    other: str  # organisation B
    resource: str
    keys: dict[str, dict[str, str]]

    def fill(self, value: Any) -> Any:
        """``{org}``, ``{other}`` and ``{resource}`` in a path or a body, filled in."""
        if isinstance(value, str):
            return value.format(org=self.org, other=self.other, resource=self.resource)
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        return value


@pytest.fixture
def world(make_org, make_resource, make_key) -> World:
    a = make_org(name="桜ヶ丘フードバンク", contacts=[CONTACT])
    b = make_org(name="みどり町自治会", kind="neighbourhood_association")
    resource = make_resource(a["id"])
    keys = {
        "owner": make_key(a["id"]),
        "another organisation": make_key(b["id"]),
        "a key bound to no organisation": make_key(),
        "the owner's key without registry:write": make_key(a["id"], scopes=NO_REGISTRY_WRITE),
        "anonymous": {},
        "admin": AUTH,
    }
    return World(org=a["id"], other=b["id"], resource=resource["id"], keys=keys)


def stored(api: Any, world: World) -> dict[str, Any]:
    """Everything a refused request could have changed, read back as the administrator."""

    def read(path: str, **params: Any) -> Any:
        response = api.get(path, params=params, headers=AUTH)
        return response.status_code, response.json()

    return {
        "org": read(f"/v1/organizations/{world.org}"),
        "contacts": read(f"/v1/organizations/{world.org}/contacts"),
        "resource": read(f"/v1/resources/{world.resource}"),
        "organizations": read("/v1/organizations", limit=100),
        "resources": read("/v1/resources", limit=100),
        "changes": read("/v1/registry/changes", limit=100),
    }


# What another organisation's key must not do to organisation A: (method, path, body).
OPERATIONS: dict[str, tuple[str, str, Any]] = {
    "update the organisation": ("PATCH", "/v1/organizations/{org}", {"description": "乗っ取り"}),
    "delete the organisation": ("DELETE", "/v1/organizations/{org}", None),
    "read its contacts": ("GET", "/v1/organizations/{org}/contacts", None),
    "replace its contacts": (
        "PUT",
        "/v1/organizations/{org}/contacts",
        {"items": [{"name": "偽 担当者", "email": "thief@example.jp"}]},
    ),
    "offer a resource under it": (
        "POST",
        "/v1/organizations/{org}/resources",
        resource_body(title="偽の資源"),
    ),
    "offer a resource naming it": (
        "POST",
        "/v1/resources",
        resource_body(title="偽の資源", organization_id="{org}"),
    ),
    "update its resource": ("PATCH", "/v1/resources/{resource}", {"title": "乗っ取り"}),
    "delete its resource": ("DELETE", "/v1/resources/{resource}", None),
}


def send(api: Any, world: World, operation: str, caller: str) -> Any:
    return request_as(api, OPERATIONS[operation], world.keys[caller], world.fill)


@pytest.mark.parametrize("caller", ["another organisation", "a key bound to no organisation"])
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_another_organisation_cannot_touch_an_organisation_or_its_resources(
    api, world, operation, caller
):
    before = stored(api, world)
    response = send(api, world, operation, caller)
    assert_problem(response, 403)
    assert response.json()["type"] == FORBIDDEN
    for personal in PRIVATE:
        assert personal not in response.text
    assert stored(api, world) == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_a_key_without_registry_write_gets_insufficient_scope(api, world, operation):
    before = stored(api, world)
    response = send(api, world, operation, "the owner's key without registry:write")
    assert_problem(response, 403)
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="registry:write"' in challenge
    assert stored(api, world) == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_anonymous_writes_and_private_reads_get_401(api, world, operation):
    before = stored(api, world)
    response = send(api, world, operation, "anonymous")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored(api, world) == before


@pytest.mark.parametrize("caller", ["owner", "admin"])
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_the_owning_organisation_and_the_administrator_may(api, world, operation, caller):
    response = send(api, world, operation, caller)
    assert response.status_code in (200, 201, 204), response.text
    if operation == "read its contacts":
        assert response.json()["items"][0]["email"] == CONTACT["email"]


def test_a_key_of_two_organisations_acts_for_both(api, world, make_key):
    both = {**make_key(world.org, world.other), "If-Match": "*"}
    for org in (world.org, world.other):
        body = {"phone": "027-200-0000"}
        response = api.patch(f"/v1/organizations/{org}", json=body, headers=both)
        assert response.status_code == 200, response.text


def test_naming_an_organisation_it_does_not_act_for_is_403_whether_it_exists_or_not(api, world):
    before = stored(api, world)
    for org in (world.other, MISSING_ID):
        response = api.post(
            "/v1/resources",
            json=resource_body(organization_id=org),
            headers=world.keys["owner"],
        )
        assert_problem(response, 403)  # the answer does not say whether it exists
    assert stored(api, world) == before


def test_creating_organisations_needs_the_admin_scope(api, world):
    csv = "名称,種別,地方公共団体コード\n偽の団体,任意団体,102997\n".encode()
    attempts = [
        ("POST", "/v1/organizations", {"json": organization_body(name="偽の団体")}),
        ("POST", "/v1/organizations/import", {"content": csv}),
    ]
    before = stored(api, world)
    for method, path, kwargs in attempts:
        content_type = {} if "json" in kwargs else {"Content-Type": "text/csv"}
        owner = api.request(method, path, headers={**world.keys["owner"], **content_type}, **kwargs)
        assert_problem(owner, 403)
        challenge = owner.headers["WWW-Authenticate"]
        assert 'error="insufficient_scope"' in challenge and 'scope="admin"' in challenge
        anonymous = api.request(method, path, headers=content_type, **kwargs)
        assert_problem(anonymous, 401)
        assert stored(api, world) == before
    for method, path, kwargs in attempts:
        content_type = {} if "json" in kwargs else {"Content-Type": "text/csv"}
        admin = api.request(method, path, headers={**AUTH, **content_type}, **kwargs)
        assert admin.status_code in (200, 201), admin.text


def test_public_reads_stay_public_without_private_data(api, world):
    paths = [
        f"/v1/organizations/{world.org}",
        "/v1/organizations",
        f"/v1/organizations/{world.org}/resources",
        f"/v1/resources/{world.resource}",
        "/v1/resources",
        "/v1/registry/changes",
    ]
    for caller in ("anonymous", "another organisation", "a key bound to no organisation"):
        for path in paths:
            response = api.get(path, headers=world.keys[caller])
            assert response.status_code == 200, (caller, path, response.text)
            for personal in PRIVATE:
                assert personal not in response.text, (caller, path)


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "government"},
        {"municipality_code": "131016"},
        {"corporate_number": "1070005002034"},
        {"certification": {"status": "certified", "valid_from": "2025-04-01",
                           "valid_until": "2030-03-31"}},
    ],
)  # fmt: skip
def test_an_organisation_cannot_change_what_others_rely_on(api, world, change):
    """Its own key may not make it a government body, move it, or certify it."""
    path = f"/v1/organizations/{world.org}"
    before = api.get(path).json()
    owner = world.keys["owner"]
    refused = api.patch(path, json=change, headers={**owner, "If-Match": "*"})
    assert_problem(refused, 403)
    assert api.get(path).json() == before
    allowed = api.patch(path, json=change, headers={**AUTH, "If-Match": "*"})
    assert allowed.status_code == 200, allowed.text
