"""Load the demo city into a running platform through its HTTP API.

Idempotent: organisations are matched by ``name`` and resources (per
organisation) by ``title``; only what is missing is created, so a second run
creates nothing. Every POST carries the admin key and a fresh
``Idempotency-Key``.

Then the season (:mod:`kyodo.demo.season`): events are matched by ``title`` and
``starts_at``, opportunities by ``title`` and ``organization_id``, shifts (per
opportunity) by ``starts_at``; sign-ups are made only on a shift that has none
yet, and the points rule is set when it differs.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from kyodo.demo.city import demo_organizations
from kyodo.demo.issues import DemoIssue, demo_issues
from kyodo.demo.season import DemoSeason, SeasonOpportunity, demo_season

__all__ = ["DemoLoadError", "LoadReport", "load_demo"]

ORGANIZATIONS = "/v1/organizations"
EVENTS = "/v1/events"
OPPORTUNITIES = "/v1/opportunities"
POINTS_RULES = "/v1/points-rules"
ISSUES = "/v1/issues"
ISSUE_STATUSES = ("draft", "open", "matched", "closed")
# Every status, drafts too: the default listing hides drafts, and a rerun must see them.
EVENT_STATUSES = ("draft", "published", "cancelled", "postponed")
PHASE_ORGANIZATIONS = "demo organisations"
PHASE_SEASON = "demo season 2026-12〜2027-03 (events, volunteer opportunities)"
PHASE_ISSUES = "demo local issues (地域課題)"
PAGE_LIMIT = 200
_MAX_PAGES = 10_000


class DemoLoadError(RuntimeError):
    """The platform answered a request of the loader with an error."""

    def __init__(self, method: str, url: str, status: int, body: Any) -> None:
        self.method, self.url, self.status = method, url, status
        problem = body if isinstance(body, dict) else {}
        self.detail = (
            problem.get("detail") or problem.get("title") or (body if isinstance(body, str) else "")
        )
        self.errors = problem.get("errors")
        message = f"{method} {url} failed with HTTP {status}"
        if self.detail:
            message += f": {self.detail}"
        if self.errors:
            message += f" errors={self.errors!r}"
        super().__init__(message)


@dataclass
class LoadReport:
    """What a load did."""

    organizations_created: int = 0
    organizations_skipped: int = 0
    resources_created: int = 0
    resources_skipped: int = 0
    events_created: int = 0
    events_skipped: int = 0
    opportunities_created: int = 0
    opportunities_skipped: int = 0
    shifts_created: int = 0
    shifts_skipped: int = 0
    signups_created: int = 0
    signups_cancelled: int = 0
    points_rules_set: int = 0
    issues_created: int = 0
    issues_skipped: int = 0

    @property
    def season_created(self) -> int:
        """Events, opportunities, shifts, sign-ups and points rules written by this load."""
        return (
            self.events_created
            + self.opportunities_created
            + self.shifts_created
            + self.signups_created
            + self.points_rules_set
            + self.issues_created
        )

    @property
    def created(self) -> int:
        return self.organizations_created + self.resources_created + self.season_created


def load_demo(
    client: httpx.Client,
    *,
    admin_key: str,
    count: int = 300,
    progress: Callable[[int, int], None] | None = None,
    season: bool = True,
    phase: Callable[[str], None] | None = None,
) -> LoadReport:
    """Create the demo organisations, resources and season the platform does not have yet.

    ``client`` must have the platform's base URL. ``progress(done, total)`` is
    called after each organisation and then after each event, opportunity (with
    its shifts and sign-ups) and points rule of the season; ``total`` counts
    both phases, so one progress bar covers the whole load. ``phase(description)``
    is called when each phase starts. ``season=False`` loads the organisations only.
    """
    auth = {"Authorization": f"Bearer {admin_key}"}
    report = LoadReport()
    existing = {_key(item["name"]): item["id"] for item in _list(client, ORGANIZATIONS, auth)}
    demo = demo_organizations(count)
    plan = demo_season(demo) if season else None
    issues = demo_issues(demo) if season else []
    total = len(demo) + (plan.steps if plan else 0) + len(issues)
    if phase is not None:
        phase(PHASE_ORGANIZATIONS)
    for done, org in enumerate(demo, start=1):
        org_id = existing.get(_key(org.name))
        if org_id is None:
            created = _post(client, ORGANIZATIONS, org.payload, auth)
            org_id = created["id"]
            existing[_key(org.name)] = org_id
            report.organizations_created += 1
        else:
            report.organizations_skipped += 1
        path = f"{ORGANIZATIONS}/{org_id}/resources"
        titles = {_key(item["title"]) for item in _list(client, path, auth)}
        for resource in org.resources:
            if _key(resource["title"]) in titles:
                report.resources_skipped += 1
                continue
            _post(client, path, resource, auth)
            titles.add(_key(resource["title"]))
            report.resources_created += 1
        if progress is not None:
            progress(done, total)
    if plan is not None:
        if phase is not None:
            phase(PHASE_SEASON)
        step = _season_steps(len(demo), total, progress)
        _load_season(client, auth, plan, existing, report, step)
        if phase is not None:
            phase(PHASE_ISSUES)
        _load_issues(client, auth, issues, existing, report, step)
    return report


def _load_issues(
    client: httpx.Client,
    auth: dict[str, str],
    issues: list[tuple[str, DemoIssue]],
    organizations: Mapping[str, str],
    report: LoadReport,
    step: Callable[[], None],
) -> None:
    params = [("status", status) for status in ISSUE_STATUSES]
    posted = {
        (_key(item["title"]), item["organization_id"])
        for item in _list(client, ISSUES, auth, params)
    }
    for poster, issue in issues:
        owner = organizations[_key(poster)]
        if (_key(issue.body["title"]), owner) in posted:
            report.issues_skipped += 1
        else:
            _post(client, ISSUES, issue.payload(owner), auth)
            report.issues_created += 1
        step()


def _season_steps(
    done: int, total: int, progress: Callable[[int, int], None] | None
) -> Callable[[], None]:
    position = [done]

    def step() -> None:
        position[0] += 1
        if progress is not None:
            progress(position[0], total)

    return step


def _load_season(
    client: httpx.Client,
    auth: dict[str, str],
    plan: DemoSeason,
    organizations: Mapping[str, str],
    report: LoadReport,
    step: Callable[[], None],
) -> None:
    ids = {name: organizations[_key(name)] for name in _season_names(plan)}
    params = [("status", status) for status in EVENT_STATUSES]
    events = {
        (_key(item["title"]), _instant(item["starts_at"])): item["id"]
        for item in _list(client, EVENTS, auth, params)
    }
    event_ids: dict[str, str] = {}
    for event in plan.events:
        match = (_key(event.body["title"]), _instant(event.body["starts_at"]))
        event_id = events.get(match)
        if event_id is None:
            event_id = _post(client, EVENTS, event.payload(ids), auth)["id"]
            events[match] = event_id
            report.events_created += 1
        else:
            report.events_skipped += 1
        event_ids[event.key] = event_id
        step()
    opportunities = {
        (_key(item["title"]), item["organization_id"]): item["id"]
        for item in _list(client, OPPORTUNITIES, auth)
    }
    for opportunity in plan.opportunities:
        owner = ids[opportunity.organization]
        match = (_key(opportunity.body["title"]), owner)
        opportunity_id = opportunities.get(match)
        if opportunity_id is None:
            event_id = event_ids.get(opportunity.event_key) if opportunity.event_key else None
            body = opportunity.payload(owner, event_id)
            opportunity_id = _post(client, OPPORTUNITIES, body, auth)["id"]
            opportunities[match] = opportunity_id
            report.opportunities_created += 1
            _load_shifts(client, auth, opportunity, opportunity_id, report, new=True)
        else:
            report.opportunities_skipped += 1
            _load_shifts(client, auth, opportunity, opportunity_id, report, new=False)
        step()
    for code, rule in plan.points_rules.items():
        path = f"{POINTS_RULES}/{code}"
        current = client.get(path, headers=auth)
        if current.status_code != 404:
            stored = _check(current)
            if all(stored.get(name) == value for name, value in rule.items()):
                step()
                continue
        _check(client.put(path, json=rule, headers=auth))
        report.points_rules_set += 1
        step()


def _season_names(plan: DemoSeason) -> set[str]:
    names = {name for event in plan.events for name in event.organizers}
    return names | {opportunity.organization for opportunity in plan.opportunities}


def _load_shifts(
    client: httpx.Client,
    auth: dict[str, str],
    opportunity: SeasonOpportunity,
    opportunity_id: str,
    report: LoadReport,
    *,
    new: bool,
) -> None:
    path = f"{OPPORTUNITIES}/{opportunity_id}/shifts"
    shifts = {} if new else {_instant(s["starts_at"]): s["id"] for s in _list(client, path, auth)}
    for shift in opportunity.shifts:
        shift_id = shifts.get(_instant(shift.body["starts_at"]))
        fresh = shift_id is None
        if shift_id is None:
            shift_id = _post(client, path, shift.body, auth)["id"]
            shifts[_instant(shift.body["starts_at"])] = shift_id
            report.shifts_created += 1
        else:
            report.shifts_skipped += 1
        if not shift.signups:
            continue
        signups_path = f"/v1/shifts/{shift_id}/signups"
        if not fresh and _has_items(client, signups_path, auth):
            continue  # sign-ups are personal data: never add people to a shift that has some
        made = [_post(client, signups_path, body, auth) for body in shift.signups]
        report.signups_created += len(made)
        if shift.cancel_first and made:
            _post(client, f"/v1/signups/{made[0]['id']}/cancel", {}, auth)
            report.signups_cancelled += 1


def _has_items(client: httpx.Client, path: str, headers: dict[str, str]) -> bool:
    page = _check(client.get(path, params={"limit": 1}, headers=headers))
    return bool(page.get("items"))


def _instant(value: str) -> datetime:
    """Times compare as instants: the server may write another offset than we sent."""
    return datetime.fromisoformat(value)


def _key(text: str) -> str:
    """Names as the server stores them (trimmed, NFC) so a rerun matches them."""
    return unicodedata.normalize("NFC", text.strip())


def _list(
    client: httpx.Client,
    path: str,
    headers: dict[str, str],
    filters: list[tuple[str, str]] | None = None,
) -> Iterator[dict[str, Any]]:
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        params: list[tuple[str, str | int]] = [*(filters or []), ("limit", PAGE_LIMIT)]
        if cursor:
            params.append(("cursor", cursor))
        page = _check(client.get(path, params=params, headers=headers))
        yield from page.get("items", [])
        cursor = page.get("next_cursor")
        if not cursor:
            return
    raise DemoLoadError("GET", path, 0, {"detail": f"more than {_MAX_PAGES} pages; cursor loop?"})


def _post(
    client: httpx.Client, path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    return _check(client.post(path, json=body, headers=headers))


def _check(response: httpx.Response) -> dict[str, Any]:
    if response.is_success:
        return response.json() if response.content else {}
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:500]
    raise DemoLoadError(
        response.request.method, str(response.request.url), response.status_code, body
    )
