"""Geography of a match: area codes and points, scored for many docs at once.

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
both points known, d < 50 km apart                  0.9 × (1 − d / 50 km)²
comparable (both areas, or both points), nothing    0.0 (far away)
the doc cannot be compared (no area, no point)      0.3 (``UNKNOWN``)
the query says nothing about where                  0.5 for every doc (``NEUTRAL``)
==================================================  ================================

The decay is 0.73 at 5 km, 0.58 at 10 km, 0.32 at 20 km and exactly 0 from
``REACH_KM`` on, so a ranking only looks at docs near the query (on the labelled
set, a reach of 30 to 80 km made no difference; 120 km let one more far look-alike
in). Points are unit vectors: the chord c between two points gives the haversine
exactly (hav θ = (c / 2)²), so "within the radius" needs no trigonometry per doc,
and d is the chord length (within 1 % of the arc below 1 000 km).

Where the index's main rows are concerned (see ``GeoArrays``), a query reads only
what can matter: main rows are sorted by grid cell, so the rows whose points lie
within reach are a few contiguous slices, and so are (mostly) the rows of the areas
in its prefectures: from the first to the last row of each. Recent (delta) rows and
docs with a radius beyond ``REACH_KM`` are scored in full.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

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
    "floor",
    "geography",
    "member",
    "parse_areas",
    "part",
    "place_of",
    "query_place",
    "serves",
]

SAME_AREA = 1.0
PREFECTURE_WIDE = 0.85
SAME_PREFECTURE = 0.6
NEAR = 0.9
"""The decay's value at distance 0 (a neighbour in another municipality)."""
REACH_KM = 50.0
"""The decay is 0 from this distance on."""
UNKNOWN = 0.3
NEUTRAL = 0.5

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
NO_POINT = (9.0, 9.0, 9.0)
"""Stands for an unknown point: at least 8 away from every unit vector, so never near."""
WHOLE = -1
"""The municipality of an area that is a whole prefecture."""
NO_AREA = 0
"""The area id of a doc without areas."""
MAX_AREAS = 65535
"""Area ids fit a uint16."""
CELL_DEGREES = 0.5
_CELLS_PER_BAND = round(360 / CELL_DEGREES)
NO_CELL = np.iinfo(np.int32).max
"""The cell of a doc without a point: sorted last, never near."""


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
    """Where a query or doc is: areas, a point (degrees and unit vector) and a radius."""

    areas: tuple[Area, ...]
    latitude: float
    longitude: float
    xyz: tuple[float, float, float]
    radius_km: float
    """0: no radius."""

    @property
    def has_point(self) -> bool:
        return self.xyz != NO_POINT

    @property
    def reach2(self) -> float:
        """The squared chord of the radius (-1: no radius)."""
        return chord2_of(self.radius_km) if self.radius_km > 0 and self.has_point else -1.0

    @property
    def cell(self) -> int:
        return cell_of(self.latitude, self.longitude) if self.has_point else NO_CELL


@lru_cache(maxsize=1024)
def query_place(
    areas: tuple[str, ...], latitude: float | None, longitude: float | None, radius_km: float | None
) -> Place:
    """``place_of`` for a query (cached: the same issue is ranked again and again)."""
    return place_of(areas, latitude, longitude, radius_km)


def place_of(
    areas: Sequence[str], latitude: float | None, longitude: float | None, radius_km: float | None
) -> Place:
    xyz = unit_vector(latitude, longitude)
    point = xyz != NO_POINT
    radius = float(radius_km) if radius_km is not None and radius_km > 0 else 0.0
    return Place(
        tuple(parse_areas(areas)),
        float(latitude) if point else 0.0,  # type: ignore[arg-type]
        float(longitude) if point else 0.0,  # type: ignore[arg-type]
        xyz,
        radius if math.isfinite(radius) else 0.0,
    )


def unit_vector(latitude: float | None, longitude: float | None) -> tuple[float, float, float]:
    if latitude is None or longitude is None:
        return NO_POINT
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or abs(latitude) > 90:
        return NO_POINT
    phi, lam = math.radians(latitude), math.radians(longitude)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def chord2_of(km: float) -> float:
    """The squared chord (unit sphere) of an arc of ``km``."""
    half_angle = min(km / EARTH_RADIUS_KM, math.pi) / 2
    return (2 * math.sin(half_angle)) ** 2


def cell_of(latitude: float, longitude: float) -> int:
    """The grid cell of a point: bands of ``CELL_DEGREES`` latitude, then longitude."""
    band = min(int((latitude + 90) // CELL_DEGREES), round(180 / CELL_DEGREES) - 1)
    column = int(((longitude + 180) % 360) // CELL_DEGREES)
    return band * _CELLS_PER_BAND + column


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
        if self.size >= MAX_AREAS:  # (Japan has some 1,800 municipalities)
            return NO_AREA
        if self.size == len(self.municipality):  # new arrays: snapshots keep the old ones
            self.municipality = np.concatenate([self.municipality, self.municipality])
            self.prefecture = np.concatenate([self.prefecture, self.prefecture])
        self.municipality[self.size] = area.municipality
        self.prefecture[self.size] = area.prefecture
        self._ids[area] = self.size
        self.size += 1
        return self.size - 1


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int32)


@dataclass(frozen=True, slots=True)
class GeoArrays:
    """A snapshot's view. Per row: point, radius, first area, cell and the floors; per
    extra (row, area) pair, in row order; per distinct area id. Rows ``0 .. main`` are the
    index's main rows, sorted by cell, with each area's row range and the list of rows
    whose radius passes ``REACH_KM``; rows from ``main`` on are scored in full."""

    x: np.ndarray  # float32 unit vector, NO_POINT when unknown
    y: np.ndarray
    z: np.ndarray
    reach2: np.ndarray  # float32 squared chord of the radius, -1: none
    area: np.ndarray  # uint16 id of the first area, NO_AREA: none
    cell: np.ndarray  # int32, NO_CELL: no point
    no_point: np.ndarray  # float32: UNKNOWN where the doc has no point, else 0
    no_area: np.ndarray  # float32: UNKNOWN where the doc has no area, else 0
    silent: np.ndarray  # float32: UNKNOWN where the doc has neither, else 0
    extra_row: np.ndarray  # int32: rows with more than one area ...
    extra_area: np.ndarray  # ... and the id of each further area
    municipality: np.ndarray  # int32 per area id
    prefecture: np.ndarray
    main: int = 0
    area_spans: np.ndarray = field(default_factory=_empty)  # [located or not, start or end,
    # area id]: the range of main rows with that first area (end <= start: none)
    wide: np.ndarray = field(default_factory=_empty)  # main rows whose radius passes REACH_KM
    cache: dict = field(default_factory=dict, compare=False)  # per query areas and point

    def subset(self, rows: np.ndarray) -> GeoArrays:
        """The same arrays for ``rows`` only (scored in full), extra pairs renumbered."""
        first = np.searchsorted(self.extra_row, rows, "left")
        count = np.searchsorted(self.extra_row, rows, "right") - first
        position = np.repeat(np.arange(len(rows), dtype=np.int32), count)
        pairs = np.repeat(first - np.cumsum(count) + count, count) + np.arange(len(position))
        return GeoArrays(
            self.x[rows], self.y[rows], self.z[rows], self.reach2[rows], self.area[rows],
            self.cell[rows], self.no_point[rows], self.no_area[rows], self.silent[rows],
            position, self.extra_area[pairs], self.municipality, self.prefecture,
        )  # fmt: skip

    def indexed(self) -> GeoArrays:
        """The same arrays with every row main: area row ranges and wide rows found. The
        rows must be sorted by cell, then area (the index does so when it merges): rows
        without a point come last, by area, so each area has one range of rows with a
        point and one of rows without."""
        ranges = []
        located = int(np.searchsorted(self.cell, NO_CELL))
        for start, end in ((0, located), (located, len(self.x))):
            rows = np.arange(start, end, dtype=np.int32)
            first = np.full(len(self.municipality), end, dtype=np.int32)
            last = np.full(len(self.municipality), start - 1, dtype=np.int32)
            np.minimum.at(first, self.area[start:end], rows)
            np.maximum.at(last, self.area[start:end], rows)
            ranges.append(np.stack([first, last + 1]))
        wide = np.flatnonzero(self.reach2 > chord2_of(REACH_KM)).astype(np.int32)
        return replace(self, main=len(self.x), area_spans=np.stack(ranges), wide=wide)


def geography(g: GeoArrays, query: Place) -> np.ndarray | float:
    """The geography factor of every row for ``query`` (a scalar when it is the same for all)."""
    if not query.areas and not query.has_point:
        return NEUTRAL
    value = part(g, query, 1.0)
    return np.add(value, floor(g, query), out=value)


def floor(g: GeoArrays, query: Place) -> np.ndarray:
    """The query-independent part: ``UNKNOWN`` for docs the query cannot be compared with.
    It depends only on what the query gives (areas, a point): cached per snapshot."""
    if query.has_point:
        return g.silent if query.areas else g.no_point
    return g.no_area


def part(g: GeoArrays, query: Place, weight: float, out: np.ndarray | None = None) -> np.ndarray:
    """``weight`` × the query-dependent part of the factor (see ``floor``), float32, into
    ``out`` if given."""
    if out is None:
        value = np.zeros(len(g.x), dtype=np.float32)
    else:
        value = out
        value.fill(0.0)
    if query.has_point:
        _by_distance(value, g, query, np.float32(weight))
    if query.areas:
        _by_area(value, g, _area_query(g, query.areas), np.float32(weight))
    return value


@dataclass(frozen=True, slots=True)
class _AreaQuery:
    """What a snapshot needs to know about a query's areas (a few small arrays, cached)."""

    levels: np.ndarray  # per area id; NO_AREA: 0
    spans: list[tuple[int, int]]  # main rows that may have a level: a few ranges
    extra_rows: np.ndarray  # the extra (row, area) pairs with a level
    extra_levels: np.ndarray


def _area_query(g: GeoArrays, areas: tuple[Area, ...]) -> _AreaQuery:
    found = g.cache.get(areas)
    if found is None:
        levels = area_levels(g.municipality, g.prefecture, areas)
        levels[NO_AREA] = 0.0
        spans = []
        if g.main:  # main rows: from the first to the last row of the areas with a level
            hot = np.flatnonzero(levels[: g.area_spans.shape[2]])
            for located in g.area_spans[:, :, hot]:
                start, end = int(located[0].min(initial=g.main)), int(located[1].max(initial=0))
                if start < end:
                    spans.append((start, end))
        extra = np.take(levels, g.extra_area)
        hit = np.flatnonzero(extra)
        found = _AreaQuery(levels, spans, g.extra_row[hit], extra[hit])
        if len(g.cache) >= 64:
            g.cache.clear()
        g.cache[areas] = found
    return found


def _by_area(value: np.ndarray, g: GeoArrays, query: _AreaQuery, weight: np.float32) -> None:
    """Raise ``value`` to each row's best area level × ``weight``."""
    table = query.levels * weight
    spans = [*query.spans, (g.main, len(g.x))]  # recent rows: every one
    for start, end in spans:
        if start < end:
            part = value[start:end]
            np.maximum(part, np.take(table, g.area[start:end]), out=part)
    if len(query.extra_rows):
        np.maximum.at(value, query.extra_rows, query.extra_levels * weight)


def _by_distance(value: np.ndarray, g: GeoArrays, query: Place, weight: np.float32) -> None:
    """Raise ``value`` to the decay (or 1 within a radius) × ``weight`` of each row near."""
    reach2 = np.float32(query.reach2)
    for start, end in _near_slices(g, query):
        part = slice(start, end)
        np.maximum(value[part], _decay(g, part, query, reach2, weight), out=value[part])
    if len(g.wide):
        near = _decay(g, g.wide, query, reach2, weight)
        value[g.wide] = np.maximum(value[g.wide], near)


def _decay(
    g: GeoArrays, rows: slice | np.ndarray, query: Place, reach2: np.float32, weight: np.float32
) -> np.ndarray:
    qx, qy, qz = (np.float32(c) for c in query.xyz)
    chord2 = g.x[rows] - qx
    chord2 *= chord2
    other = g.y[rows] - qy
    other *= other
    chord2 += other
    np.subtract(g.z[rows], qz, out=other)
    other *= other
    chord2 += other
    reach = g.reach2[rows] if reach2 < 0 else np.maximum(g.reach2[rows], reach2, out=other)
    within = np.less_equal(chord2, reach, out=other)  # 1.0 within a radius, else 0.0
    near = np.sqrt(chord2, out=chord2)
    near *= np.float32(-EARTH_RADIUS_KM / REACH_KM)
    near += np.float32(1.0)
    np.maximum(near, np.float32(0.0), out=near)
    near *= near
    near *= np.float32(NEAR)
    np.maximum(near, within, out=near)
    near *= weight
    return near


def _near_slices(g: GeoArrays, query: Place) -> list[tuple[int, int]]:
    """Row ranges that hold every main row within reach of the query's point (a range of
    cells per latitude band, adjacent ones joined), then the recent rows. Cached per
    snapshot and place, like a query plan."""
    key = ("near", query.latitude, query.longitude, query.radius_km)
    found = g.cache.get(key)
    if found is None:
        found = _main_slices(g, query)
        if len(g.cache) >= 64:
            g.cache.clear()
        g.cache[key] = found
    return [*found, (g.main, len(g.x))] if g.main < len(g.x) else found


def _main_slices(g: GeoArrays, query: Place) -> list[tuple[int, int]]:
    slices: list[tuple[int, int]] = []
    if g.main:
        reach_km = max(REACH_KM, query.radius_km) * 1.01 + 1.0  # chord ≤ arc; cell edges
        dlat = reach_km / KM_PER_DEGREE
        low, high = max(query.latitude - dlat, -90.0), min(query.latitude + dlat, 90.0)
        widest = math.cos(math.radians(min(max(abs(low), abs(high)), 89.9)))
        columns = _columns(query.longitude, min(dlat / widest, 180.0))
        edges = [
            band * _CELLS_PER_BAND + edge
            for band in range(
                cell_of(low, 0) // _CELLS_PER_BAND, cell_of(high, 0) // _CELLS_PER_BAND + 1
            )
            for lo, hi in columns
            for edge in (lo, hi + 1)
        ]
        bounds = np.searchsorted(g.cell[: g.main], edges).tolist()
        for start, end in sorted(zip(bounds[::2], bounds[1::2], strict=True)):
            if start >= end:
                continue
            if slices and start <= slices[-1][1]:  # adjacent bands: one slice
                slices[-1] = (slices[-1][0], max(end, slices[-1][1]))
            else:
                slices.append((start, end))
    return slices


def _columns(longitude: float, dlon: float) -> list[tuple[int, int]]:
    """The column ranges of cells within ``dlon`` degrees, split where longitude wraps."""
    per_band = _CELLS_PER_BAND
    if dlon >= 180:
        return [(0, per_band - 1)]
    lo = int(((longitude - dlon + 180) % 360) // CELL_DEGREES)
    hi = int(((longitude + dlon + 180) % 360) // CELL_DEGREES)
    return [(lo, hi)] if lo <= hi else [(lo, per_band - 1), (0, hi)]


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
