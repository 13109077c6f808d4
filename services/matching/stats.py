"""Collaboration statistics (協働の実績): aggregate figures only, no names, no personal data.

Definitions (the figures a municipality reports):

* a **match** counts in the year (Japan time) it was proposed and in the
  municipality of its issue, whatever became of it;
* a **collaboration** is an issue together with every partner it reached an
  agreement with (a match that was ever ``agreed``, even if ended later). Its
  sectors are those of the issue's organisation and of those partners, so a
  coalition of three partners can join three or more sectors; it counts in the
  year of its first agreement;
* a **cross-sector collaboration** joins three or more sectors (government,
  civil, business, academia, community), as the glossary defines it: the
  headline indicator municipalities count;
* **issues posted** are the issues that were ever opened (``opened_at``), by
  month of first opening; drafts, even drafts closed unposted, are not counted;
* **time to first agreement** is from first opening an issue to its first agreement.

Issues that were deleted, and their matches, are left out.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from services.common.timefmt import JST
from services.matching.match_schemas import Collaborations, Stats, StatsQuery, TimeToAgreement
from services.matching.models import Issue, Match, OrganizationDoc

__all__ = ["collaboration_stats"]

_DAY_SECONDS = 86_400


CROSS_SECTOR_MINIMUM = 3
"""Sectors a collaboration joins to count as cross-sector (GLOSSARY.md)."""


@dataclass
class _Collaboration:
    posted_at: datetime | None
    first_agreed_at: datetime
    organization_ids: set[str] = field(default_factory=set)
    agreed_matches: int = 0


def _local(moment: datetime) -> datetime:
    return moment.astimezone(JST)


def _in_year(moment: datetime, year: int | None) -> bool:
    return year is None or _local(moment).year == year


def collaboration_stats(session: Session, query: StatsQuery) -> Stats:
    """The figures of ``GET /v1/stats``, for one municipality and year when asked."""
    issue_filter = [col(Issue.deleted_at).is_(None)]
    if query.municipality_code:
        issue_filter.append(Issue.municipality_code == query.municipality_code)
    matches = session.exec(
        select(
            Match.issue_id,
            Match.created_at,
            Match.agreed_at,
            Match.issue_organization_id,
            Match.organization_id,
            Issue.municipality_code,
            Issue.opened_at,
        )
        .join(Issue, col(Issue.id) == col(Match.issue_id))
        .where(*issue_filter)
    ).all()
    per_year: Counter[str] = Counter()
    per_municipality: Counter[str] = Counter()
    collaborations: dict[str, _Collaboration] = {}
    for issue_id, proposed_at, agreed_at, issue_org, partner, municipality, posted_at in matches:
        if _in_year(proposed_at, query.year):
            per_year[str(_local(proposed_at).year)] += 1
            per_municipality[municipality] += 1
        if agreed_at is None:
            continue
        found = collaborations.setdefault(
            issue_id, _Collaboration(posted_at, agreed_at, {issue_org})
        )
        found.first_agreed_at = min(found.first_agreed_at, agreed_at)
        found.organization_ids.add(partner)
        found.agreed_matches += 1
    counted = [c for c in collaborations.values() if _in_year(c.first_agreed_at, query.year)]
    posted = session.exec(
        select(Issue.opened_at).where(*issue_filter, col(Issue.opened_at).is_not(None))
    ).all()
    per_month = Counter(
        _local(moment).strftime("%Y-%m")
        for moment in posted
        if moment is not None and _in_year(moment, query.year)
    )
    return Stats(
        municipality_code=query.municipality_code,
        year=query.year,
        matches_per_year=dict(sorted(per_year.items())),
        matches_per_municipality=dict(sorted(per_municipality.items())),
        collaborations=_by_sectors(session, counted),
        issues_per_month=dict(sorted(per_month.items())),
        time_to_first_agreement=_time_to_agreement(counted),
    )


def _by_sectors(session: Session, collaborations: list[_Collaboration]) -> Collaborations:
    wanted = {org for c in collaborations for org in c.organization_ids}
    sector_of = {
        org.id: org.sector
        for org in session.exec(select(OrganizationDoc).where(col(OrganizationDoc.id).in_(wanted)))
        if org.sector
    }
    combinations: Counter[str] = Counter()
    cross = 0
    for collaboration in collaborations:
        sectors = sorted({sector_of[o] for o in collaboration.organization_ids if o in sector_of})
        combinations["+".join(sectors) or "unknown"] += 1
        cross += len(sectors) >= CROSS_SECTOR_MINIMUM
    return Collaborations(
        total=len(collaborations),
        agreed_matches=sum(c.agreed_matches for c in collaborations),
        by_sectors=dict(sorted(combinations.items())),
        cross_sector=cross,
        three_or_more_sectors=cross,
    )


def _time_to_agreement(collaborations: list[_Collaboration]) -> TimeToAgreement:
    days = [
        (c.first_agreed_at - c.posted_at).total_seconds() / _DAY_SECONDS
        for c in collaborations
        if c.posted_at is not None
    ]
    if not days:
        return TimeToAgreement(count=0, median_days=None, mean_days=None)
    return TimeToAgreement(
        count=len(days),
        median_days=round(statistics.median(days), 2),
        mean_days=round(statistics.fmean(days), 2),
    )
