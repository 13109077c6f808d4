"""A stored answer is replayed only to the caller who earned it.

An ``Idempotency-Key`` replay returns the first answer without running the
request again, so it must never reach someone else: anonymous callers are all
alike (nothing is kept for them), and a person's own token is part of who is
asking. Answers to requests carrying credentials are never cacheable.
"""

from __future__ import annotations

from conftest import AUTH

PERSON = {"name": "佐藤 次郎", "name_kana": "サトウ ジロウ", "email": "jiro@example.jp"}


def test_a_persons_cancellation_is_not_replayed_to_others(api, make_shift):
    shift = make_shift()
    signup = api.post(f"/v1/shifts/{shift['id']}/signups", json=PERSON, headers=AUTH).json()
    path = f"/v1/signups/{signup['id']}/cancel"
    mine = {"X-Signup-Token": signup["manage_token"], "Idempotency-Key": "cancel-1"}
    first = api.post(path, headers=mine)
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    for stranger in (
        {"Idempotency-Key": "cancel-1"},
        {"Idempotency-Key": "cancel-1", "X-Signup-Token": "somebody-else"},
    ):
        answer = api.post(path, headers=stranger)
        assert answer.status_code in (401, 403), answer.status_code
        assert "jiro@example.jp" not in answer.text
        assert "idempotent-replayed" not in answer.headers
    replay = api.post(path, headers=mine)
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json() == first.json()


def test_a_persons_own_read_is_not_cacheable(api, make_shift):
    shift = make_shift()
    signup = api.post(f"/v1/shifts/{shift['id']}/signups", json=PERSON, headers=AUTH).json()
    read = api.get(
        f"/v1/signups/{signup['id']}", headers={"X-Signup-Token": signup["manage_token"]}
    )
    assert read.status_code == 200
    assert read.headers["cache-control"] == "no-store"
