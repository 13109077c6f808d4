"""The matching engine's vocabulary: what is ranked, what is asked, what comes back.

The engine is pure (no database, no web): the service feeds it documents built
from its read model and asks it questions. Resources are ranked for an issue
(candidates) and issues for a resource (opportunities) with the same code: both
sides are a :class:`Doc`, and a question is a :class:`Query`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["FACTORS", "Doc", "Query", "Scored", "Weights"]

FACTORS = ("text", "fields", "type", "geography", "availability", "trust")
"""The factors of a score, in the order of a factor vector."""

Weights = dict[str, float]
"""Factor name -> weight (non-negative). Weights come from configuration or from fitting."""


@dataclass(frozen=True)
class Doc:
    """Something that can be ranked: a resource (for candidates) or an issue (for opportunities)."""

    id: str
    organization_id: str
    text: str
    """Title, description and the rest of the free text, joined."""
    types: frozenset[str] = frozenset()
    """Resource types: a resource's own type, or the types an issue needs."""
    fields: frozenset[str] = frozenset()
    """Activity fields (the glossary's 20 values)."""
    areas: tuple[str, ...] = ()
    """Municipality codes (6 digits; the first two are the prefecture). Empty: not said."""
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    """How far from its point the doc's side can act (a resource's service radius)."""
    available_from: date | None = None
    available_until: date | None = None
    sector: str = ""
    """The sector of the doc's organisation (government, civil, business, academia, community)."""
    trust: float = 0.0
    """0..1: profile completeness and completed collaborations, computed by the service."""


@dataclass(frozen=True)
class Query:
    """What is being matched against the docs (an issue, or a resource)."""

    text: str
    types: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    areas: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class Scored:
    """One ranked doc: its score, each factor's value and contribution, and the matched terms."""

    id: str
    organization_id: str
    score: float
    values: dict[str, float]
    """Factor name -> value in 0..1."""
    contributions: dict[str, float]
    """Factor name -> weight × value (normalised weights): they add up to ``score``."""
    matched_terms: list[str] = field(default_factory=list)
    """Words (normalised forms) the query and the doc share, most informative first."""
