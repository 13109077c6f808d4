"""ボランティア時間の見える化: volunteer hours and points, per organisation and per person.

An organisation's totals are public figures. A person's totals are personal
data: the person (the token of any of their sign-ups) and administrators see
them across every organisation, an organisation's key only the hours given to
that organisation. A municipality's points rule is set by a key acting for
that municipality (a ``government`` organisation with its code).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlmodel import Session

from services.common.auth import Client, Forbidden
from services.common.timefmt import utcnow
from services.common.versioned import bump
from services.events import repository
from services.events.models import Opportunity, PointsRule, Signup
from services.events.readmodel import known_organizations
from services.events.volunteering import token_digest
from services.events.volunteering_schemas import HoursTotals, PointsRuleBody

__all__ = ["organization_totals", "person_totals", "points_for", "set_points_rule"]


def points_for(hours: float, rule: PointsRule | None) -> float:
    """Points earned for one attended sign-up under a municipality's rule."""
    if rule is None or hours < rule.minimum_hours:
        return 0.0
    points = hours * rule.points_per_hour
    if rule.max_points_per_signup is not None:
        points = min(points, rule.max_points_per_signup)
    return math.floor(points * 100) / 100


def _totals(session: Session, rows: Sequence[tuple[Signup, Opportunity]]) -> HoursTotals:
    rules = repository.points_rules(session, [o.municipality_code for _, o in rows])
    hours = sum(s.hours or 0 for s, _ in rows)
    points = sum(points_for(s.hours or 0, rules.get(o.municipality_code)) for s, o in rows)
    return HoursTotals(
        hours=round(hours, 2),
        signups=len(rows),
        volunteers=len({s.person_key for s, _ in rows}),
        points=round(points, 2),
    )


def organization_totals(session: Session, organization_id: str) -> HoursTotals:
    """Hours given to an organisation's opportunities (public figures, no personal data)."""
    return _totals(session, repository.attended_rows(session, organization_ids=[organization_id]))


def _is_the_person(session: Session, person_key: str, token: str | None) -> bool:
    if not token:
        return False
    digest = token_digest(token)
    return any(s.token_hash == digest for s in repository.person_signups(session, person_key))


def person_totals(
    session: Session, person_key: str, *, actor: Client, token: str | None
) -> HoursTotals:
    """A person's hours and points: across every organisation for the person (their token)
    or an administrator, else only those given to the organisations ``actor`` acts for."""
    everywhere = actor.is_admin or _is_the_person(session, person_key, token)
    owners = None if everywhere else actor.organization_ids
    rows = repository.attended_rows(session, person_key=person_key, organization_ids=owners)
    return _totals(session, rows)


def require_municipality(session: Session, actor: Client, municipality_code: str) -> None:
    """403 unless ``actor`` acts for the municipality (a ``government`` organisation with
    that code) or is an administrator."""
    if actor.is_admin:
        return
    refs = known_organizations(session, actor.organization_ids).values()
    if not any(r.kind == "government" and r.municipality_code == municipality_code for r in refs):
        raise Forbidden(
            f"Only municipality {municipality_code} (or an administrator) sets its points rule."
        )


def set_points_rule(
    session: Session, municipality_code: str, body: PointsRuleBody, *, actor: Client
) -> PointsRule:
    """Create or replace a municipality's points rule (the municipality's key)."""
    require_municipality(session, actor, municipality_code)
    rule = session.get(PointsRule, municipality_code)
    if rule is None:
        rule = PointsRule(
            municipality_code=municipality_code, updated_at=utcnow(), **body.model_dump()
        )
        session.add(rule)
    else:
        for name, value in body.model_dump().items():
            setattr(rule, name, value)
        bump(rule)
    session.commit()
    return rule
