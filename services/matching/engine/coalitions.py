"""Coalitions: small sets of partners that together cover everything an issue needs.

A こども食堂 needs goods (food), volunteers (hands), a venue (a kitchen) and funding:
a food bank NPO, a company's employee volunteers, a community hall and a
foundation's grant. Given the ranked candidates for the issue, a beam search
assigns one candidate resource to each needed type and keeps the best few sets.

Choices:

* **Partners are organisations.** Members stay resources (what is offered), but
  ``max_size`` and the cost of a partner count distinct organisations: one
  organisation covering two types with two resources is one partner. A resource
  of several types can cover each of them.
* **Coverage first.** Proposals are ordered by how many needed types stay
  uncovered, then by score. The search also tries leaving each type uncovered,
  so a small ``max_size`` is spent on the partners that cover the most (one
  partner covering two types beats two partners covering one each).
* **Score** = 0.75 × strength (the mean candidate score over the covered types)
  + 0.25 × nearness (the mean geography value of the members)
  + ``SECTOR_BONUS`` per sector beyond the first − ``PARTNER_COST`` per partner
  beyond the first: a partner that brings a new sector is worth about its cost,
  one that brings none must earn its place by strength.
* **Different proposals.** After the best, each next proposal is the one with the
  best score less ``OVERLAP_COST`` × its overlap (Jaccard, on resources) with the
  proposals already chosen; the same set of resources is never proposed twice.
  The chosen ones are returned best first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .types import Doc, Scored

__all__ = [
    "OVERLAP_COST",
    "PARTNER_COST",
    "SECTOR_BONUS",
    "Coalition",
    "Member",
    "propose_coalitions",
]

SECTOR_BONUS = 0.04
PARTNER_COST = 0.03
OVERLAP_COST = 0.2
STRENGTH, NEARNESS = 0.75, 0.25
BEAM_WIDTH = 96


@dataclass(frozen=True)
class Member:
    """One resource in a coalition and the needed types it covers there."""

    resource_id: str
    organization_id: str
    covers: list[str]
    score: float
    """The resource's own match score for the issue."""


@dataclass(frozen=True)
class Coalition:
    members: list[Member]
    uncovered: list[str]
    sectors: list[str]
    """The distinct sectors of the members' organisations, in member order."""
    score: float


@dataclass(frozen=True, slots=True)
class _Option:
    scored: Scored
    doc: Doc


# A partial coalition: for each needed type handled so far, its option (None: uncovered).
_State = tuple[_Option | None, ...]


def propose_coalitions(
    needed: Sequence[str],
    candidates: Sequence[Scored],
    docs: Mapping[str, Doc],
    *,
    max_size: int = 4,
    proposals: int = 3,
    per_type: int = 5,
) -> list[Coalition]:
    """Up to ``proposals`` different coalitions of at most ``max_size`` partners covering
    ``needed`` from ``candidates`` (best first). For each type, the best ``per_type``
    candidates of partners already chosen and of new partners are tried."""
    wanted = list(dict.fromkeys(needed))
    if not wanted or max_size < 1 or proposals < 1:
        return []
    options = _options(wanted, candidates, docs)
    order = sorted(range(len(wanted)), key=lambda i: (len(options[i]), i))
    states: list[_State] = [()]
    for position in order:
        states = _expand(states, options[position], max_size, per_type)
        states = sorted(states, key=_key)[:BEAM_WIDTH]
    finals = _unique(_arranged(state, order, wanted) for state in states)
    coalitions = [c for c in (_coalition(final, wanted) for final in finals) if c.members]
    if not coalitions:  # nobody offers anything needed: say so
        return [Coalition(members=[], uncovered=wanted, sectors=[], score=0.0)]
    # Alternatives must cover as much as the best does: never trade coverage for variety.
    fewest = min(len(c.uncovered) for c in coalitions)
    return _diverse([c for c in coalitions if len(c.uncovered) == fewest], proposals)


def _options(
    wanted: list[str], candidates: Sequence[Scored], docs: Mapping[str, Doc]
) -> list[list[_Option]]:
    """Every candidate of each needed type, best first."""
    ranked = sorted(
        (_Option(s, docs[s.id]) for s in candidates if s.id in docs),
        key=lambda o: (-o.scored.score, o.scored.id),
    )
    return [[o for o in ranked if kind in o.doc.types] for kind in wanted]


def _expand(
    states: list[_State], options: list[_Option], max_size: int, per_type: int
) -> list[_State]:
    """Each state with each of the best ``per_type`` options of partners already in it, of
    new partners while there is room, and with the type left uncovered."""
    grown: list[_State] = []
    for state in states:
        partners = {o.doc.organization_id for o in state if o is not None}
        known = [o for o in options if o.doc.organization_id in partners][:per_type]
        new = [] if len(partners) >= max_size else [
            o for o in options if o.doc.organization_id not in partners
        ][:per_type]  # fmt: skip
        grown.extend((*state, option) for option in known + new)
        grown.append((*state, None))
    return grown


def _arranged(state: _State, order: list[int], wanted: list[str]) -> dict[str, _Option | None]:
    """The state's options by needed type, in the order the types were asked for."""
    by_position = dict(zip(order, state, strict=False))
    return {wanted[i]: by_position[i] for i in sorted(by_position)}


def _key(state: _State) -> tuple[int, float, tuple[str, ...]]:
    """How good a (partial) coalition is: fewest uncovered, best score, then its resources."""
    chosen = [option for option in state if option is not None]
    members = {option.scored.id: option for option in chosen}
    return (len(state) - len(chosen), -_score(chosen, members), tuple(sorted(members)))


def _score(chosen: list[_Option], members: Mapping[str, _Option]) -> float:
    """The score of the module docstring; ``chosen``: one option per covered type."""
    if not chosen:
        return 0.0
    strength = sum(option.scored.score for option in chosen) / len(chosen)
    nearness = sum(o.scored.values.get("geography", 0.0) for o in members.values())
    sectors = {o.doc.sector for o in members.values() if o.doc.sector}
    partners = {o.doc.organization_id for o in members.values()}
    score = STRENGTH * strength + NEARNESS * nearness / len(members)
    score += SECTOR_BONUS * max(len(sectors) - 1, 0) - PARTNER_COST * (len(partners) - 1)
    return round(score, 6)


def _coalition(assignment: Mapping[str, _Option | None], wanted: list[str]) -> Coalition:
    members: dict[str, tuple[_Option, list[str]]] = {}
    for kind in wanted:
        option = assignment.get(kind)
        if option is not None:
            members.setdefault(option.scored.id, (option, []))[1].append(kind)
    chosen = [option for kind in wanted if (option := assignment.get(kind)) is not None]
    return Coalition(
        members=[
            Member(o.scored.id, o.doc.organization_id, covers, o.scored.score)
            for o, covers in members.values()
        ],
        uncovered=[kind for kind in wanted if assignment.get(kind) is None],
        sectors=list(dict.fromkeys(o.doc.sector for o, _ in members.values() if o.doc.sector)),
        score=_score(chosen, {key: o for key, (o, _) in members.items()}),
    )


def _unique(assignments: Iterable[dict[str, _Option | None]]) -> list[dict[str, _Option | None]]:
    seen: set[tuple] = set()
    kept = []
    for assignment in assignments:
        signature = tuple(sorted((k, o.scored.id if o else "") for k, o in assignment.items()))
        if signature not in seen:
            seen.add(signature)
            kept.append(assignment)
    return kept


def _resources(coalition: Coalition) -> tuple[str, ...]:
    return tuple(sorted(m.resource_id for m in coalition.members))


def _diverse(coalitions: list[Coalition], count: int) -> list[Coalition]:
    """Best first, then greedily the best score less the overlap with those chosen."""
    pool = sorted(coalitions, key=lambda c: (len(c.uncovered), -c.score, _resources(c)))
    chosen: list[Coalition] = []
    while pool and len(chosen) < count:
        best = min(pool, key=lambda c: _penalised(c, chosen))
        chosen.append(best)
        pool = [c for c in pool if set(_resources(c)) != set(_resources(best))]
    return sorted(chosen, key=lambda c: (len(c.uncovered), -c.score, _resources(c)))


def _penalised(coalition: Coalition, chosen: list[Coalition]) -> tuple[int, float, tuple]:
    mine = set(_resources(coalition))
    overlap = max(
        (len(mine & set(_resources(c))) / len(mine | set(_resources(c))) for c in chosen),
        default=0.0,
    )
    return (
        len(coalition.uncovered),
        -(coalition.score - OVERLAP_COST * overlap),
        _resources(coalition),
    )
