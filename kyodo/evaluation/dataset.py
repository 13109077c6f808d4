"""The labelled matching set: organisations, their resources, issues and graded judgments.

Every entity has a stable key ("org:…", "res:…", "issue:…") so a run can map keys
to whatever ids the platform gives. Bodies are API bodies as sent; an issue's
``organization_id`` and a resource's organisation are filled in from keys at
load time. Judgments grade resources per issue: 3 ideal, 2 good, 1 marginal,
unlisted 0.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "HARD_CASE_KINDS",
    "MATCHING_SET_PATH",
    "HardCase",
    "IssueEntry",
    "MatchingSet",
    "OrganizationEntry",
    "ResourceEntry",
    "load_matching_set",
]

MATCHING_SET_PATH = Path(__file__).with_name("matching_set.json")
HARD_CASE_KINDS = {
    "far_lookalike": "the same kind of offer, but too far away to partner with",
    "spelling_variant": "表記ゆれ: 子ども/子供/ｺﾄﾞﾓ, 高齢者/お年寄り/シニア, ボランテイア …",
    "wrong_type": "similar words, but not the kind of resource the issue needs",
    "outside_time": "available only outside the issue's time frame",
    "paraphrase": "relevant, but in other words: few shared characters",
    "inactive": "paused or retired: not on offer now",
}
GRADES = (1, 2, 3)


@dataclass(frozen=True)
class OrganizationEntry:
    key: str
    body: dict[str, Any]


@dataclass(frozen=True)
class ResourceEntry:
    key: str
    organization: str
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """Title and description: what a text-only ranker sees."""
        return f"{self.body['title']}\n{self.body.get('description', '')}"


@dataclass(frozen=True)
class HardCase:
    resource: str
    kind: str
    note: str


@dataclass(frozen=True)
class IssueEntry:
    key: str
    organization: str
    body: dict[str, Any]
    judgments: dict[str, int]
    hard_cases: tuple[HardCase, ...]

    @property
    def title(self) -> str:
        return str(self.body["title"])

    @property
    def text(self) -> str:
        return f"{self.body['title']}\n{self.body.get('description', '')}"


@dataclass(frozen=True)
class MatchingSet:
    organizations: tuple[OrganizationEntry, ...]
    resources: tuple[ResourceEntry, ...]
    issues: tuple[IssueEntry, ...]
    fingerprint: str
    """A digest of the file: changes whenever any body or judgment changes."""

    def resources_of(self, organization: str) -> set[str]:
        """Keys of the resources an organisation offers."""
        return {r.key for r in self.resources if r.organization == organization}


def load_matching_set(path: Path = MATCHING_SET_PATH) -> MatchingSet:
    """Read and check a set: unique keys, known references, grades 1..3, known hard-case kinds."""
    raw = path.read_bytes()
    data = json.loads(raw)
    matching_set = MatchingSet(
        organizations=tuple(OrganizationEntry(o["key"], o["body"]) for o in data["organizations"]),
        resources=tuple(
            ResourceEntry(r["key"], r["organization"], r["body"]) for r in data["resources"]
        ),
        issues=tuple(_issue(entry) for entry in data["issues"]),
        fingerprint=hashlib.sha256(raw).hexdigest()[:16],
    )
    _check(matching_set)
    return matching_set


def _issue(entry: dict[str, Any]) -> IssueEntry:
    return IssueEntry(
        key=entry["key"],
        organization=entry["organization"],
        body=entry["body"],
        judgments={key: int(grade) for key, grade in entry["judgments"].items()},
        hard_cases=tuple(HardCase(**case) for case in entry.get("hard_cases", ())),
    )


def _check(matching_set: MatchingSet) -> None:
    orgs = [o.key for o in matching_set.organizations]
    resources = [r.key for r in matching_set.resources]
    issues = [i.key for i in matching_set.issues]
    for what, keys in (("organisation", orgs), ("resource", resources), ("issue", issues)):
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate {what} keys in the matching set")
    known_orgs, known_resources = set(orgs), set(resources)
    for resource in matching_set.resources:
        _require(resource.organization in known_orgs, f"{resource.key}: unknown organisation")
    for issue in matching_set.issues:
        _check_issue(issue, known_orgs, known_resources, matching_set)


def _check_issue(
    issue: IssueEntry, orgs: set[str], resources: set[str], matching_set: MatchingSet
) -> None:
    _require(issue.organization in orgs, f"{issue.key}: unknown organisation")
    own = matching_set.resources_of(issue.organization)
    for key, grade in issue.judgments.items():
        _require(key in resources, f"{issue.key}: judges unknown resource {key}")
        _require(grade in GRADES, f"{issue.key}: grade of {key} must be 1, 2 or 3")
        _require(key not in own, f"{issue.key}: judges its own organisation's {key}")
    for case in issue.hard_cases:
        _require(case.resource in resources, f"{issue.key}: hard case {case.resource} unknown")
        _require(case.kind in HARD_CASE_KINDS, f"{issue.key}: unknown hard-case kind {case.kind}")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(f"matching set: {message}")
