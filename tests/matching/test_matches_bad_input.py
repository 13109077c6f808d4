"""Hostile input to every match, case-study and statistics endpoint: a 4xx problem, no write.

Each case sends one kind of bad input and requires the expected 4xx
``application/problem+json`` (naming the field for validation failures) and every
row of every matching table, and of the registry, the same before and after. The
feed position's ``updated_at`` is left out: each catch-up with the registry's feed
stamps it even when nothing was new.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import AUTH, SERVICE_TABLES, organization_body, resource_body
from fastapi.testclient import TestClient
from hostile import (
    BAD_IF_MATCH,
    GARBAGE_CURSORS,
    JSON_CT,
    LONG,
    MISSING_ID,
    NUL,
    RAW_BODIES,
    Case,
    assert_problem,
    b64,
    bodies,
    empty_tables,
    fill_template,
    ids,
    oversized_json_cases,
    run_case,
    snapshot_tables,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_issues_api import issue_body
from test_matches_kit import AGREEMENT, PAYLOAD, REVIEW

from gateway.main import create_app

MATCHING_TABLES = {
    "case_study": "id",
    "match": "id",
    "issue": "id",
    "resource_doc": "id",
    "organization_doc": "id",
    "feed_position": "source",
    "fitted_weights": "id",
    "outbox": "seq",
    "idempotency_key": "client_scope, key",
}
assert set(MATCHING_TABLES) == set(SERVICE_TABLES["matching"])
REGISTRY_TABLES = {
    "resource": "id",
    "organization": "id",
    "outbox": "seq",
    "idempotency_key": "client_scope, key",
}
VOLATILE = {"feed_position": {"updated_at"}}
STORY = {"title": "公民館の調理室で開くこども食堂", "summary": "毎週土曜に開いた。"}


@dataclass
class World:
    refs: dict[str, str]
    cursors: dict[str, str]
    baseline: dict[str, Any] = dataclasses.field(default_factory=dict)

    def fill(self, template: str) -> str:
        return fill_template(template, {**self.refs, "missing": MISSING_ID})


def snapshot(client: Any) -> dict[str, Any]:
    return {
        "matching": snapshot_tables(client.engine, MATCHING_TABLES, VOLATILE),
        "registry": snapshot_tables(client.registry_engine, REGISTRY_TABLES),
    }


@pytest.fixture(scope="module")
def client(services) -> Iterator[TestClient]:
    with TestClient(create_app(services), base_url="http://kyodo.test") as test_client:
        test_client.engine = services["matching"].state.engine  # type: ignore[attr-defined]
        test_client.registry_engine = services["registry"].state.engine  # type: ignore[attr-defined]
        test_client.world = None  # type: ignore[attr-defined]
        yield test_client


@pytest.fixture
def api(client) -> TestClient:
    """This module's client (shadows conftest's, which would empty the databases per test)."""
    return client


@pytest.fixture
def world(client) -> World:
    current: World | None = client.world
    if current is None or snapshot(client) != current.baseline:
        empty_tables(client.registry_engine, list(REGISTRY_TABLES))
        empty_tables(client.engine, list(MATCHING_TABLES))
        current = client.world = _build_world(client)
        current.baseline = snapshot(client)
    return current


def _build_world(api: TestClient) -> World:
    refs: dict[str, str] = {}

    def post(name: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = api.post(fill_template(url, refs), json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        refs[name] = response.json()["id"]
        return dict(response.json())

    def step(match: str, to: str, **payload: Any) -> None:
        path = f"/v1/matches/{refs[match]}"
        if to in ("issue", "partner"):
            response = api.put(
                f"{path}/reviews/{to}", json=REVIEW, headers={**AUTH, "If-Match": "*"}
            )
        else:
            response = api.post(
                f"{path}/transitions",
                json={"to": to, **PAYLOAD.get(to, {}), **payload},
                headers={**AUTH, "If-Match": "*"},
            )
        assert response.status_code == 200, response.text

    def match(name: str, resource: str | None = None, *steps: str) -> None:
        partner = (
            {"resource_id": refs[resource]} if resource else {"organization_id": refs["school"]}
        )
        post(name, "/v1/matches", {"issue_id": refs["issue"], **partner})
        for to in steps:
            step(name, to)

    post("org", "/v1/organizations", organization_body(name="桜ヶ丘こども食堂ネットワーク"))
    post(
        "partner",
        "/v1/organizations",
        organization_body(name="本町自治会", kind="neighbourhood_association"),
    )
    post("company", "/v1/organizations", organization_body(name="桜ヶ丘電機", kind="company"))
    # One live match per issue and partner organisation: each match below has its own.
    post("school", "/v1/organizations", organization_body(name="桜ヶ丘高校", kind="school"))
    post("college", "/v1/organizations", organization_body(name="桜ヶ丘大学", kind="university"))
    post("resource", "/v1/organizations/{partner}/resources", resource_body())
    post(
        "goods", "/v1/organizations/{company}/resources", resource_body(type="goods", title="食品")
    )
    post("own", "/v1/organizations/{org}/resources", resource_body(type="goods", title="自前"))
    post("issue", "/v1/issues", issue_body(refs["org"], needed_resource_types=["venue", "goods"]))
    post("draft", "/v1/issues", issue_body(refs["org"], status="draft"))
    post("gone_issue", "/v1/issues", issue_body(refs["org"]))
    deleted = api.delete(f"/v1/issues/{refs['gone_issue']}", headers={**AUTH, "If-Match": "*"})
    assert deleted.status_code == 204

    forward = ("in_discussion", "agreed", "in_progress", "completed")
    match("proposed", "resource")  # version 1
    match("running", None, *forward[:3])
    match("completed", "goods", *forward)
    company_direct = {"issue_id": refs["issue"], "organization_id": refs["college"]}
    post("reviewed", "/v1/matches", company_direct)
    for to in (*forward, "issue", "partner", "reviewed"):
        step("reviewed", to)
    post("case_study", "/v1/matches/{reviewed}/case-study", STORY)

    def cursor(url: str) -> str:
        response = api.get(url, params={"limit": 1}, headers=AUTH)
        assert response.status_code == 200, response.text
        return str(response.json()["next_cursor"])

    return World(refs, {"matches": cursor("/v1/matches"), "issues": cursor("/v1/issues")})


def run(api: Any, world: World, case: Case) -> Any:
    return run_case(api, world, case, lambda: snapshot(api))


CURRENT = {"If-Match": '"1"'}  # the proposed match of the world is at version 1
ANY = {"If-Match": "*"}
PROPOSE = {"issue_id": "{issue}", "resource_id": "{goods}"}  # valid, and not yet proposed

JSON_ENDPOINTS: list[tuple[str, str, str, dict[str, Any], dict[str, str]]] = [
    ("create_match", "POST", "/v1/matches", PROPOSE, {}),
    ("transition", "POST", "/v1/matches/{proposed}/transitions", {"to": "in_discussion"}, CURRENT),
    ("progress_note", "POST", "/v1/matches/{running}/progress-notes", {"note": "進捗"}, {}),
    ("review", "PUT", "/v1/matches/{completed}/reviews/issue", REVIEW, ANY),
    ("case_study", "POST", "/v1/matches/{completed}/case-study", STORY, {}),
]

NOT_AN_OBJECT = [
    Case(f"{e} refuses {what}", m, p, status, where, content=raw, headers={**JSON_CT, **h})
    for e, m, p, _, h in JSON_ENDPOINTS
    for what, raw, status, where in RAW_BODIES
]


@pytest.mark.parametrize("case", NOT_AN_OBJECT, ids=ids(NOT_AN_OBJECT))
def test_a_body_that_is_not_a_json_object_is_refused(api, world, case):
    run(api, world, case)


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "body", "headers"),
    JSON_ENDPOINTS,
    ids=[e[0] for e in JSON_ENDPOINTS],
)
def test_a_json_body_sent_as_text_is_refused(api, world, endpoint, method, path, body, headers):
    content = world.fill(json.dumps(body)).encode()
    case = Case(
        endpoint,
        method,
        path,
        (415, 422),
        content=content,
        headers={**headers, "Content-Type": "text/plain"},
    )
    run(api, world, case)


@pytest.mark.parametrize(
    "case", oversized_json_cases(JSON_ENDPOINTS), ids=ids(oversized_json_cases(JSON_ENDPOINTS))
)
def test_a_body_over_the_limit_is_413(api, world, case):
    run(api, world, case)


# -- proposing -----------------------------------------------------------------------------

CREATE_CASES = [
    Case(
        f"a proposal with {what}", "POST", "/v1/matches", status, field, json={**PROPOSE, **change}
    )
    for what, change, status, field in [
        ("an unknown field", {"colour": "red"}, 422, "body.colour"),
        ("a read-only status", {"status": "agreed"}, 422, "body.status"),
        ("a read-only score", {"score": 1.0}, 422, "body.score"),
        ("an issue id that is not an id", {"issue_id": "../etc"}, 422, "body.issue_id"),
        ("an issue id with a NUL byte", {"issue_id": MISSING_ID + NUL}, 422, "body.issue_id"),
        ("an issue id as a number", {"issue_id": 42}, 422, "body.issue_id"),
        ("no issue", {"issue_id": None}, 422, "body.issue_id"),
        ("an unknown issue", {"issue_id": MISSING_ID}, 422, "body.issue_id"),
        ("a deleted issue", {"issue_id": "{gone_issue}"}, 422, "body.issue_id"),
        ("a draft issue", {"issue_id": "{draft}"}, 409, None),
        ("an unknown resource", {"resource_id": MISSING_ID}, 422, "body.resource_id"),
        ("a resource id of 10 000 characters", {"resource_id": LONG}, 422, "body.resource_id"),
        ("the issue's own resource", {"resource_id": "{own}"}, 422, "body.resource_id"),
        ("a resource already proposed", {"resource_id": "{resource}"}, 409, None),
        ("a resource and an organisation", {"organization_id": "{partner}"}, 422, "body"),
        ("neither resource nor organisation", {"resource_id": None}, 422, "body"),
        (
            "an unknown organisation",
            {"resource_id": None, "organization_id": MISSING_ID},
            422,
            "body.organization_id",
        ),
        (
            "the issue's own organisation",
            {"resource_id": None, "organization_id": "{org}"},
            422,
            "body.organization_id",
        ),
        ("a message of 10 000 characters", {"message": LONG}, 422, "body.message"),
        ("a NUL byte in the message", {"message": f"こんにちは{NUL}"}, 422, "body.message"),
        ("an escape sequence in the message", {"message": "\x1b[2J"}, 422, "body.message"),
        ("a lone surrogate in the message", {"message": "\ud800"}, 422, "body.message"),
        ("a message as a list", {"message": ["a"]}, 422, "body.message"),
    ]
] + [
    Case("a proposal without a key", "POST", "/v1/matches", 401, json=PROPOSE, auth=False),
    Case(
        "a proposal with an unknown key",
        "POST",
        "/v1/matches",
        401,
        json=PROPOSE,
        auth=False,
        headers={"Authorization": "Bearer nope"},
    ),
    Case(
        "a proposal with a non-ASCII Idempotency-Key",
        "POST",
        "/v1/matches",
        400,
        json=PROPOSE,
        headers={"Idempotency-Key": "冪等キー".encode()},
    ),
    Case(
        "a refused proposal with an Idempotency-Key keeps no key",
        "POST",
        "/v1/matches",
        422,
        "body.issue_id",
        json={**PROPOSE, "issue_id": MISSING_ID},
        headers={"Idempotency-Key": "k1"},
    ),
]


@pytest.mark.parametrize("case", CREATE_CASES, ids=ids(CREATE_CASES))
def test_a_bad_proposal_is_refused(api, world, case):
    run(api, world, case)


# -- transitions ---------------------------------------------------------------------------

TRANSITIONS = "/v1/matches/{proposed}/transitions"
TRANSITION_CASES = (
    [
        Case(f"a transition {what}", "POST", TRANSITIONS, status, field, json=body, headers=headers)
        for what, body, headers, status, field in [
            ("to an unknown status", {"to": "married"}, CURRENT, 422, "body.to"),
            ("without a target", {}, CURRENT, 422, "body.to"),
            ("with a target as a number", {"to": 3}, CURRENT, 422, "body.to"),
            (
                "with an unknown field",
                {"to": "in_discussion", "mood": 1},
                CURRENT,
                422,
                "body.mood",
            ),
            (
                "with a reason of 10 000 characters",
                {"to": "declined", "reason": LONG},
                CURRENT,
                422,
                "body.reason",
            ),
            (
                "with a NUL byte in the reason",
                {"to": "declined", "reason": NUL},
                CURRENT,
                422,
                "body.reason",
            ),
            ("declining without a reason", {"to": "declined"}, CURRENT, 422, "body.reason"),
            (
                "withdrawing with a blank reason",
                {"to": "withdrawn", "reason": " "},
                CURRENT,
                422,
                "body.reason",
            ),
            (
                "with an agreement as text",
                {"to": "agreed", "agreement": "ok"},
                CURRENT,
                422,
                "body.agreement",
            ),
            (
                "with a partial agreement",
                {"to": "agreed", "agreement": {"purpose": "x"}},
                CURRENT,
                422,
                "body.agreement.roles",
            ),
            (
                "with an agreement it does not take",
                {"to": "in_discussion", "agreement": AGREEMENT},
                CURRENT,
                422,
                "body.agreement",
            ),
            ("that skips ahead", {"to": "completed"}, CURRENT, 409, None),
            ("to where it is", {"to": "proposed"}, CURRENT, 409, None),
        ]
    ]
    + [
        Case(
            f"a transition {what}",
            "POST",
            TRANSITIONS,
            status,
            field,
            json={"to": "in_discussion"},
            headers=headers,
        )
        for what, headers, status, field in BAD_IF_MATCH
    ]
    + [
        Case(
            "a transition of an ended match",
            "POST",
            "/v1/matches/{reviewed}/transitions",
            409,
            json={"to": "declined", "reason": "x"},
            headers=ANY,
        ),
        Case(
            "a transition of no match",
            "POST",
            "/v1/matches/{missing}/transitions",
            404,
            json={"to": "in_discussion"},
            headers=ANY,
        ),
        Case(
            "a transition of a match id that is not an id",
            "POST",
            "/v1/matches/x'--/transitions",
            422,
            "path.match_id",
            json={"to": "in_discussion"},
            headers=ANY,
        ),
        Case(
            "a transition without a key",
            "POST",
            TRANSITIONS,
            401,
            json={"to": "in_discussion"},
            headers=CURRENT,
            auth=False,
        ),
    ]
)


@pytest.mark.parametrize("case", TRANSITION_CASES, ids=ids(TRANSITION_CASES))
def test_a_bad_transition_is_refused(api, world, case):
    run(api, world, case)


# -- progress notes, reviews, case studies -------------------------------------------------

NOTES = "/v1/matches/{running}/progress-notes"
REVIEWS = "/v1/matches/{completed}/reviews"
PUBLISH = "/v1/matches/{completed}/case-study"
STAGE_CASES = (
    [
        Case(f"a progress note {what}", "POST", NOTES, 422, field, json=body)
        for what, body, field in [
            ("without a note", {}, "body.note"),
            ("that is blank", {"note": "   "}, "body.note"),
            ("of 10 000 characters", {"note": LONG}, "body.note"),
            ("with a NUL byte", {"note": NUL}, "body.note"),
            ("with an unknown field", {"note": "x", "at": "now"}, "body.at"),
        ]
    ]
    + [
        Case(
            "a progress note before the match runs",
            "POST",
            "/v1/matches/{proposed}/progress-notes",
            409,
            json={"note": "x"},
        ),
        Case(
            "a progress note after it ended",
            "POST",
            "/v1/matches/{completed}/progress-notes",
            409,
            json={"note": "x"},
        ),
    ]
    + [
        Case(
            f"a review {what}",
            "PUT",
            f"{REVIEWS}/issue",
            422,
            field,
            json={**REVIEW, **change},
            headers=ANY,
        )
        for what, change, field in [
            ("rating 0", {"purpose_shared": 0}, "body.purpose_shared"),
            ("rating 6", {"goals_achieved": 6}, "body.goals_achieved"),
            ("rating 10**30", {"communication": 10**30}, "body.communication"),
            ("rating 4.5", {"roles_clear": 4.5}, "body.roles_clear"),
            ("rating as text", {"equal_partners": "good"}, "body.equal_partners"),
            ("without lessons", {"lessons": ""}, "body.lessons"),
            ("with lessons of 10 000 characters", {"lessons": LONG}, "body.lessons"),
            ("with a NUL byte in the comment", {"comment": NUL}, "body.comment"),
            ("with an unknown item", {"stars": 5}, "body.stars"),
        ]
    ]
    + [
        Case(
            "a review of a third side",
            "PUT",
            f"{REVIEWS}/both",
            422,
            "path.side",
            json=REVIEW,
            headers=ANY,
        ),
        Case(
            "a review before completion",
            "PUT",
            "/v1/matches/{proposed}/reviews/issue",
            409,
            json=REVIEW,
            headers=ANY,
        ),
        Case(
            "a review after reviewed",
            "PUT",
            "/v1/matches/{reviewed}/reviews/issue",
            409,
            json=REVIEW,
            headers=ANY,
        ),
    ]
    + [
        Case(
            f"a review {what}",
            "PUT",
            f"{REVIEWS}/partner",
            status,
            field,
            json=REVIEW,
            headers=headers,
        )
        for what, headers, status, field in BAD_IF_MATCH
        if status != 412 or headers.get("If-Match") != '"1"'
    ]
    + [
        Case(
            f"a case study {what}",
            "POST",
            "/v1/matches/{reviewed}/case-study",
            422,
            field,
            json={**STORY, **change},
        )
        for what, change, field in [
            ("without a title", {"title": ""}, "body.title"),
            ("with a two-line title", {"title": "一\n二"}, "body.title"),
            ("with a title of 10 000 characters", {"title": LONG}, "body.title"),
            ("with a blank summary", {"summary": " "}, "body.summary"),
            ("with an unknown form", {"collaboration_form": "merger"}, "body.collaboration_form"),
            ("with read-only sectors", {"sectors": ["civil"]}, "body.sectors"),
        ]
    ]
    + [
        Case("a case study of a completed match", "POST", PUBLISH, 409, json=STORY),
        Case(
            "a second case study of a match",
            "POST",
            "/v1/matches/{reviewed}/case-study",
            409,
            json=STORY,
        ),
        Case(
            "a case study of no match", "POST", "/v1/matches/{missing}/case-study", 404, json=STORY
        ),
        Case(
            "a case study without a key",
            "POST",
            "/v1/matches/{reviewed}/case-study",
            401,
            json=STORY,
            auth=False,
        ),
    ]
)


@pytest.mark.parametrize("case", STAGE_CASES, ids=ids(STAGE_CASES))
def test_bad_notes_reviews_and_case_studies_are_refused(api, world, case):
    run(api, world, case)


# -- reads ---------------------------------------------------------------------------------

READ_CASES = (
    [
        Case(f"GET {path} with {what}", "GET", path, status, field, params=params, auth=auth)
        for path, what, params, status, field, auth in [
            ("/v1/matches", "no key", {}, 401, None, False),
            ("/v1/matches", "limit 0", {"limit": 0}, 422, "query.limit", True),
            ("/v1/matches", "limit 201", {"limit": 201}, 422, "query.limit", True),
            (
                "/v1/matches",
                "an unknown status",
                {"status": "married"},
                422,
                "query.status.0",
                True,
            ),
            (
                "/v1/matches",
                "51 statuses",
                {"status": ["proposed"] * 51},
                422,
                "query.status",
                True,
            ),
            (
                "/v1/matches",
                "an issue id that is not an id",
                {"issue_id": "1 OR 1"},
                422,
                "query.issue_id",
                True,
            ),
            (
                "/v1/matches",
                "an organisation id with NUL",
                {"organization_id": NUL},
                422,
                "query.organization_id",
                True,
            ),
            ("/v1/matches", "an unknown parameter", {"side": "issue"}, 422, "query.side", True),
            (
                "/v1/case-studies",
                "an unknown field",
                {"field": "cooking"},
                422,
                "query.field.0",
                False,
            ),
            (
                "/v1/case-studies",
                "an unknown sector",
                {"sector": "church"},
                422,
                "query.sector.0",
                False,
            ),
            (
                "/v1/case-studies",
                "a query of 10 000 characters",
                {"q": LONG},
                422,
                "query.q",
                False,
            ),
            ("/v1/case-studies", "a NUL byte in the query", {"q": NUL}, 422, "query.q", False),
            (
                "/v1/case-studies",
                "a bad municipality",
                {"municipality_code": "102998"},
                422,
                "query.municipality_code.0",
                False,
            ),
            (
                "/v1/case-studies",
                "an unknown parameter",
                {"status": "x"},
                422,
                "query.status",
                False,
            ),
            ("/v1/stats", "a year in words", {"year": "last"}, 422, "query.year", False),
            (
                "/v1/stats",
                "a municipality in prefecture 48",
                {"municipality_code": "480011"},
                422,
                "query.municipality_code",
                False,
            ),
            ("/v1/stats", "an unknown parameter", {"sector": "civil"}, 422, "query.sector", False),
        ]
    ]
    + [
        Case(f"{path} refuses a cursor of {what}", "GET", path, 400, params={"cursor": cursor})
        for path in ("/v1/matches", "/v1/case-studies")
        for what, cursor in {
            **GARBAGE_CURSORS,
            "an id without its listing": b64({"v": 1, "id": MISSING_ID}),
        }.items()
    ]
    + [
        Case(f"GET {path}", "GET", path, status, field)
        for path, status, field in [
            ("/v1/matches/{missing}", 404, None),
            ("/v1/matches/not-an-id", 422, "path.match_id"),
            ("/v1/case-studies/{missing}", 404, None),
            ("/v1/case-studies/{proposed}", 404, None),
            ("/v1/case-studies/not-an-id", 422, "path.case_study_id"),
        ]
    ]
)


@pytest.mark.parametrize("case", READ_CASES, ids=ids(READ_CASES))
def test_bad_reads_are_refused(api, world, case):
    run(api, world, case)


@pytest.mark.parametrize(
    ("path", "cursor_of"),
    [("/v1/matches", "issues"), ("/v1/case-studies", "matches")],
    ids=["matches refuse an issues cursor", "case studies refuse a matches cursor"],
)
def test_a_cursor_from_another_listing_is_400(api, world, path, cursor_of):
    run(api, world, Case(path, "GET", path, 400, params={"cursor": world.cursors[cursor_of]}))


# -- properties ----------------------------------------------------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=bodies({"to": "in_discussion"}, ["to", "reason", "agreement"]),
    version=st.sampled_from(['"1"', '"2"', "*"]),
)
def test_any_transition_body_is_a_4xx_or_a_200_and_only_200_writes(api, world, body, version):
    before = snapshot(api)
    response = api.post(
        world.fill(TRANSITIONS),
        content=json.dumps(body).encode(),
        headers={**AUTH, **JSON_CT, "If-Match": version},
    )
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert response.json()["status"] == "in_discussion"
        return  # the world is rebuilt for the next test
    assert_problem(response, (400, 409, 412, 422))
    assert snapshot(api) == before


# -- consent and withdrawal of case studies ----------------------------------------------

CONSENT = "/v1/matches/{path}/case-study/consent"
WITHDRAW = "/v1/case-studies/{case_study}"
CASE_STUDY_WRITES = [
    Case(f"consent {what}", "POST", CONSENT.format(path=path), status, field, auth=auth)
    for what, path, status, field, auth in [
        ("without a key", "{reviewed}", 401, None, False),
        ("for a match that does not exist", "{missing}", 404, None, True),
        ("for a match id that is no UUID", "not-an-id", 422, "path.match_id", True),
        ("for a match without a draft", "{proposed}", (404, 409), None, True),
        ("for a case study already published", "{reviewed}", (404, 409), None, True),
    ]
] + [
    Case(f"withdraw {what}", "DELETE", path, status, field, headers=headers, auth=auth)
    for what, path, status, field, headers, auth in [
        ("without a key", WITHDRAW, 401, None, ANY, False),
        ("a case study that does not exist", "/v1/case-studies/{missing}", 404, None, ANY, True),
        ("an id that is no UUID", "/v1/case-studies/x", 422, "path.case_study_id", ANY, True),
        *[
            (f"{label}", WITHDRAW, status, where, headers, True)
            for label, headers, status, where in BAD_IF_MATCH
        ],
    ]
]


@pytest.mark.parametrize("case", CASE_STUDY_WRITES, ids=ids(CASE_STUDY_WRITES))
def test_bad_case_study_consents_and_withdrawals_are_refused(api, world, case):
    run(api, world, case)
