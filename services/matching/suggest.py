"""Candidates, opportunities and coalitions: the engine's answers, shaped for the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from services.matching.engine.coalitions import propose_coalitions
from services.matching.engine.types import FACTORS, Scored
from services.matching.filters import CandidateQuery, CoalitionQuery, OpportunityQuery
from services.matching.issues import known_organizations
from services.matching.models import FittedWeights, Issue, OrganizationDoc, ResourceDoc
from services.matching.ranking import Ranking, issue_query, resource_query
from services.matching.repository import organizations_by_id
from services.matching.schemas import (
    Candidate,
    CandidatePage,
    Coalition,
    CoalitionMember,
    CoalitionPage,
    Opportunity,
    OpportunityPage,
)

__all__ = ["candidates", "coalitions", "current_weights", "opportunities", "score_resource"]

_COALITION_POOL = 60  # candidates considered when assembling coalitions
_PROPOSAL_POOL = 1000  # a proposed resource is looked for among this many candidates


def current_weights(session: Session, configured: dict[str, float]) -> dict[str, float]:
    """The newest fitted weights that proved better than what was used, else configuration."""
    fitted = session.exec(
        select(FittedWeights)
        .where(col(FittedWeights.applied).is_(True))
        .order_by(col(FittedWeights.id).desc())
        .limit(1)
    ).first()
    weights = fitted.weights if fitted is not None else configured
    total = sum(weights.values()) or 1.0
    return {name: round(float(weights.get(name, 0.0)) / total, 6) for name in FACTORS}


def _factors(scored: Scored, weights: dict[str, float]) -> dict[str, dict[str, float]]:
    return {
        name: {
            "value": round(scored.values[name], 4),
            "weight": weights[name],
            "contribution": round(scored.contributions[name], 4),
        }
        for name in FACTORS
    }


def _rank_resources(
    ranking: Ranking, session: Session, issue: Issue, weights: dict[str, float], **options: Any
) -> list[Scored]:
    ranking.refresh(session)
    org = known_organizations(session, [issue.organization_id]).get(issue.organization_id)
    return ranking.resources.rank(
        issue_query(issue, org),
        weights,
        exclude_organizations=frozenset({issue.organization_id}),
        **options,
    )


def score_resource(
    ranking: Ranking, session: Session, issue: Issue, resource_id: str, weights: dict[str, float]
) -> Scored | None:
    """One resource's score for an issue exactly as the candidates list ranks it; None
    when it is not ranked (inactive) or not among the best ``_PROPOSAL_POOL``."""
    found = _rank_resources(ranking, session, issue, weights, limit=_PROPOSAL_POOL)
    return next((scored for scored in found if scored.id == resource_id), None)


def candidates(
    ranking: Ranking,
    session: Session,
    issue: Issue,
    query: CandidateQuery,
    weights: dict[str, float],
) -> CandidatePage:
    """Resources ranked for an issue, with each factor's share and the matched terms."""
    found = _rank_resources(
        ranking,
        session,
        issue,
        weights,
        limit=query.limit,
        types=frozenset(query.resource_type) or None,
        sectors=frozenset(query.sector) or None,
        areas=frozenset(query.municipality_code) or None,
    )
    resources, orgs = _resources_and_orgs(session, [s.id for s in found])
    items = [
        Candidate(
            resource_id=s.id,
            organization_id=s.organization_id,
            organization_name=orgs[s.organization_id].name,
            resource_title=resources[s.id].title,
            resource_type=resources[s.id].type,
            sector=orgs[s.organization_id].sector,
            municipality_codes=resources[s.id].municipality_codes,
            score=round(s.score, 4),
            factors=_factors(s, weights),  # type: ignore[arg-type]
            matched_terms=s.matched_terms,
        )
        for s in found
        if s.id in resources and s.organization_id in orgs
    ]
    return CandidatePage(items=items, weights=weights)


def opportunities(
    ranking: Ranking,
    session: Session,
    resource: ResourceDoc,
    query: OpportunityQuery,
    weights: dict[str, float],
) -> OpportunityPage:
    """Open issues ranked for a resource."""
    ranking.refresh(session)
    org = session.get(OrganizationDoc, resource.organization_id)
    assert org is not None
    found = ranking.issues.rank(
        resource_query(resource, org),
        weights,
        limit=query.limit,
        areas=frozenset(query.municipality_code) or None,
        exclude_organizations=frozenset({resource.organization_id}),
    )
    issues = {
        i.id: i for i in session.exec(select(Issue).where(col(Issue.id).in_([s.id for s in found])))
    }
    items = [
        Opportunity(
            issue_id=s.id,
            organization_id=s.organization_id,
            title=issues[s.id].title,
            municipality_code=issues[s.id].municipality_code,
            needed_resource_types=issues[s.id].needed_resource_types,  # type: ignore[arg-type]
            score=round(s.score, 4),
            factors=_factors(s, weights),  # type: ignore[arg-type]
            matched_terms=s.matched_terms,
        )
        for s in found
        if s.id in issues
    ]
    return OpportunityPage(items=items, weights=weights)


def coalitions(
    ranking: Ranking,
    session: Session,
    issue: Issue,
    query: CoalitionQuery,
    weights: dict[str, float],
) -> CoalitionPage:
    """A few small sets of partners that together cover every needed resource type."""
    needed = list(issue.needed_resource_types)
    found = _rank_resources(
        ranking, session, issue, weights, limit=_COALITION_POOL, types=frozenset(needed)
    )
    docs = {s.id: ranking.resources.get(s.id) for s in found}
    proposals = propose_coalitions(
        needed,
        found,
        {key: doc for key, doc in docs.items() if doc is not None},
        max_size=query.max_size,
        proposals=query.proposals,
    )
    resources, orgs = _resources_and_orgs(
        session, [m.resource_id for p in proposals for m in p.members]
    )
    return CoalitionPage(items=[_coalition(p, resources, orgs) for p in proposals])


def _coalition(
    proposal: Any, resources: dict[str, ResourceDoc], orgs: dict[str, OrganizationDoc]
) -> Coalition:
    members = [
        CoalitionMember(
            resource_id=m.resource_id,
            organization_id=m.organization_id,
            organization_name=orgs[m.organization_id].name if m.organization_id in orgs else "",
            resource_title=resources[m.resource_id].title if m.resource_id in resources else "",
            sector=orgs[m.organization_id].sector if m.organization_id in orgs else "",
            covers=list(m.covers),
            score=round(m.score, 4),
        )
        for m in proposal.members
    ]
    return Coalition(
        members=members,
        uncovered=list(proposal.uncovered),
        sectors=list(proposal.sectors),
        score=round(proposal.score, 4),
    )


def _resources_and_orgs(
    session: Session, ids: Iterable[str]
) -> tuple[dict[str, ResourceDoc], dict[str, OrganizationDoc]]:
    wanted = list(set(ids))
    if not wanted:
        return {}, {}
    query = select(ResourceDoc).where(col(ResourceDoc.id).in_(wanted))
    resources = {r.id: r for r in session.exec(query)}
    return resources, organizations_by_id(session, {r.organization_id for r in resources.values()})
