"""The demo city data set (kyodo.demo.city), and the loader against an in-memory fake API."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from kyodo.demo import DemoLoadError, demo_organizations, demo_season, load_demo
from kyodo.demo.issues import demo_issues

KINDS = {
    "npo_corporation", "general_incorporated", "public_interest_corporation", "volunteer_group",
    "neighbourhood_association", "intermediary", "social_welfare_council", "company",
    "university", "school", "government",
}  # fmt: skip
CORPORATIONS = {
    "npo_corporation", "general_incorporated", "public_interest_corporation", "company",
    "social_welfare_council",
}  # fmt: skip
FIELDS = {
    "health_welfare", "social_education", "community_development", "tourism",
    "rural_development", "culture_arts_sports", "environment", "disaster_relief",
    "community_safety", "human_rights_peace", "international_cooperation", "gender_equality",
    "child_development", "information_society", "science_technology", "economic_revitalization",
    "employment_support", "consumer_protection", "civil_society_support", "ordinance_designated",
}  # fmt: skip
# Which resource types fit which kind (GLOSSARY.md, シーズの種類; event co-hosting is for all).
FITTING_TYPES = {
    "company": {"volunteers", "pro_bono", "funding", "goods", "venue", "publicity"},
    "university": {"knowledge", "volunteers", "venue"},
    "school": {"volunteers", "venue", "knowledge"},
    "neighbourhood_association": {"venue", "publicity", "network", "volunteers"},
    "npo_corporation": {"service_delivery", "knowledge", "network", "volunteers"},
    "volunteer_group": {"volunteers", "service_delivery", "knowledge"},
    "government": {"funding", "venue", "publicity", "network", "knowledge"},
    "public_interest_corporation": {"funding", "knowledge", "network", "venue", "service_delivery"},
    "general_incorporated": {"funding", "knowledge", "network", "venue", "publicity"},
    "intermediary": {"network", "knowledge", "publicity", "venue"},
    "social_welfare_council": {
        "volunteers", "network", "funding", "goods", "knowledge", "service_delivery", "venue",
    },
}  # fmt: skip
ORG_KEYS = {
    "name", "name_kana", "kind", "corporate_number", "certification", "municipality_code",
    "postal_code", "address", "latitude", "longitude", "website", "email", "phone", "fields",
    "description", "established_on", "contacts",
}  # fmt: skip
RESOURCE_KEYS = {
    "type", "title", "description", "fields", "municipality_codes", "service_radius_km",
    "availability", "funding", "conditions", "status",
}  # fmt: skip
KANA = re.compile(r"^[\u30A1-\u30FA\u30FC\u30FB 　0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def orgs() -> list[Any]:
    return demo_organizations()


def valid_corporate_number(number: str) -> bool:
    if not re.fullmatch(r"[0-9]{13}", number):
        return False
    base = number[1:]
    total = 0
    for n in range(1, 13):
        p = int(base[-n])
        total += p * (1 if n % 2 == 1 else 2)
    return int(number[0]) == 9 - total % 9


def valid_municipality_code(code: str) -> bool:
    if not re.fullmatch(r"[0-9]{6}", code):
        return False
    total = sum(int(d) * w for d, w in zip(code[:5], (6, 5, 4, 3, 2), strict=True))
    return int(code[5]) == (11 - total % 11) % 10


def test_check_digit_helpers_agree_with_known_codes() -> None:
    assert valid_municipality_code("102016") and valid_municipality_code("102024")
    assert valid_municipality_code("100005") and valid_municipality_code("462012")
    assert not valid_municipality_code("102015")
    assert valid_corporate_number("7000012050002")  # 国税庁's published example
    assert not valid_corporate_number("1000012050002")


def test_deterministic_for_a_seed() -> None:
    first = [(o.payload, o.resources) for o in demo_organizations(120, seed=7)]
    again = [(o.payload, o.resources) for o in demo_organizations(120, seed=7)]
    other = [(o.payload, o.resources) for o in demo_organizations(120, seed=8)]
    assert json.dumps(first, ensure_ascii=False) == json.dumps(again, ensure_ascii=False)
    assert first != other


def test_size_and_every_kind(orgs: list[Any]) -> None:
    assert len(orgs) >= 250
    kinds = Counter(o.payload["kind"] for o in orgs)
    assert set(kinds) == KINDS
    assert kinds["neighbourhood_association"] > kinds["company"] > kinds["university"]
    assert set(o.payload["kind"] for o in demo_organizations(11)) == KINDS


def test_names_unique_and_bodies_well_formed(orgs: list[Any]) -> None:
    names = [o.payload["name"] for o in orgs]
    assert len(names) == len(set(names))
    for org in orgs:
        p = org.payload
        assert set(p) == ORG_KEYS
        assert 1 <= len(p["name"]) <= 200 and p["name"] == p["name"].strip()
        assert 1 <= len(p["fields"]) <= 4 and len(set(p["fields"])) == len(p["fields"])
        assert set(p["fields"]) <= FIELDS
        assert p["description"]
        assert 1 <= len(org.resources) <= 4
        assert p["postal_code"] is None or re.fullmatch(r"37[0-9]-[0-9]{4}", p["postal_code"])
        for url in (p["website"], p["email"]):
            assert url is None or ".example.jp" in url or "@example.jp" in url
        assert len(p["contacts"]) <= 2
        if p["latitude"] is not None:
            assert abs(p["latitude"] - 36.35) < 0.072 and abs(p["longitude"] - 139.05) < 0.09
        if p["established_on"]:
            assert DATE.match(p["established_on"])
        titles = [r["title"] for r in org.resources]
        assert len(titles) == len(set(titles)), p["name"]


def test_corporate_numbers_valid_unique_and_where_expected(orgs: list[Any]) -> None:
    numbers = [o.payload["corporate_number"] for o in orgs if o.payload["corporate_number"]]
    assert all(valid_corporate_number(number) for number in numbers)
    assert len(numbers) == len(set(numbers))
    for org in orgs:
        kind, number = org.payload["kind"], org.payload["corporate_number"]
        if kind in CORPORATIONS and org.payload["name"].startswith(
            ("特定", "一般", "公益", "株式")
        ):
            assert number, org.payload["name"]
        if kind in ("volunteer_group", "neighbourhood_association"):
            assert number is None
        cert = org.payload["certification"]
        if cert is not None:
            assert kind == "npo_corporation" and cert["valid_from"] < cert["valid_until"]
            assert cert["status"] in ("certified", "special_certified")


def test_municipality_codes_have_valid_check_digits(orgs: list[Any]) -> None:
    codes = Counter(o.payload["municipality_code"] for o in orgs)
    assert set(codes) == {"102997", "102016", "102024", "100005"}
    assert codes["102997"] > sum(codes.values()) * 0.7
    for org in orgs:
        assert valid_municipality_code(org.payload["municipality_code"])
        for resource in org.resources:
            assert 1 <= len(resource["municipality_codes"]) <= 5
            assert all(valid_municipality_code(c) for c in resource["municipality_codes"])


def test_kana_readings_are_katakana(orgs: list[Any]) -> None:
    for org in orgs:
        assert KANA.match(org.payload["name_kana"]), org.payload["name_kana"]
        for contact in org.payload["contacts"]:
            assert KANA.match(contact["name_kana"]), contact


def test_resources_fit_their_kind_and_funding_only_on_funding(orgs: list[Any]) -> None:
    types = Counter()
    for org in orgs:
        kind = org.payload["kind"]
        for resource in org.resources:
            assert set(resource) == RESOURCE_KEYS
            assert resource["type"] in FITTING_TYPES[kind] | {"event_cohosting"}, (kind, resource)
            assert (resource["funding"] is not None) == (resource["type"] == "funding")
            assert resource["status"] in ("active", "paused")
            assert set(resource["fields"]) <= FIELDS
            types[resource["type"]] += 1
            funding = resource["funding"]
            if funding:
                assert funding["amount_max_jpy"] >= (funding["amount_min_jpy"] or 0)
                assert funding["application_opens_on"] <= funding["application_deadline"]
                assert funding["application_deadline"][:4] in ("2026", "2027")
    assert len(types) == 10


def test_texts_use_every_spelling_of_kodomo(orgs: list[Any]) -> None:
    text = json.dumps([(o.payload, o.resources) for o in orgs], ensure_ascii=False)
    for word in ("子供", "子ども", "こども", "こども食堂", "高齢者の見守り", "防災訓練", "空き家"):
        assert word in text, word
    for word in ("多文化共生", "子育てサロン", "プログラミング教室", "フードドライブ"):
        assert word in text, word


# --- the loader, against an in-memory fake of the four endpoints ---


class FakeApi:
    def __init__(self, page_size: int = 50) -> None:
        self.orgs: list[dict[str, Any]] = []
        self.resources: dict[str, list[dict[str, Any]]] = {}
        self.page_size, self.posts, self.idempotency_keys = page_size, 0, set()
        # the events service's part, for the season
        self.events: list[dict[str, Any]] = []
        self.opportunities: list[dict[str, Any]] = []
        self.shifts: dict[str, list[dict[str, Any]]] = {}
        self.signups: dict[str, list[dict[str, Any]]] = {}
        self.points_rules: dict[str, dict[str, Any]] = {}
        # the matching service's part
        self.issues: list[dict[str, Any]] = []

    def page(self, items: list[dict[str, Any]], request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor") or 0)
        limit = min(int(request.url.params["limit"]), self.page_size)
        end = start + limit
        return httpx.Response(
            200,
            json={"items": items[start:end], "next_cursor": str(end) if end < len(items) else None},
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer secret"
        parts = request.url.path.strip("/").split("/")
        if request.method == "POST":
            key = request.headers["Idempotency-Key"]
            assert str(uuid.UUID(key)) == key and key not in self.idempotency_keys
            self.idempotency_keys.add(key)
            self.posts += 1
            body = json.loads(request.content)
        if parts == ["v1", "organizations"]:
            if request.method == "GET":
                return self.page(self.orgs, request)
            assert set(body) <= ORG_KEYS
            if body["name"] == "壊れた団体":
                problem = {"type": "about:blank", "title": "Unprocessable", "detail": "bad input",
                           "errors": [{"field": "kind", "message": "unknown kind"}]}  # fmt: skip
                return httpx.Response(422, json=problem)
            org = {"id": f"org_{len(self.orgs)}", **body}
            self.orgs.append(org)
            self.resources[org["id"]] = []
            return httpx.Response(201, json=org)
        if len(parts) == 4 and parts[:2] == ["v1", "organizations"] and parts[3] == "resources":
            if parts[2] not in self.resources:
                return httpx.Response(404, json={"detail": "no such organisation"})
            items = self.resources[parts[2]]
            if request.method == "GET":
                return self.page(items, request)
            assert set(body) <= RESOURCE_KEYS
            items.append({"id": f"res_{self.posts}", **body})
            return httpx.Response(201, json=items[-1])
        return self.season(request, parts, body if request.method == "POST" else None)

    def season(
        self, request: httpx.Request, parts: list[str], body: dict[str, Any] | None
    ) -> httpx.Response:
        if parts == ["v1", "events"]:
            if request.method == "GET":
                statuses = set(request.url.params.get_list("status"))
                assert {"draft", "published", "cancelled", "postponed"} <= statuses
                return self.page(self.events, request)
            assert body is not None and body["organizer_ids"]
            assert all(i.startswith("org_") for i in body["organizer_ids"])
            self.events.append({"id": f"evt_{len(self.events)}", **body})
            return httpx.Response(201, json=self.events[-1])
        if parts == ["v1", "opportunities"]:
            if request.method == "GET":
                return self.page(self.opportunities, request)
            assert body is not None and body["organization_id"].startswith("org_")
            opportunity = {"id": f"opp_{len(self.opportunities)}", **body}
            self.opportunities.append(opportunity)
            self.shifts[opportunity["id"]] = []
            return httpx.Response(201, json=opportunity)
        if len(parts) == 4 and parts[1] == "opportunities" and parts[3] == "shifts":
            shifts = self.shifts[parts[2]]
            if request.method == "GET":
                return self.page(shifts, request)
            shift = {"id": f"shift_{self.posts}", **(body or {})}
            shifts.append(shift)
            self.signups[shift["id"]] = []
            return httpx.Response(201, json=shift)
        if len(parts) == 4 and parts[1] == "shifts" and parts[3] == "signups":
            signups = self.signups[parts[2]]
            if request.method == "GET":
                return self.page(signups, request)
            signups.append({"id": f"signup_{self.posts}", "status": "confirmed", **(body or {})})
            return httpx.Response(201, json=signups[-1])
        if len(parts) == 4 and parts[1] == "signups" and parts[3] == "cancel":
            found = [s for v in self.signups.values() for s in v if s["id"] == parts[2]]
            found[0]["status"] = "cancelled"
            return httpx.Response(200, json=found[0])
        if parts == ["v1", "issues"]:
            if request.method == "GET":
                assert {"draft", "open", "matched", "closed"} <= set(
                    request.url.params.get_list("status")
                )
                return self.page(self.issues, request)
            assert body is not None and body["organization_id"].startswith("org_")
            self.issues.append({"id": f"issue_{len(self.issues)}", **body})
            return httpx.Response(201, json=self.issues[-1])
        if parts[:2] == ["v1", "points-rules"] and len(parts) == 3:
            if request.method == "PUT":
                self.posts += 1
                self.points_rules[parts[2]] = json.loads(request.content)
            if parts[2] not in self.points_rules:
                return httpx.Response(404, json={"detail": "no points rule"})
            return httpx.Response(200, json=self.points_rules[parts[2]])
        return httpx.Response(404, json={"detail": "not found"})


def test_loader_creates_everything_once_then_nothing() -> None:
    fake = FakeApi()
    client = httpx.Client(transport=httpx.MockTransport(fake), base_url="http://kyodo.test")
    calls: list[tuple[int, int]] = []
    report = load_demo(
        client, admin_key="secret", count=80, progress=lambda d, t: calls.append((d, t))
    )
    expected = demo_organizations(80)
    season = demo_season(expected)
    assert report.organizations_created == 80 and report.organizations_skipped == 0
    assert report.resources_created == sum(len(o.resources) for o in expected)
    issues = demo_issues(expected)
    total = 80 + season.steps + len(issues)  # one bar: organisations, season, issues
    assert calls == [(done, total) for done in range(1, total + 1)]
    assert report.issues_created == len(fake.issues) == len(issues) > 10
    assert report.events_created == len(fake.events) == len(season.events)
    assert report.opportunities_created == len(fake.opportunities) == len(season.opportunities)
    assert report.points_rules_set == 1
    posts = fake.posts
    again = load_demo(client, admin_key="secret", count=80)
    assert fake.posts == posts
    assert again.organizations_created == again.resources_created == 0
    assert again.organizations_skipped == 80
    assert again.resources_skipped == report.resources_created
    assert again.created == 0 and again.events_skipped == len(season.events)
    assert again.issues_skipped == len(issues)
    # a partly loaded platform: a lost resource is created again, nothing else
    fake.resources["org_3"].pop()
    third = load_demo(client, admin_key="secret", count=80)
    assert (third.organizations_created, third.resources_created) == (0, 1)
    assert third.season_created == 0
    # ... and so are a lost event and a lost shift (its sign-ups with it)
    fake.events.pop(0)
    with_signups = next(k for k, v in fake.signups.items() if v)
    lost = next(s for v in fake.shifts.values() for s in v if s["id"] == with_signups)
    next(v for v in fake.shifts.values() if lost in v).remove(lost)
    fourth = load_demo(client, admin_key="secret", count=80)
    assert (fourth.events_created, fourth.shifts_created) == (1, 1)
    assert fourth.signups_created == len(fake.signups[with_signups])
    assert fourth.opportunities_created == 0


def test_loader_reports_problem_details(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = demo_organizations(1)
    broken[0].payload["name"] = "壊れた団体"
    monkeypatch.setattr("kyodo.demo.loader.demo_organizations", lambda count: broken)
    client = httpx.Client(transport=httpx.MockTransport(FakeApi()), base_url="http://kyodo.test")
    with pytest.raises(DemoLoadError) as info:
        load_demo(client, admin_key="secret", count=1)
    assert info.value.status == 422
    assert "bad input" in str(info.value) and "unknown kind" in str(info.value)
