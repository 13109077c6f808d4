"""Volunteering through the API: opportunities, shifts, sign-ups, waitlists, hours, points."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from conftest import AUTH, jst

from gateway.main import create_app


def _person(i: int) -> dict[str, str]:
    return {"name": f"ボランティア {i}", "name_kana": "ボランティア", "email": f"v{i}@example.jp"}


def _sign_up(api, shift, i):
    response = api.post(f"/v1/shifts/{shift['id']}/signups", json=_person(i), headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def _shift(api, shift):
    return api.get(f"/v1/shifts/{shift['id']}").json()


def test_sign_ups_fill_the_shift_then_join_the_waitlist_in_order(api, make_shift):
    shift = make_shift(capacity=2)
    answers = [_sign_up(api, shift, i) for i in range(4)]
    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [a["waitlist_position"] for a in answers] == [None, None, 1, 2]
    stored = _shift(api, shift)
    assert (stored["confirmed_count"], stored["waitlist_count"], stored["places_left"]) == (2, 2, 0)


def test_a_cancellation_promotes_the_first_on_the_waitlist(api, make_shift):
    shift = make_shift(capacity=1)
    first, second, third = (_sign_up(api, shift, i) for i in range(3))
    cancel = api.post(
        f"/v1/signups/{first['id']}/cancel", headers={"X-Signup-Token": first["manage_token"]}
    )
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert api.get(f"/v1/signups/{second['id']}", headers=AUTH).json()["status"] == "confirmed"
    third_now = api.get(f"/v1/signups/{third['id']}", headers=AUTH).json()
    assert (third_now["status"], third_now["waitlist_position"]) == ("waitlisted", 1)
    stored = _shift(api, shift)
    assert (stored["confirmed_count"], stored["waitlist_count"]) == (1, 1)


def test_cancelling_twice_changes_nothing_more(api, make_shift):
    shift = make_shift(capacity=1)
    person = _sign_up(api, shift, 1)
    headers = {"X-Signup-Token": person["manage_token"]}
    api.post(f"/v1/signups/{person['id']}/cancel", headers=headers)
    again = api.post(f"/v1/signups/{person['id']}/cancel", headers=headers)
    assert again.status_code == 200
    assert _shift(api, shift)["confirmed_count"] == 0


def test_the_same_person_cannot_sign_up_twice(api, make_shift):
    shift = make_shift(capacity=5)
    _sign_up(api, shift, 1)
    twice = api.post(
        f"/v1/shifts/{shift['id']}/signups",
        json={**_person(1), "email": "V1@Example.jp "},
        headers=AUTH,
    )
    assert twice.status_code == 409
    assert twice.json()["type"] == "urn:kyodo:problem:already-signed-up"
    assert _shift(api, shift)["confirmed_count"] == 1


def test_sign_ups_close_at_the_deadline(api, make_shift):
    past = make_shift(starts_at=jst(-1, 9), ends_at=jst(-1, 12))
    late = api.post(f"/v1/shifts/{past['id']}/signups", json=_person(1), headers=AUTH)
    assert late.status_code == 409
    assert late.json()["type"] == "urn:kyodo:problem:registration-closed"
    closed = make_shift(starts_at=jst(5, 9), ends_at=jst(5, 12), signup_deadline=jst(-1, 9))
    assert (
        api.post(f"/v1/shifts/{closed['id']}/signups", json=_person(2), headers=AUTH).status_code
        == 409
    )
    assert _shift(api, past)["confirmed_count"] == 0


def test_shifts_must_fall_inside_their_opportunity(api, make_opportunity):
    opportunity = make_opportunity(starts_at=jst(10, 0), ends_at=jst(12, 0))
    outside = api.post(
        f"/v1/opportunities/{opportunity['id']}/shifts",
        json={"starts_at": jst(20, 9), "ends_at": jst(20, 12), "capacity": 3},
        headers=AUTH,
    )
    assert outside.status_code == 422
    shifts = api.get(f"/v1/opportunities/{opportunity['id']}/shifts").json()["items"]
    assert shifts == []


def test_personal_data_is_for_the_organiser_and_the_person_only(api, make_shift):
    shift = make_shift()
    person = _sign_up(api, shift, 7)
    url = f"/v1/signups/{person['id']}"
    assert api.get(url).status_code == 403
    assert api.get(url, headers={"X-Signup-Token": "wrong"}).status_code == 403
    assert (
        api.get(url, headers={"X-Signup-Token": person["manage_token"]}).json()["email"]
        == "v7@example.jp"
    )
    assert api.get(f"/v1/shifts/{shift['id']}/signups").status_code == 401
    assert "v7@example.jp" not in api.get(f"/v1/shifts/{shift['id']}").text
    feed_rows = api.get(f"/v1/shifts/{shift['id']}/signups", headers=AUTH).json()["items"]
    assert [r["email"] for r in feed_rows] == ["v7@example.jp"]
    foreign = api.post(f"{url}/cancel", headers={"X-Signup-Token": "wrong"})
    assert foreign.status_code == 403
    assert api.get(url, headers=AUTH).json()["status"] == "confirmed"


def test_raising_capacity_promotes_and_lowering_below_confirmed_is_refused(api, make_shift):
    shift = make_shift(capacity=1)
    _sign_up(api, shift, 1)
    waiting = _sign_up(api, shift, 2)
    url = f"/v1/shifts/{shift['id']}"
    version = _shift(api, shift)["version"]
    raised = api.patch(url, json={"capacity": 2}, headers={**AUTH, "If-Match": f'"{version}"'})
    assert raised.status_code == 200
    assert api.get(f"/v1/signups/{waiting['id']}", headers=AUTH).json()["status"] == "confirmed"
    lowered = api.patch(url, json={"capacity": 1}, headers={**AUTH, "If-Match": "*"})
    assert lowered.status_code == 409
    assert _shift(api, shift)["capacity"] == 2


def test_hours_and_points_per_organisation_and_person(api, make_shift, organizer):
    api.put(
        "/v1/points-rules/102997", json={"points_per_hour": 2, "minimum_hours": 1}, headers=AUTH
    )
    shift = make_shift(capacity=3)
    a, b = _sign_up(api, shift, 1), _sign_up(api, shift, 2)
    # The shift took place: move it into the past, then record attendance.
    api.patch(
        f"/v1/shifts/{shift['id']}",
        json={"starts_at": jst(-2, 9), "ends_at": jst(-2, 13)},
        headers={**AUTH, "If-Match": "*"},
    )
    assert (
        api.post(
            f"/v1/signups/{a['id']}/attendance", json={"attended": True, "hours": 3.5}, headers=AUTH
        ).status_code
        == 200
    )
    assert (
        api.post(
            f"/v1/signups/{b['id']}/attendance", json={"attended": True, "hours": 0.5}, headers=AUTH
        ).status_code
        == 200
    )
    too_long = api.post(
        f"/v1/signups/{a['id']}/attendance", json={"attended": True, "hours": 6}, headers=AUTH
    )
    assert too_long.status_code == 422
    totals = api.get(f"/v1/volunteer-hours/organizations/{organizer['id']}").json()
    assert totals == {"hours": 4.0, "signups": 2, "volunteers": 2, "points": 7.0}
    person = api.get("/v1/volunteer-hours/people", params={"email": "v1@example.jp"}, headers=AUTH)
    assert person.json() == {"hours": 3.5, "signups": 1, "volunteers": 1, "points": 7.0}
    assert (
        api.get("/v1/volunteer-hours/people", params={"email": "v1@example.jp"}).status_code == 401
    )


def test_attendance_before_the_shift_starts_is_refused(api, make_shift):
    shift = make_shift()
    person = _sign_up(api, shift, 1)
    early = api.post(
        f"/v1/signups/{person['id']}/attendance", json={"attended": True, "hours": 2}, headers=AUTH
    )
    assert early.status_code == 409
    assert api.get(f"/v1/signups/{person['id']}", headers=AUTH).json()["hours"] is None


def test_opportunity_filters(api, make_opportunity, make_shift):
    weekend = make_opportunity(title="週末の清掃活動", commitment="one_off")
    make_shift(weekend, starts_at="2027-02-13T09:00:00+09:00", ends_at="2027-02-13T11:00:00+09:00")
    evening = make_opportunity(title="夜の学習支援", commitment="ongoing")
    make_shift(evening, starts_at="2027-02-10T18:00:00+09:00", ends_at="2027-02-10T20:00:00+09:00")

    def ids(**params):
        return [o["id"] for o in api.get("/v1/opportunities", params=params).json()["items"]]

    assert ids(weekend="true") == [weekend["id"]]
    assert ids(evening="true") == [evening["id"]]
    assert ids(commitment="ongoing") == [evening["id"]]
    assert ids(q="清掃") == [weekend["id"]]
    assert set(ids(has_open_shifts="true")) == {weekend["id"], evening["id"]}


def test_deleting_an_opportunity_cancels_its_sign_ups(api, make_opportunity, make_shift):
    opportunity = make_opportunity()
    shift = make_shift(opportunity)
    person = _sign_up(api, shift, 1)
    url = f"/v1/opportunities/{opportunity['id']}"
    assert api.delete(url, headers={**AUTH, "If-Match": '"1"'}).status_code == 204
    assert api.get(url).status_code == 410
    assert api.get(f"/v1/shifts/{shift['id']}").status_code == 410
    assert api.get(f"/v1/signups/{person['id']}", headers=AUTH).json()["status"] == "cancelled"


def test_fifty_concurrent_sign_ups_never_overfill_a_shift(api, services, make_shift, backend):
    capacity = 7
    shift = make_shift(capacity=capacity)

    async def storm():
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kyodo.test") as client:
            return await asyncio.gather(
                *(
                    client.post(f"/v1/shifts/{shift['id']}/signups", json=_person(i), headers=AUTH)
                    for i in range(60)
                )
            )

    answers = asyncio.run(storm())
    assert all(r.status_code == 201 for r in answers), {r.status_code for r in answers}
    statuses = [r.json()["status"] for r in answers]
    assert statuses.count("confirmed") == capacity
    assert statuses.count("waitlisted") == 60 - capacity
    stored = _shift(api, shift)
    assert (stored["confirmed_count"], stored["waitlist_count"]) == (capacity, 60 - capacity)
    listed = api.get(f"/v1/shifts/{shift['id']}/signups", params={"limit": 200}, headers=AUTH)
    confirmed = [s for s in listed.json()["items"] if s["status"] == "confirmed"]
    assert len(confirmed) == capacity
    positions = sorted(
        s["waitlist_position"] for s in listed.json()["items"] if s["status"] == "waitlisted"
    )
    assert positions == list(range(1, 60 - capacity + 1))


@pytest.mark.parametrize("hours", [0.3, 25, -1])
def test_hours_must_be_quarter_hours_within_a_day(api, make_shift, hours):
    shift = make_shift()
    person = _sign_up(api, shift, 1)
    response = api.post(
        f"/v1/signups/{person['id']}/attendance",
        json={"attended": True, "hours": hours},
        headers=AUTH,
    )
    assert response.status_code == 422


def test_a_kana_reading_longer_than_the_sign_up_keeps_is_refused(api, make_shift):
    shift = make_shift()
    body = {**_person(1), "name_kana": "ア" * 150}
    response = api.post(f"/v1/shifts/{shift['id']}/signups", json=body, headers=AUTH)
    assert response.status_code == 422
    assert _shift(api, shift)["confirmed_count"] == 0


def test_hours_stay_with_attendance_and_nobody_is_promoted_into_a_begun_shift(api, make_shift):
    shift = make_shift(capacity=1)
    first, second = _sign_up(api, shift, 1), _sign_up(api, shift, 2)
    api.patch(
        f"/v1/shifts/{shift['id']}",
        json={"starts_at": jst(-1, 9), "ends_at": jst(-1, 12)},
        headers={**AUTH, "If-Match": "*"},
    )
    recorded = api.post(
        f"/v1/signups/{first['id']}/attendance", json={"attended": True, "hours": 3}, headers=AUTH
    )
    assert recorded.status_code == 200
    assert api.post(f"/v1/signups/{first['id']}/cancel", headers=AUTH).status_code == 409
    assert api.get(f"/v1/signups/{second['id']}", headers=AUTH).json()["status"] == "waitlisted"


def test_a_sign_up_receipt_is_not_kept_for_replay(api, make_shift, registry_engine, services):
    import sqlalchemy as sa

    shift = make_shift()
    headers = {**AUTH, "Idempotency-Key": "signup-once"}
    first = api.post(f"/v1/shifts/{shift['id']}/signups", json=_person(1), headers=headers)
    assert first.status_code == 201
    assert first.headers["cache-control"] == "no-store"
    with services["events"].state.engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT count(*) FROM idempotency_key")).scalar()
    assert kept == 0
    retry = api.post(f"/v1/shifts/{shift['id']}/signups", json=_person(1), headers=headers)
    assert retry.status_code == 409  # the same person again, checked afresh


def test_a_deleted_organisation_takes_no_more_sign_ups_or_shifts(
    api, make_org, make_opportunity, make_shift
):
    org = make_org(name="まもなく解散する会", kind="volunteer_group")
    opportunity = make_opportunity(organization_id=org["id"])
    shift = make_shift(opportunity)
    api.delete(f"/v1/organizations/{org['id']}", headers={**AUTH, "If-Match": '"1"'})
    # The next write naming the organisation catches up with the registry's feed.
    api.post(
        "/v1/opportunities",
        json={"organization_id": org["id"], "title": "x", "municipality_code": "102997"},
        headers=AUTH,
    )
    late = api.post(f"/v1/shifts/{shift['id']}/signups", json=_person(1), headers=AUTH)
    assert late.status_code == 409
    more = api.post(
        f"/v1/opportunities/{opportunity['id']}/shifts",
        json={"starts_at": jst(9, 9), "ends_at": jst(9, 12), "capacity": 2},
        headers=AUTH,
    )
    assert more.status_code == 422
