"""API clients and keys: made by administrators, shown once, stored hashed, rotated, revoked."""

from __future__ import annotations

import sqlalchemy as sa
from conftest import AUTH

CLIENTS = "/v1/admin/clients"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def create(api, **overrides):
    body = {"name": "市民活動アプリ", "organization_ids": [], "scopes": ["events:write"]}
    body.update(overrides)
    response = api.post(CLIENTS, json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_client_is_created_with_a_key_shown_once(api, make_org):
    org = make_org()
    created = create(
        api, organization_ids=[org["id"]], scopes=["registry:write"], rate_limit_per_minute=90
    )
    assert created["key"].startswith(created["key_prefix"] + "_")
    assert created["organization_ids"] == [org["id"]]
    assert created["rate_limit_per_minute"] == 90
    assert created["keys"][0]["prefix"] == created["key_prefix"]
    read = api.get(f"{CLIENTS}/{created['id']}", headers=AUTH)
    assert read.status_code == 200
    assert created["key"] not in read.text  # never again
    assert "key" not in read.json()
    me = api.get("/v1/me", headers=bearer(created["key"])).json()
    assert me["client_id"] == created["id"]
    assert me["organization_ids"] == [org["id"]]
    assert me["scopes"] == ["registry:write"]
    assert me["rate_limit_per_minute"] == 90
    assert me["key_prefix"] == created["key_prefix"]


def test_keys_are_stored_only_as_digests(api):
    created = create(api)
    engine = api.app.state.engine
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT prefix, digest FROM api_key")).all()
        dump = " ".join(str(v) for row in rows for v in row)
    assert created["key"] not in dump
    assert created["key"].split("_")[-1] not in dump


def test_a_client_acts_only_within_its_scopes(api, make_org):
    org = make_org()
    reader = create(api, organization_ids=[org["id"]], scopes=["public:read"])
    patch = api.patch(
        f"/v1/organizations/{org['id']}",
        json={"description": "書き換え"},
        headers={**bearer(reader["key"]), "If-Match": "*"},
    )
    assert patch.status_code == 403
    assert patch.headers["content-type"].startswith("application/problem+json")
    assert "insufficient_scope" in patch.headers["www-authenticate"]
    assert api.get(f"/v1/organizations/{org['id']}").json()["description"] == org["description"]


def test_unknown_organisations_are_refused(api):
    response = api.post(
        CLIENTS,
        json={
            "name": "x",
            "organization_ids": ["0193a5c2-7d1e-7c3a-9f00-4b1d2e3f4a5b"],
            "scopes": ["registry:write"],
        },
        headers=AUTH,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unknown_organization"
    assert api.get(CLIENTS, headers=AUTH).json()["items"] == []


def test_bad_client_bodies_are_refused_and_nothing_is_stored(api):
    bad = [
        {"name": "x", "scopes": ["superuser"]},
        {"name": "x", "scopes": []},
        {"name": "", "scopes": ["admin"]},
        {"name": "x", "scopes": ["admin"], "rate_limit_per_minute": 0},
        {"name": "x", "scopes": ["admin"], "rate_limit_per_minute": 10**9},
        {"name": "x", "scopes": ["admin"], "organization_ids": ["not-an-id"]},
        {"name": "x", "scopes": ["admin"], "id": "0193a5c2-7d1e-7c3a-9f00-4b1d2e3f4a5b"},
        {"name": "x", "scopes": ["admin"], "key": "kyodo_chosen_by_me"},
        {"name": "x\u0000y", "scopes": ["admin"]},
    ]
    for body in bad:
        response = api.post(CLIENTS, json=body, headers=AUTH)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
    assert api.get(CLIENTS, headers=AUTH).json()["items"] == []


def test_only_administrators_manage_clients(api, make_org):
    org = make_org()
    writer = create(api, organization_ids=[org["id"]], scopes=["registry:write"])
    assert api.get(CLIENTS).status_code == 401
    for method, path in [
        ("get", CLIENTS),
        ("post", CLIENTS),
        ("get", f"{CLIENTS}/{writer['id']}"),
        ("post", f"{CLIENTS}/{writer['id']}/keys"),
        ("delete", f"{CLIENTS}/{writer['id']}"),
    ]:
        response = api.request(
            method,
            path,
            json={"name": "x", "scopes": ["admin"]} if method == "post" else None,
            headers={**bearer(writer["key"]), "If-Match": "*"},
        )
        assert response.status_code == 403, (method, path)
    assert len(api.get(CLIENTS, headers=AUTH).json()["items"]) == 1


def test_broken_authentication_is_refused(api):
    created = create(api)
    cases = [
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer kyodo_aaaaaaaa_" + "A" * 43},
        {"Authorization": "Bearer " + created["key"][:-1] + "x"},
        {"Authorization": "Bearer " + created["key_prefix"]},
        {"Authorization": "Bearer " + "k" * 5000},
    ]
    for headers in cases:
        response = api.get("/v1/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        # Also on public reads: a key that is sent must be valid.
        assert api.get("/v1/organizations", headers=headers).status_code == 401


def test_rotation_keeps_the_old_key_for_the_grace_period_only(api):
    created = create(api)
    old = bearer(created["key"])
    rotated = api.post(
        f"{CLIENTS}/{created['id']}/keys", json={"grace_period_seconds": 3600}, headers=AUTH
    )
    assert rotated.status_code == 201
    assert rotated.headers["cache-control"] == "no-store"
    new = bearer(rotated.json()["key"])
    assert api.get("/v1/me", headers=old).status_code == 200  # within its grace period
    assert api.get("/v1/me", headers=new).json()["client_id"] == created["id"]
    keys = api.get(f"{CLIENTS}/{created['id']}/keys", headers=AUTH).json()
    assert [k["active"] for k in keys] == [True, True]
    assert keys[1]["expires_at"] is not None
    # Rotating again at once ends every other key now.
    again = api.post(f"{CLIENTS}/{created['id']}/keys", json={}, headers=AUTH).json()
    assert api.get("/v1/me", headers=old).status_code == 401
    assert api.get("/v1/me", headers=new).status_code == 401
    assert api.get("/v1/me", headers=bearer(again["key"])).status_code == 200


def test_a_revoked_key_or_client_stops_at_once(api):
    created = create(api)
    key = bearer(created["key"])
    second = api.post(
        f"{CLIENTS}/{created['id']}/keys", json={"grace_period_seconds": 60}, headers=AUTH
    ).json()
    assert api.get("/v1/me", headers=key).status_code == 200  # cached as valid
    revoked = api.delete(f"{CLIENTS}/{created['id']}/keys/{created['keys'][0]['id']}", headers=AUTH)
    assert revoked.status_code == 204
    assert api.get("/v1/me", headers=key).status_code == 401
    assert api.get("/v1/me", headers=bearer(second["key"])).status_code == 200
    etag = api.get(f"{CLIENTS}/{created['id']}", headers=AUTH).headers["etag"]
    gone = api.delete(f"{CLIENTS}/{created['id']}", headers={**AUTH, "If-Match": etag})
    assert gone.status_code == 204
    assert api.get("/v1/me", headers=bearer(second["key"])).status_code == 401
    assert api.get(CLIENTS, headers=AUTH).json()["items"] == []
    listed = api.get(CLIENTS, params={"include_revoked": "true"}, headers=AUTH).json()["items"]
    assert listed[0]["revoked_at"] is not None
    assert api.post(f"{CLIENTS}/{created['id']}/keys", json={}, headers=AUTH).status_code == 409


def test_changing_a_client_needs_if_match_and_takes_effect(api, make_org):
    org = make_org()
    created = create(api, organization_ids=[org["id"]], scopes=["registry:write"])
    path = f"{CLIENTS}/{created['id']}"
    assert api.patch(path, json={"scopes": ["events:write"]}, headers=AUTH).status_code == 428
    stale = api.patch(path, json={"scopes": ["events:write"]}, headers={**AUTH, "If-Match": '"9"'})
    assert stale.status_code == 412
    for body in ({"id": "x"}, {"version": 3}, {"scopes": ["root"]}, {"created_at": "2020"}):
        assert api.patch(path, json=body, headers={**AUTH, "If-Match": "*"}).status_code == 422
    etag = api.get(path, headers=AUTH).headers["etag"]
    changed = api.patch(path, json={"scopes": ["events:write"]}, headers={**AUTH, "If-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    me = api.get("/v1/me", headers=bearer(created["key"])).json()
    assert me["scopes"] == ["events:write"]


def test_clients_are_listed_in_pages_and_filtered_by_organisation(api, make_org):
    org = make_org()
    for i in range(3):
        create(api, name=f"client {i}", organization_ids=[org["id"]] if i else [])
    first = api.get(CLIENTS, params={"limit": 2}, headers=AUTH)
    assert len(first.json()["items"]) == 2
    assert 'rel="next"' in first.headers["link"]
    rest = api.get(
        CLIENTS, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=AUTH
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    bound = api.get(CLIENTS, params={"organization_id": org["id"]}, headers=AUTH).json()
    assert sorted(c["name"] for c in bound["items"]) == ["client 1", "client 2"]


def test_anonymous_callers_see_who_they_are(api):
    me = api.get("/v1/me").json()
    assert me["client_id"] == "anonymous"
    assert me["scopes"] == ["public:read"]


def test_a_change_during_a_key_lookup_is_never_cached_stale(api):
    """A revocation that commits while another request is looking the key up: the
    lookup is asked again, and the valid answer from before is not cached."""
    created = create(api)
    store = api.app.state.key_store
    store.cache_seconds = 300
    lookups = []
    original = store._lookup

    def lookup_racing_a_revocation(key):
        answer = original(key)
        lookups.append(answer[0] is not None)
        if len(lookups) == 1:  # the revocation commits while this lookup is under way
            response = api.delete(
                f"{CLIENTS}/{created['id']}/keys/{created['keys'][0]['id']}", headers=AUTH
            )
            assert response.status_code == 204
        return answer

    store._lookup = lookup_racing_a_revocation
    assert api.get("/v1/me", headers=bearer(created["key"])).status_code == 401
    assert lookups == [True, False]
    assert api.get("/v1/me", headers=bearer(created["key"])).status_code == 401
