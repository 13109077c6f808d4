"""Geography of a match: area codes and points, scored for every doc at once.

Areas are 全国地方公共団体コード: 6 digits (the last a check digit, ignored here,
so 5-digit codes work too), the first two the prefecture. A code whose municipal
part is ``000`` (460001 鹿児島県) or a bare 2-digit code (``"46"``) means the whole
prefecture. Other strings are ignored: the engine scores data, the service
validates it.

The factor is the best of what applies:

==================================================  ================================
an area in common, or within a radius               1.0 (``SAME_AREA``)
one side serves the other's whole prefecture        0.85 (``PREFECTURE_WIDE``)
same prefecture                                     0.6 (``SAME_PREFECTURE``)
both points known: decays with the distance d       0.9 / (1 + (d / 20 km)²)
comparable (both areas, or both points), nothing    0.0 (far away)
the doc cannot be compared (no area, no point)      0.3 (``UNKNOWN``)
the query says nothing about where                  0.5 for every doc (``NEUTRAL``)
==================================================  ================================

Points are unit vectors: the chord c between two points gives the haversine
exactly (hav θ = (c / 2)²), so "within the radius" needs no trigonometry per doc;
the decay uses the chord length (within 1 % of the arc below 1 000 km).

Each doc's first area is an id into a table of distinct areas (a query scores the
table, a few thousand entries at most, then gathers); further areas are extra
(row, area) pairs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "NEUTRAL",
    "PREFECTURE_WIDE",
    "SAME_AREA",
    "SAME_PREFECTURE",
    "UNKNOWN",
    "Area",
    "AreaTable",
    "GeoArrays",
    "Place",
    "geography",
    "member",
    "parse_areas",
    "place_of",
    "serves",
]

SAME_AREA = 1.0
PREFECTURE_WIDE = 0.85
SAME_PREFECTURE = 0.6
NEAR = 0.9
"""The decay's value at distance 0 (a neighbour in another municipality)."""
NEAR_KM = 20.0
"""The decay halves at this distance."""
UNKNOWN = 0.3
NEUTRAL = 0.5

EARTH_RADIUS_KM = 6371.0088
NO_POINT = (9.0, 9.0, 9.0)
"""Stands for an unknown point: at least 8 away from every unit vector, so never near."""
WHOLE = -1
"""The municipality of an area that is a whole prefecture."""
NO_AREA = 0
"""The area id of a doc without areas."""


@dataclass(frozen=True, slots=True)
class Area:
    """One parsed area code: ``municipality`` is the 5-digit code, or ``WHOLE``."""

    municipality: int
    prefecture: int


def parse_area(code: str) -> Area | None:
    code = code.strip()
    if not code.isascii() or not code.isdigit() or len(code) not in (2, 5, 6):
        return None
    prefecture = int(code[:2])
    if not 1 <= prefecture <= 47:
        return None
    if len(code) == 2 or code[2:5] == "000":
        return Area(WHOLE, prefecture)
    return Area(int(code[:5]), prefecture)


def parse_areas(codes: Iterable[str]) -> list[Area]:
    return list(dict.fromkeys(area for area in map(parse_area, codes) if area is not None))


@dataclass(frozen=True, slots=True)
class Place:
    """Where a query or doc is: areas, a unit vector and the radius as a squared chord."""

    areas: tuple[Area, ...]
    xyz: tuple[float, float, float]
    reach2: float
    """The squared chord of the radius (-1: no radius)."""

    @property
    def has_point(self) -> bool:
        return self.xyz != NO_POINT


def place_of(
    areas: Sequence[str], latitude: float | None, longitude: float | None, radius_km: float | None
) -> Place:
    xyz = unit_vector(latitude, longitude)
    reach2 = -1.0
    if radius_km is not None and radius_km > 0 and xyz != NO_POINT:
        half_angle = min(radius_km / EARTH_RADIUS_KM, math.pi) / 2
        reach2 = (2 * math.sin(half_angle)) ** 2
    return Place(tuple(parse_areas(areas)), xyz, reach2)


def unit_vector(latitude: float | None, longitude: float | None) -> tuple[float, float, float]:
    if latitude is None or longitude is None:
        return NO_POINT
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or abs(latitude) > 90:
        return NO_POINT
    phi, lam = math.radians(latitude), math.radians(longitude)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


class AreaTable:
    """Distinct areas to dense ids (0: no area); grown by the writer, read by prefix."""

    def __init__(self) -> None:
        self._ids: dict[Area, int] = {}
        self.size = 1
        self.municipality = np.full(64, -2, dtype=np.int32)  # -2: matches nothing
        self.prefecture = np.full(64, -2, dtype=np.int32)

    def id_of(self, area: Area) -> int:
        found = self._ids.get(area)
        if found is not None:
            return found
        if self.size == len(self.municipality):  # new arrays: snapshots keep the old ones
            self.municipality = np.concatenate([self.municipality, self.municipality])
            self.prefecture = np.concatenate([self.prefecture, self.prefecture])
        self.municipality[self.size] = area.municipality
        self.prefecture[self.size] = area.prefecture
        self._ids[area] = self.size
        self.size += 1
        return self.size - 1


@dataclass(frozen=True, slots=True)
class GeoArrays:
    """A snapshot's view: per row, per extra (row, area) pair, and per distinct area."""

    x: np.ndarray  # float32 unit vector, NO_POINT when unknown
    y: np.ndarray
    z: np.ndarray
    reach2: np.ndarray  # float32 squared chord of the radius, -1: none
    area: np.ndarray  # int32 id of the first area, NO_AREA: none
    no_point: np.ndarray  # float32: UNKNOWN where the doc has no point, else 0
    silent: np.ndarray  # float32: UNKNOWN where the doc has neither area nor point, else 0
    extra_row: np.ndarray  # int32: rows with more than one area ...
    extra_area: np.ndarray  # ... and the id of each further area
    municipality: np.ndarray  # int32 per area id
    prefecture: np.ndarray

    def subset(self, rows: np.ndarray) -> GeoArrays:
        """The same arrays for ``rows`` only, extra pairs renumbered to positions in ``rows``."""
        # Pairs are in row order (appended so, kept so by compaction): each row's are a range.
        first = np.searchsorted(self.extra_row, rows, "left")
        count = np.searchsorted(self.extra_row, rows, "right") - first
        position = np.repeat(np.arange(len(rows), dtype=np.int32), count)
        pairs = np.repeat(first - np.cumsum(count) + count, count) + np.arange(len(position))
        return GeoArrays(
            self.x[rows], self.y[rows], self.z[rows], self.reach2[rows], self.area[rows],
            self.no_point[rows], self.silent[rows], position, self.extra_area[pairs],
            self.municipality, self.prefecture,
        )  # fmt: skip


def geography(g: GeoArrays, query: Place) -> np.ndarray | float:
    """The geography factor of every row for ``query`` (a scalar when it is the same for all)."""
    if not query.areas and not query.has_point:
        return NEUTRAL
    value = part(g, query, 1.0)
    static = floor(g, query)
    return value if static is None else np.add(value, static, out=value)


def floor(g: GeoArrays, query: Place) -> np.ndarray | None:
    """The query-independent part of the factor: ``UNKNOWN`` for docs the query cannot be
    compared with. It only depends on what the query gives (areas, a point), so it can be
    computed once per snapshot and weight."""
    if query.has_point:
        return g.silent if query.areas else g.no_point
    return None  # by areas only: the gather gives docs without areas UNKNOWN itself


def part(g: GeoArrays, query: Place, weight: float) -> np.ndarray:
    """``weight`` × the query-dependent part of the factor (see ``floor``)."""
    if not query.has_point:
        return _by_area(g, query.areas, UNKNOWN, weight)
    value = _by_distance(g, query, weight)
    if query.areas:
        np.maximum(value, _by_area(g, query.areas, 0.0, weight), out=value)
    return value


def _by_area(g: GeoArrays, areas: Sequence[Area], no_area: float, weight: float) -> np.ndarray:
    table = area_levels(g.municipality, g.prefecture, areas)
    table[NO_AREA] = no_area
    table *= np.float32(weight)
    value = np.take(table, g.area)
    if len(g.extra_row):
        np.maximum.at(value, g.extra_row, np.take(table, g.extra_area))
    return value


def area_levels(
    municipality: np.ndarray, prefecture: np.ndarray, areas: Sequence[Area]
) -> np.ndarray:
    """The level each distinct area reaches against the query's ``areas``."""
    prefectures = {a.prefecture for a in areas}
    whole = {a.prefecture for a in areas if a.municipality == WHOLE}
    municipalities = {a.municipality for a in areas} - {WHOLE}
    same_prefecture = member(prefecture, prefectures)
    covered = same_prefecture & ((municipality == WHOLE) | member(prefecture, whole))
    table = same_prefecture.astype(np.float32) * np.float32(SAME_PREFECTURE)
    table[covered] = PREFECTURE_WIDE
    table[member(municipality, municipalities)] = SAME_AREA
    table[(municipality == WHOLE) & member(prefecture, whole)] = SAME_AREA  # both: the whole
    return table


def _by_distance(g: GeoArrays, query: Place, weight: float) -> np.ndarray:
    """``weight`` × (the decay, or 1 within a radius); ~0 for docs without a point."""
    qx, qy, qz = (np.float32(c) for c in query.xyz)
    chord2 = np.square(g.x - qx)
    chord2 += np.square(g.y - qy)
    chord2 += np.square(g.z - qz)
    within = chord2 <= np.maximum(g.reach2, np.float32(query.reach2))
    value = chord2
    value *= np.float32((EARTH_RADIUS_KM / NEAR_KM) ** 2)
    value += np.float32(1.0)
    np.divide(np.float32(NEAR * weight), value, out=value)
    return np.maximum(value, within * np.float32(weight), out=value)


def serves(g: GeoArrays, codes: Iterable[str]) -> np.ndarray:
    """Rows serving one of ``codes``: a municipality (directly, or by serving its whole
    prefecture) or, for a 2-digit code, anywhere in that prefecture."""
    table = np.zeros(len(g.municipality), dtype=bool)
    for area in parse_areas(codes):
        in_prefecture = g.prefecture == area.prefecture
        if area.municipality == WHOLE:
            table |= in_prefecture
        else:
            table |= (g.municipality == area.municipality) | (
                in_prefecture & (g.municipality == WHOLE)
            )
    table[NO_AREA] = False
    mask = np.take(table, g.area)
    if len(g.extra_row):
        mask[g.extra_row[np.take(table, g.extra_area)]] = True
    return mask


def member(values: np.ndarray, wanted: Iterable[int]) -> np.ndarray:
    """``np.isin`` for the few values a query has, without its sort."""
    wanted = list(wanted)
    if len(wanted) > 8:
        return np.isin(values, wanted)
    hit = np.zeros(len(values), dtype=bool)
    for item in wanted:
        hit |= values == item
    return hit
