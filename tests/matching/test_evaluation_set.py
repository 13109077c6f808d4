"""The labelled matching set: big and varied enough, API-valid, and labelled consistently."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import pytest

from kyodo.evaluation.dataset import HARD_CASE_KINDS, load_matching_set
from services.common.identifiers import municipality_code_is_valid
from services.common.vocabulary import ACTIVITY_FIELDS, RESOURCE_TYPES
from services.registry.schemas import OrganizationCreate, ResourceForOrganizationCreate

warnings.filterwarnings("ignore", message=".*httpx2.*")
from fastapi.testclient import TestClient  # noqa: E402

SET = load_matching_set()
ISSUES = {issue.key: issue for issue in SET.issues}
RESOURCES = {resource.key: resource for resource in SET.resources}
ORG_CODES = {org.key: org.body["municipality_code"] for org in SET.organizations}
FORMS = {"commission", "co_hosting", "partnership", "subsidy", "endorsement", "dialogue",
         "co_creation", "network"}  # fmt: skip


def _cases(kind: str):
    for issue in SET.issues:
        for case in issue.hard_cases:
            if case.kind == kind:
                yield issue, RESOURCES[case.resource], issue.judgments.get(case.resource, 0)


def test_the_set_is_big_and_varied_enough():
    kinds = {org.body["kind"] for org in SET.organizations}
    prefectures = {code[:2] for code in ORG_CODES.values()}
    offering = {resource.organization for resource in SET.resources}
    assert len(SET.issues) >= 20
    assert len(SET.resources) >= 100
    assert len(offering) >= 40
    assert len(kinds) >= 8
    assert len(prefectures) >= 3
    assert {case.kind for i in SET.issues for case in i.hard_cases} == set(HARD_CASE_KINDS)


def test_every_organisation_and_resource_body_is_a_valid_api_body():
    for org in SET.organizations:
        OrganizationCreate.model_validate(org.body)
        assert municipality_code_is_valid(org.body["municipality_code"]), org.key
    for resource in SET.resources:
        ResourceForOrganizationCreate.model_validate(resource.body)


def test_every_issue_body_uses_the_vocabulary():
    for issue in SET.issues:
        body = issue.body
        assert set(body["fields"]) <= set(ACTIVITY_FIELDS), issue.key
        assert set(body["needed_resource_types"]) <= set(RESOURCE_TYPES), issue.key
        assert set(body["collaboration_forms"]) <= FORMS, issue.key
        assert body["origin"] in {"government_proposed", "citizen_proposed"}
        assert municipality_code_is_valid(body["municipality_code"]), issue.key
        assert date.fromisoformat(body["starts_on"]) <= date.fromisoformat(body["ends_on"])


def test_every_issue_body_is_accepted_by_the_issue_schema():
    if not Path("services/matching/schemas.py").exists():
        pytest.skip("the matching service is not in this checkout")
    from services.matching.schemas import IssueCreate

    some_id = "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b"
    for issue in SET.issues:
        IssueCreate.model_validate({**issue.body, "organization_id": some_id})


def test_every_issue_has_at_least_two_relevant_resources():
    for issue in SET.issues:
        relevant = [k for k, grade in issue.judgments.items() if grade >= 2]
        assert len(relevant) >= 2, issue.key


def test_ideal_resources_serve_the_issue_area_and_time_frame():
    for issue in SET.issues:
        for key, grade in issue.judgments.items():
            if grade == 3:
                resource = RESOURCES[key].body
                assert issue.body["municipality_code"] in resource["municipality_codes"], key
                assert _overlaps(resource.get("availability") or {}, issue.body), key


def test_far_lookalikes_do_not_serve_the_issue_municipality():
    for issue, resource, grade in _cases("far_lookalike"):
        assert issue.body["municipality_code"] not in resource.body["municipality_codes"]
        assert grade <= 1, resource.key


def test_out_of_time_cases_are_outside_the_time_frame_and_irrelevant():
    for issue, resource, grade in _cases("outside_time"):
        assert not _overlaps(resource.body["availability"], issue.body), resource.key
        assert grade == 0


def test_wrong_type_and_inactive_cases_are_what_they_say():
    for issue, resource, grade in _cases("wrong_type"):
        assert resource.body["type"] not in issue.body["needed_resource_types"]
        assert grade <= 1
    for _, resource, grade in _cases("inactive"):
        assert resource.body.get("status") in {"paused", "retired"}
        assert grade == 0


def test_found_cases_are_relevant():
    for kind in ("paraphrase", "spelling_variant"):
        for _, resource, grade in _cases(kind):
            assert grade >= 2, resource.key


def test_the_registry_accepts_the_whole_set(tmp_path):
    from migrations.runner import upgrade
    from services.common.settings import KyodoSettings
    from services.registry.config import RegistrySettings
    from services.registry.main import create_app

    key = "eval-set-test-admin-key-0123"
    settings = KyodoSettings(data_dir=tmp_path, admin_key=key, log_level="WARNING")
    app = create_app(settings, RegistrySettings(database_url=f"sqlite:///{tmp_path}/r.db"))
    upgrade(app.state.engine, "registry")
    auth = {"Authorization": f"Bearer {key}"}
    ids = {}
    with TestClient(app) as client:
        for org in SET.organizations:
            response = client.post("/v1/organizations", json=org.body, headers=auth)
            assert response.status_code == 201, (org.key, response.text)
            ids[org.key] = response.json()["id"]
        for resource in SET.resources:
            path = f"/v1/organizations/{ids[resource.organization]}/resources"
            response = client.post(path, json=resource.body, headers=auth)
            assert response.status_code == 201, (resource.key, response.text)
    app.state.engine.dispose()


def _overlaps(availability: dict, issue: dict) -> bool:
    starts, ends = availability.get("starts_on"), availability.get("ends_on")
    return (ends is None or ends >= issue["starts_on"]) and (
        starts is None or starts <= issue["ends_on"]
    )
