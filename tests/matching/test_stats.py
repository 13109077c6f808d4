"""Collaboration statistics on a small, known history (times set through the service layer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from conftest import AUTH
from hostile import assert_problem
from test_matches_kit import PAYLOAD, move, post_issue

from services.matching import issues, matches

HOME = "102997"  # 桜ヶ丘市
NEIGHBOUR = "102016"  # 前橋市


class Clock:
    """The time the matching service writes down (issues posted, matches proposed and moved)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime.fromisoformat("2025-01-01T00:00:00+09:00")
        for module in (issues, matches):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def at(self, moment: str) -> Clock:
        self.now = datetime.fromisoformat(moment)
        return self


@pytest.fixture
def history(api, make_org, monkeypatch) -> None:
    """Five issues (plus a draft and a deleted one) and their matches, 2025–2026:

    * A, by the kitchen (civil), 2025-04-01: the company agreed 04-11, the city 05-01,
      the university declined;
    * B, by the city (government), 2025-12-20: the kitchen agreed 2026-01-19;
    * C, by the hall (community) in 前橋, 2026-02-01: the university is in discussion;
    * D, by the kitchen, 2026-03-10: no match;
    * E, a draft of the kitchen, 2026-03-11; F, deleted, 2026-03-12, with a proposal;
    * G, by the kitchen, 2026-04-01: another NPO (civil) agreed 04-05;
    * H, drafted by the kitchen 2026-05-20 and opened 2026-06-01: the company agreed
      06-11 (it counts from its opening, in June);
    * I, drafted 2026-05-25 and closed without ever being opened.
    """
    clock = Clock(monkeypatch)
    kitchen = make_org(name="こども食堂ネットワーク", kind="volunteer_group")
    city = make_org(name="桜ヶ丘市役所", kind="government")
    company = make_org(name="桜ヶ丘電機株式会社", kind="company")
    university = make_org(name="前橋大学", kind="university", municipality_code=NEIGHBOUR)
    hall = make_org(name="前橋本町自治会", kind="neighbourhood_association")
    npo = make_org(name="NPO法人 食のわ", kind="npo_corporation")

    def issue(org: dict[str, Any], when: str, **overrides: Any) -> str:
        clock.at(when)
        return str(post_issue(api, org["id"], **overrides)["id"])

    def match(issue_id: str, partner: dict[str, Any], when: str, *moves: tuple[str, str]) -> None:
        clock.at(when)
        body = {"issue_id": issue_id, "organization_id": partner["id"]}
        created = api.post("/v1/matches", json=body, headers=AUTH)
        assert created.status_code == 201, created.text
        for to, moment in moves:
            clock.at(moment)
            response = move(api, created.json()["id"], to, **PAYLOAD.get(to, {}))
            assert response.status_code == 200, response.text

    def change(issue_id: str, status: str, when: str) -> None:
        clock.at(when)
        response = api.patch(
            f"/v1/issues/{issue_id}", json={"status": status}, headers={**AUTH, "If-Match": "*"}
        )
        assert response.status_code == 200, response.text

    def agreed(when: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("in_discussion", when), ("agreed", when)

    a = issue(kitchen, "2025-04-01T10:00:00+09:00", municipality_code=HOME)
    match(a, company, "2025-04-05T10:00:00+09:00", *agreed("2025-04-11T10:00:00+09:00"))
    match(a, city, "2025-04-20T10:00:00+09:00", *agreed("2025-05-01T10:00:00+09:00"))
    match(a, university, "2025-04-21T10:00:00+09:00", ("declined", "2025-04-25T10:00:00+09:00"))
    b = issue(city, "2025-12-20T10:00:00+09:00", municipality_code=HOME)
    match(b, kitchen, "2026-01-05T10:00:00+09:00", *agreed("2026-01-19T10:00:00+09:00"))
    c = issue(hall, "2026-02-01T10:00:00+09:00", municipality_code=NEIGHBOUR)
    match(
        c, university, "2026-02-03T10:00:00+09:00", ("in_discussion", "2026-02-04T10:00:00+09:00")
    )
    issue(kitchen, "2026-03-10T10:00:00+09:00", municipality_code=HOME)
    issue(kitchen, "2026-03-11T10:00:00+09:00", municipality_code=HOME, status="draft")
    f = issue(kitchen, "2026-03-12T10:00:00+09:00", municipality_code=HOME)
    match(f, company, "2026-03-13T10:00:00+09:00")
    gone = api.delete(f"/v1/issues/{f}", headers={**AUTH, "If-Match": "*"})
    assert gone.status_code == 204
    g = issue(kitchen, "2026-04-01T10:00:00+09:00", municipality_code=HOME)
    match(g, npo, "2026-04-02T10:00:00+09:00", *agreed("2026-04-05T10:00:00+09:00"))
    h = issue(kitchen, "2026-05-20T10:00:00+09:00", municipality_code=HOME, status="draft")
    change(h, "open", "2026-06-01T10:00:00+09:00")
    match(h, company, "2026-06-02T10:00:00+09:00", *agreed("2026-06-11T10:00:00+09:00"))
    i = issue(kitchen, "2026-05-25T10:00:00+09:00", municipality_code=HOME, status="draft")
    change(i, "closed", "2026-05-26T10:00:00+09:00")


def stats(api: Any, **params: Any) -> dict[str, Any]:
    response = api.get("/v1/stats", params=params)  # public: no key
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.usefixtures("history")
def test_the_whole_history(api):
    assert stats(api) == {
        "municipality_code": None,
        "year": None,
        "matches_per_year": {"2025": 3, "2026": 4},
        "matches_per_municipality": {NEIGHBOUR: 1, HOME: 6},
        "collaborations": {
            "total": 4,
            "agreed_matches": 5,
            "by_sectors": {
                "business+civil": 1,
                "business+civil+government": 1,
                "civil": 1,
                "civil+government": 1,
            },
            # Cross-sector means three or more sectors (GLOSSARY.md).
            "cross_sector": 1,
            "three_or_more_sectors": 1,
        },
        # H counts in June, when it was opened, not in May, when it was drafted;
        # I, closed without ever being opened, is not counted.
        "issues_per_month": {
            "2025-04": 1,
            "2025-12": 1,
            "2026-02": 1,
            "2026-03": 1,
            "2026-04": 1,
            "2026-06": 1,
        },
        "time_to_first_agreement": {"count": 4, "median_days": 10.0, "mean_days": 13.5},
    }


@pytest.mark.usefixtures("history")
def test_one_year(api):
    # B was posted in 2025 but first agreed in 2026: it counts in 2026.
    assert stats(api, year=2025) == {
        "municipality_code": None,
        "year": 2025,
        "matches_per_year": {"2025": 3},
        "matches_per_municipality": {HOME: 3},
        "collaborations": {
            "total": 1,
            "agreed_matches": 2,
            "by_sectors": {"business+civil+government": 1},
            "cross_sector": 1,
            "three_or_more_sectors": 1,
        },
        "issues_per_month": {"2025-04": 1, "2025-12": 1},
        "time_to_first_agreement": {"count": 1, "median_days": 10.0, "mean_days": 10.0},
    }
    later = stats(api, year=2026)
    assert later["collaborations"]["by_sectors"] == {
        "business+civil": 1,
        "civil": 1,
        "civil+government": 1,
    }
    assert later["collaborations"]["cross_sector"] == 0
    assert later["time_to_first_agreement"] == {"count": 3, "median_days": 10.0, "mean_days": 14.67}


@pytest.mark.usefixtures("history")
def test_one_municipality(api):
    assert stats(api, municipality_code=NEIGHBOUR) == {
        "municipality_code": NEIGHBOUR,
        "year": None,
        "matches_per_year": {"2026": 1},
        "matches_per_municipality": {NEIGHBOUR: 1},
        "collaborations": {
            "total": 0,
            "agreed_matches": 0,
            "by_sectors": {},
            "cross_sector": 0,
            "three_or_more_sectors": 0,
        },
        "issues_per_month": {"2026-02": 1},
        "time_to_first_agreement": {"count": 0, "median_days": None, "mean_days": None},
    }
    assert stats(api, municipality_code=HOME, year=2024)["matches_per_year"] == {}


def test_no_history_is_all_zeros(api):
    empty = stats(api)
    assert empty["matches_per_year"] == {} and empty["issues_per_month"] == {}
    assert empty["collaborations"]["total"] == 0
    assert empty["time_to_first_agreement"]["median_days"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": 1899}, "query.year"),
        ({"year": "last"}, "query.year"),
        ({"year": 10**20}, "query.year"),
        ({"municipality_code": "102998"}, "query.municipality_code"),
        ({"municipality_code": "x" * 10_000}, "query.municipality_code"),
        ({"prefecture": "10"}, "query.prefecture"),
    ],
    ids=["year 1899", "year in words", "huge year", "bad check digit", "huge code", "unknown"],
)
def test_bad_filters_are_refused(api, params, field):
    assert_problem(api.get("/v1/stats", params=params), 422, field)
