"""The demo season (kyodo.demo.season): valid bodies, and an idempotent load into the platform."""

from __future__ import annotations

import json
import uuid
import warnings
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")
from fastapi.testclient import TestClient  # noqa: E402

from gateway.main import create_app, embedded_services  # noqa: E402
from kyodo.demo import demo_organizations, load_demo  # noqa: E402
from kyodo.demo.issues import demo_issues  # noqa: E402
from kyodo.demo.season import (  # noqa: E402
    SEASON_END,
    SEASON_START,
    DemoSeason,
    demo_season,
    occurrence_starts,
)
from migrations.runner import SERVICES, upgrade  # noqa: E402
from services.common.settings import KyodoSettings  # noqa: E402
from services.events.recurrence import expand, validate_rrule  # noqa: E402
from services.events.schemas import EVENT_KINDS, EventCreate  # noqa: E402
from services.events.volunteering_schemas import (  # noqa: E402
    OpportunityCreate,
    ShiftCreate,
    SignupCreate,
)

TODAY = datetime(2026, 11, 25, tzinfo=UTC)
ADMIN_KEY = "kyodo-season-admin-key"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
ORG_COUNT = 40


@pytest.fixture(scope="module")
def season() -> DemoSeason:
    return demo_season(demo_organizations(ORG_COUNT))


def fake_ids(season: DemoSeason) -> dict[str, str]:
    names = {name for event in season.events for name in event.organizers}
    names |= {opportunity.organization for opportunity in season.opportunities}
    return {name: str(uuid.uuid5(uuid.NAMESPACE_URL, name)) for name in names}


def test_every_body_is_valid_for_the_events_service(season: DemoSeason) -> None:
    ids = fake_ids(season)
    event_ids = {event.key: str(uuid.uuid4()) for event in season.events}
    for event in season.events:
        model = EventCreate.model_validate(event.payload(ids))
        assert model.municipality_code == "102997"
        if model.recurrence is not None:
            validate_rrule(model.recurrence.rrule, model.starts_at)
    for opportunity in season.opportunities:
        event_id = event_ids[opportunity.event_key] if opportunity.event_key else None
        model = OpportunityCreate.model_validate(
            opportunity.payload(ids[opportunity.organization], event_id)
        )
        assert 1 <= len(opportunity.shifts) <= 6, model.title
        for shift in opportunity.shifts:
            slot = ShiftCreate.model_validate(shift.body)
            assert 1 <= slot.capacity <= 40
            if model.starts_at:
                assert model.starts_at <= slot.starts_at
            if model.ends_at:
                assert slot.ends_at <= model.ends_at
            for signup in shift.signups:
                person = SignupCreate.model_validate(signup)
                assert person.email.endswith("@example.jp") and person.name_kana


def test_a_realistic_season(season: DemoSeason) -> None:
    events = [event.body for event in season.events]
    assert 50 <= len(events) <= 70 and 25 <= len(season.opportunities) <= 35
    assert set(Counter(e["kind"] for e in events)) == set(EVENT_KINDS)
    assert len({(e["title"], e["starts_at"]) for e in events}) == len(events)
    assert sum(len(event.organizers) > 1 for event in season.events) >= 10  # 共催
    recurring = [e for e in events if e.get("recurrence")]
    assert len(recurring) >= 4
    assert sum(bool(e["recurrence"]["cancelled_occurrences"]) for e in recurring) >= 2
    rules = " ".join(e["recurrence"]["rrule"] for e in recurring)
    for part in ("BYDAY=SA", "BYDAY=2WE", "INTERVAL=2", "COUNT=", "UNTIL="):
        assert part in rules, part
    statuses = Counter(e["status"] for e in events)
    assert statuses["cancelled"] >= 1 and statuses["postponed"] >= 1
    assert any(e.get("online_url") and not e.get("venue") for e in events)  # online only
    assert any(e.get("online_url") and e.get("venue") for e in events)  # hybrid
    assert any(e.get("fee_jpy") for e in events) and any(e.get("fee_jpy") == 0 for e in events)
    assert any(e.get("all_day") for e in events)
    starts = [datetime.fromisoformat(e["starts_at"]) for e in events]
    assert any(s.weekday() >= 5 for s in starts) and any(s.hour >= 17 for s in starts)
    assert all(SEASON_START <= s.date() <= SEASON_END for s in starts)
    for event in events:
        assert event["starts_at"].endswith("+09:00") and event["ends_at"].endswith("+09:00")
        venue = event.get("venue")
        assert venue is None or venue["address"].startswith("群馬県桜ヶ丘市")
        assert any("\u3040" <= ch <= "\u30ff" for ch in event["title"] + event["description"])
    commitments = Counter(o.body["commitment"] for o in season.opportunities)
    assert commitments["one_off"] >= 5 and commitments["ongoing"] >= 5
    assert any(o.body["minimum_age"] for o in season.opportunities)
    assert any(o.body["what_to_bring"] for o in season.opportunities)
    assert any(o.body["skills_wanted"] for o in season.opportunities)
    signups = [s for o in season.opportunities for sh in o.shifts for s in sh.signups]
    assert 5 <= len(signups) <= 20
    assert season.points_rules == {"102997": {"points_per_hour": 1.0, "minimum_hours": 1.0}}


def test_cancelled_occurrences_are_occurrences_of_the_series(season: DemoSeason) -> None:
    for event in season.events:
        recurrence = event.body.get("recurrence")
        if not recurrence:
            continue
        model = EventCreate.model_validate(event.payload(fake_ids(season)))
        assert model.recurrence is not None
        starts = occurrence_starts(event.body)
        assert starts[0] == model.starts_at
        rule = validate_rrule(recurrence["rrule"], model.starts_at)  # as the service stores it
        for value in recurrence["cancelled_occurrences"]:
            moment = datetime.fromisoformat(value)
            assert moment in starts, (event.body["title"], value)
            assert (moment.month, moment.day) in {(12, 29), (12, 31), (1, 2), (1, 3), (1, 4)}
            found = expand(
                starts_at=model.starts_at,
                ends_at=model.ends_at,
                rrule=rule,
                cancelled=[moment],
                tz="Asia/Tokyo",
                window_start=moment,
                window_end=moment.replace(hour=23),
            )
            assert [o.cancelled for o in found] == [True]


def test_sign_ups_are_open_when_the_season_loads(season: DemoSeason) -> None:
    for opportunity in season.opportunities:
        for shift in opportunity.shifts:
            body = ShiftCreate.model_validate(shift.body)
            assert body.starts_at > TODAY
            if body.signup_deadline is not None:
                assert TODAY < body.signup_deadline < body.starts_at
    for event in season.events:
        deadline = event.body.get("registration_deadline")
        if deadline:
            assert (
                TODAY
                < datetime.fromisoformat(deadline)
                < datetime.fromisoformat(event.body["starts_at"])
            )


def test_deterministic_for_a_seed() -> None:
    orgs = demo_organizations(60)

    def dump(season: DemoSeason) -> str:
        return json.dumps(
            [(e.organizers, e.body) for e in season.events]
            + [
                (o.organization, o.body, [(s.body, s.signups) for s in o.shifts])
                for o in season.opportunities
            ],
            ensure_ascii=False,
        )

    assert dump(demo_season(orgs, seed=5)) == dump(demo_season(orgs, seed=5))
    assert dump(demo_season(orgs, seed=5)) != dump(demo_season(orgs, seed=6))


def test_organisers_come_from_the_given_organisations() -> None:
    for count in (1, 12, 300):
        orgs = demo_organizations(count)
        names = {o.name for o in orgs}
        season = demo_season(orgs)
        for event in season.events:
            assert set(event.organizers) <= names
            assert len(set(event.organizers)) == len(event.organizers)
        assert {o.organization for o in season.opportunities} <= names
    full = demo_season(demo_organizations(300))
    kodomo = next(e for e in full.events if e.key == "kodomo")
    assert "食堂" in kodomo.organizers[0]


# --- end to end: the embedded platform on SQLite ---


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir = Path(tmp_path_factory.mktemp("kyodo-season"))
    urls = {service: f"sqlite:///{data_dir / service}.db" for service in SERVICES}
    settings = KyodoSettings(data_dir=data_dir, admin_key=ADMIN_KEY, log_level="WARNING")
    apps = embedded_services(settings, urls)
    for name, app in apps.items():
        upgrade(app.state.engine, name)
    with TestClient(create_app(apps), base_url="http://kyodo.test") as client:
        yield client
    for app in apps.values():
        app.state.engine.dispose()


def test_load_twice_into_the_platform(platform: TestClient, season: DemoSeason) -> None:
    calls: list[tuple[int, int]] = []
    phases: list[str] = []
    first = load_demo(
        platform,
        admin_key=ADMIN_KEY,
        count=ORG_COUNT,
        progress=lambda done, total: calls.append((done, total)),
        phase=phases.append,
    )
    shifts = sum(len(o.shifts) for o in season.opportunities)
    signups = sum(len(s.signups) for o in season.opportunities for s in o.shifts)
    assert first.organizations_created == ORG_COUNT
    assert first.events_created == len(season.events) and first.events_skipped == 0
    assert first.opportunities_created == len(season.opportunities)
    assert (first.shifts_created, first.signups_created) == (shifts, signups)
    assert first.signups_cancelled == 1 and first.points_rules_set == 1
    issues = demo_issues(demo_organizations(ORG_COUNT))
    total = ORG_COUNT + season.steps + len(issues)
    assert calls == [(done, total) for done in range(1, total + 1)]
    assert len(phases) == 3 and "season" in phases[1] and "issues" in phases[2]
    assert first.issues_created == len(issues)
    open_issues = platform.get("/v1/issues?limit=200").json()["items"]
    assert len(open_issues) == sum(1 for _, i in issues if i.body.get("status") != "draft")
    assert platform.get(f"/v1/issues/{open_issues[0]['id']}/candidates").json()["items"]

    second = load_demo(platform, admin_key=ADMIN_KEY, count=ORG_COUNT)
    assert second.created == 0 and second.season_created == 0
    assert second.events_skipped == len(season.events)
    assert second.opportunities_skipped == len(season.opportunities)
    assert second.shifts_skipped == shifts
    assert second.issues_skipped == len(issues)

    # The stored state: every event (drafts too), occurrences with the 年末年始 break.
    statuses = "&".join(f"status={s}" for s in ("draft", "published", "cancelled", "postponed"))
    auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
    listed = platform.get(f"/v1/events?limit=200&{statuses}", headers=auth).json()["items"]
    assert len(listed) == len(season.events)
    assert any(len(e["organizers"]) > 1 and all(o["name"] for o in e["organizers"]) for e in listed)
    january = platform.get(
        "/v1/events/occurrences",
        params={"date_from": "2027-01-02T00:00:00+09:00", "date_to": "2027-01-03T00:00:00+09:00"},
    ).json()["items"]
    kodomo = [o for o in january if o["title"] == "こども食堂「さくらキッチン」"]
    assert len(kodomo) == 1 and kodomo[0]["cancelled"] is True
    ics = platform.get("/v1/events.ics", params={"municipality_code": "102997"})
    assert ics.status_code == 200
    assert ics.content.count(b"BEGIN:VEVENT") == len(season.events) - 1  # not the draft
    assert b"EXDATE;TZID=Asia/Tokyo:20270102T113000" in ics.content
    # The shift with two places: three sign-ups, the first cancelled, the waitlisted promoted.
    opportunities = platform.get("/v1/opportunities?limit=200").json()["items"]
    assert len(opportunities) == len(season.opportunities)
    kyumei = next(o for o in opportunities if o["title"] == "普通救命講習会の受付補助")
    assert kyumei["event_id"] is not None
    shift = platform.get(f"/v1/opportunities/{kyumei['id']}/shifts").json()["items"][0]
    assert (shift["capacity"], shift["confirmed_count"], shift["waitlist_count"]) == (2, 2, 0)
    people = platform.get(f"/v1/shifts/{shift['id']}/signups", headers=AUTH).json()["items"]
    assert sorted(p["status"] for p in people) == ["cancelled", "confirmed", "confirmed"]
    rule = platform.get("/v1/points-rules/102997").json()
    assert rule["points_per_hour"] == 1.0


def test_load_without_the_season_leaves_it_alone(platform: TestClient) -> None:
    report = load_demo(platform, admin_key=ADMIN_KEY, count=ORG_COUNT, season=False)
    assert report.created == 0 and report.events_skipped == 0
