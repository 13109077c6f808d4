"""What the match, case-study and statistics tests share: parties, keys, moves. No tests here.

:func:`bind_keys` creates real API clients through the gateway's admin API, one
per test name (``"issue-side-key"``), bound to organisations; :func:`bearer`
turns a name into the real key's header (an unknown name is sent as it is, and
refused like any unknown key).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from conftest import AUTH
from test_issues_api import issue_body

from services.common.auth import Client

__all__ = [
    "AGREEMENT",
    "REVIEW",
    "Parties",
    "bearer",
    "bind_keys",
    "client_id",
    "etag",
    "make_parties",
    "move",
    "org_client",
    "outbox_events",
    "post_issue",
    "propose",
    "reach",
    "review",
]

AGREEMENT: dict[str, Any] = {
    "purpose": "地域のこどもが毎週安心して食事できる場をつくる。",
    "collaboration_form": "partnership",
    "roles": {"issue": "こども食堂の運営と受付。", "partner": "調理室の提供と衛生管理の助言。"},
    "cost_sharing": "光熱費は公民館、食材費はこども食堂が負担する。",
    "schedule": {"starts_on": "2027-04-01", "ends_on": "2028-03-31", "note": "毎週土曜"},
    "content": "毎週土曜に調理室でこども食堂を開く。",
    "responsibility": "調理中の事故はこども食堂が、施設の不具合は公民館が責任を負う。",
    "results_ownership": "報告書は両者で共有する。",
    "personal_data": "参加者名簿はこども食堂のみが保管し、1年で廃棄する。",
}
REVIEW: dict[str, Any] = {
    "purpose_shared": 5,
    "equal_partners": 4,
    "communication": 4,
    "roles_clear": 5,
    "fair_and_transparent": 4,
    "better_than_alone": 5,
    "goals_achieved": 3,
    "lessons": "役割を最初に文書にしたのがよかった。",
}
# The happy path, and what each step needs besides `to`.
PATH = ("proposed", "in_discussion", "agreed", "in_progress", "completed", "reviewed")
PAYLOAD: dict[str, dict[str, Any]] = {
    "agreed": {"agreement": AGREEMENT},
    "declined": {"reason": "今年度は調理室を改修します。"},
    "withdrawn": {"reason": "別の会場が見つかりました。"},
}


_REAL_KEYS: dict[str, str] = {}
_CLIENT_IDS: dict[str, str] = {}


def client_id(name: str) -> str:
    """The id the platform gave the client created for ``org_client(name, ...)``."""
    return _CLIENT_IDS[name]


class _KeyHeader(Mapping[str, str]):
    """``Authorization`` with the key created for a test name, looked up when the
    request is sent (modules name their keys at import, before any client exists)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getitem__(self, header: str) -> str:
        if header != "Authorization":
            raise KeyError(header)
        return f"Bearer {_REAL_KEYS.get(self.name, self.name)}"

    def __iter__(self) -> Iterator[str]:
        return iter(("Authorization",))

    def __len__(self) -> int:
        return 1


def bearer(name: str) -> Mapping[str, str]:
    return _KeyHeader(name)


def bind_keys(api: Any, keys: dict[str, Client]) -> Callable[[], None]:
    """Create an API client for each of ``keys`` (test name -> who it is); return the
    function that forgets the names."""
    for name, client in keys.items():
        body = {
            "name": client.id,
            "organization_ids": sorted(client.organization_ids),
            "scopes": sorted(client.scopes),
        }
        response = api.post("/v1/admin/clients", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        _REAL_KEYS[name] = response.json()["key"]
        _CLIENT_IDS[client.id] = response.json()["id"]

    def forget() -> None:
        for name in keys:
            _REAL_KEYS.pop(name, None)

    return forget


def org_client(name: str, *organization_ids: str) -> Client:
    return Client(
        id=name, scopes=frozenset({"matching:write"}), organization_ids=frozenset(organization_ids)
    )


@dataclass
class Parties:
    """An issue of a こども食堂 network, and a neighbourhood association offering a kitchen."""

    issue_org: dict[str, Any]
    partner_org: dict[str, Any]
    resource: dict[str, Any]
    issue: dict[str, Any]


def post_issue(api: Any, organization_id: str, **overrides: Any) -> dict[str, Any]:
    response = api.post("/v1/issues", json=issue_body(organization_id, **overrides), headers=AUTH)
    assert response.status_code == 201, response.text
    return dict(response.json())


def make_parties(api: Any, make_org: Any, make_resource: Any, **issue: Any) -> Parties:
    issue_org = make_org(name="桜ヶ丘こども食堂ネットワーク", kind="volunteer_group")
    partner_org = make_org(name="本町自治会", kind="neighbourhood_association")
    resource = make_resource(
        partner_org["id"],
        type="venue",
        title="公民館の調理室",
        description="こども食堂や料理教室に使える調理室です。",
    )
    overrides = {"needed_resource_types": ["venue", "goods"], **issue}
    return Parties(issue_org, partner_org, resource, post_issue(api, issue_org["id"], **overrides))


def propose(
    api: Any, parties: Parties, headers: dict[str, str] | None = None, **body: Any
) -> dict[str, Any]:
    """Propose the kitchen for the issue (or what ``body`` says) and return the match."""
    sent = {"issue_id": parties.issue["id"], "resource_id": parties.resource["id"], **body}
    sent = {key: value for key, value in sent.items() if value is not None}
    response = api.post("/v1/matches", json=sent, headers=headers or AUTH)
    assert response.status_code == 201, response.text
    return dict(response.json())


def etag(api: Any, match_id: str, headers: dict[str, str] | None = None) -> str:
    response = api.get(f"/v1/matches/{match_id}", headers=headers or AUTH)
    assert response.status_code == 200, response.text
    return str(response.headers["ETag"])


def move(
    api: Any, match_id: str, to: str, headers: dict[str, str] | None = None, **payload: Any
) -> Any:
    """Send a transition with the current ETag; return the response."""
    headers = headers or AUTH
    body = {"to": to, **payload}
    return api.post(
        f"/v1/matches/{match_id}/transitions",
        json=body,
        headers={**headers, "If-Match": etag(api, match_id, headers)},
    )


def review(
    api: Any, match_id: str, side: str, headers: dict[str, str] | None = None, **changes: Any
) -> Any:
    headers = headers or AUTH
    return api.put(
        f"/v1/matches/{match_id}/reviews/{side}",
        json={**REVIEW, **changes},
        headers={**headers, "If-Match": etag(api, match_id, headers)},
    )


def reach(api: Any, match_id: str, status: str) -> dict[str, Any]:
    """Walk a proposed match to ``status`` (answering both reviews on the way to `reviewed`)."""
    if status in ("declined", "withdrawn"):
        steps: tuple[str, ...] = (status,)
    else:
        steps = PATH[1 : PATH.index(status) + 1]
    current: dict[str, Any] = {}
    for step in steps:
        if step == "reviewed":
            for side in ("issue", "partner"):
                answered = review(api, match_id, side)
                assert answered.status_code == 200, answered.text
        response = move(api, match_id, step, **PAYLOAD.get(step, {}))
        assert response.status_code == 200, response.text
        current = dict(response.json())
    if not current:
        current = dict(api.get(f"/v1/matches/{match_id}", headers=AUTH).json())
    return current


def outbox_events(services: Any, entity: str) -> list[dict[str, Any]]:
    """The events the matching service recorded for ``entity``, oldest first."""
    with services["matching"].state.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type, payload FROM outbox WHERE entity = :entity ORDER BY seq"),
            {"entity": entity},
        )
        return [{"type": kind, "data": _decoded(payload)} for kind, payload in rows]


def _decoded(payload: Any) -> Any:
    """A JSON column as Python: PostgreSQL hands back objects, SQLite text (None: a tombstone)."""
    return json.loads(payload) if isinstance(payload, str) else payload
