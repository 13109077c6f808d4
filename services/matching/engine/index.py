"""MatchIndex: docs held for fast ranking, text postings plus structured factor arrays.

Text is TF-IDF over the analyzer's features (see ``analyzer``): a main CSC matrix
(an inverted index: a query reads only its own columns) plus small delta chunks
for recent upserts, merged into main when they grow past 1/16 of it or
``MERGE_ROWS``; removed rows are masked (tombstones) and dropped at the merge,
where idf is refitted once ``REFIT_CHANGE`` of the corpus has changed. A merge
also orders the main rows by grid cell, then area, for the geography (see ``geo``).

Structured factors are numpy expressions over per-row arrays (fields and types in
one bitmask, codes for sectors and organisations, unit vectors, uint16 days), so a
ranking has no Python loop over docs:

* each factor splits into a query-independent floor (trust; the value of docs that
  say nothing) and a query-dependent part. The weighted floors are one array per
  snapshot, weights and query shape (cached), added in one pass;
* each query-dependent part is written into a row of a per-thread scratch matrix and
  one matrix-vector product weighs and sums them; factors the query says nothing
  about are the same for every doc, so they are left out (they change no order);
* these float32 scores pick the candidates (a sampled lower bound of the k-th best,
  then a partition); exact float64 scores, rounded factor values and matched terms
  are computed for those few rows only, and order them (score, then id).

Concurrency: readers take the current snapshot (one attribute read) and never
see it change; a single writer at a time (a lock) appends into spare capacity
no snapshot can see, copies what it overwrites, and publishes a new snapshot.
Per-snapshot caches (floors, query plans) are filled by readers: a lost race only
computes the same thing twice.

Factor values, and what neutral means (the query says nothing: the same for
every doc, so the order is untouched; the doc says nothing: below a partial match):

* ``text``: cosine / ``TEXT_SCALE`` (0.5), capped at 1: a cosine of 0.5 is already
  a near-duplicate with these features, related texts score 0.1–0.4. A fixed scale
  keeps a doc's value independent of the pool (filters, other docs). Measured on
  the labelled set of ``kyodo eval matching`` (nDCG@10 with the service's weights):
  0.880 divided by the best cosine, 0.882 raw, 0.896 / 0.5; far-away look-alikes
  and out-of-time traps in the top 5 fell from 13 to 4. ``text_scale=None`` divides
  by the best cosine among the eligible docs instead.
* ``fields``: |query ∩ doc| / |query|; the query has none: 0.5; the doc none: 0.3.
* ``type``: 1 if the doc's types meet the query's, else 0; query none: 0.5; doc none: 0.3.
* ``geography``: see ``geo``.
* ``availability``: 1 if the date ranges overlap (open ends are open), 0 if not,
  0.7 when either side gives no dates.
* ``trust``: the doc's trust, clipped to 0..1.
"""

from __future__ import annotations

import heapq
import math
import operator
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from zlib import crc32

import numpy as np
import scipy.sparse as sp

from . import geo
from .analyzer import N_FEATURES, WORD_WEIGHT, Postings, TextStore
from .types import FACTORS, Doc, Query, Scored, Weights

__all__ = ["DEFAULT_WEIGHTS", "MatchIndex", "normalize_weights"]

DEFAULT_WEIGHTS: Weights = {
    "text": 0.3,
    "fields": 0.1,
    "type": 0.2,
    "geography": 0.3,
    "availability": 0.05,
    "trust": 0.05,
}
"""Measured on the labelled set of ``kyodo eval matching`` (nDCG@10 0.897; text 0.35,
fields 0.15, geography 0.2: 0.859 with 14 far-away look-alikes in the top 5): partners
must be local, so geography weighs as much as text."""
TEXT_SCALE = 0.5
QUERY_SILENT = 0.5
DOC_SILENT = 0.3
AVAILABILITY_UNKNOWN = 0.7
MERGE_ROWS = 2048
COMPACT_DEAD = 0.125
"""Compact when this share of rows are tombstones."""
REFIT_CHANGE = 0.1
"""Refit idf at a merge when this share of the corpus was added or removed since the last fit."""
MAX_MATCHED_TERMS = 8
_MARGIN = 1e-5  # float32 scores select candidates; exact float64 scores order them


def normalize_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights scaled to sum 1, every factor present (missing ones 0); ValueError if invalid."""
    unknown = set(weights) - set(FACTORS)
    if unknown:
        raise ValueError(f"unknown weight names: {sorted(unknown)}; known: {list(FACTORS)}")
    values = {name: float(weights.get(name, 0.0)) for name in FACTORS}
    if any(not math.isfinite(v) or v < 0 for v in values.values()):
        raise ValueError("weights must be finite and non-negative")
    total = sum(values.values())
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return {name: value / total for name, value in values.items()}


# --- per-row arrays ---------------------------------------------------------------

_ROW_COLUMNS = {
    "alive": np.bool_,
    "tags": np.uint32,  # bitmask: fields in bits 0-19, types in bits 20-31
    "fields_floor": np.float32,  # DOC_SILENT where the doc has no fields, else 0
    "types_floor": np.float32,
    "sector": np.int32,
    "org": np.int32,
    "starts": np.uint16,  # days since 2000-01-01, open ends 0 and 65535; undated docs have
    "ends": np.uint16,  # starts > ends, so they never overlap (they get 0.7 as a floor)
    "trust": np.float32,
    "x": np.float32,
    "y": np.float32,
    "z": np.float32,
    "reach2": np.float32,
    "area": np.uint16,
    "cell": np.int32,
    "no_point": np.float32,
    "no_area": np.float32,
    "silent": np.float32,
}
_PAIR_COLUMNS = {"row": np.int32, "area": np.int32}
_OPEN_START, _OPEN_END = 0, 65535
_DAY_ZERO = date(2000, 1, 1).toordinal()


class _Table:
    """Append-only columns with spare capacity: appends land where no snapshot reads."""

    def __init__(self, dtypes: Mapping[str, type], capacity: int = 1024) -> None:
        self.size = 0
        self.arrays = {name: np.zeros(capacity, dtype) for name, dtype in dtypes.items()}

    @property
    def capacity(self) -> int:
        return len(next(iter(self.arrays.values())))

    def extend(self, columns: Mapping[str, list]) -> None:
        added = len(next(iter(columns.values())))
        if self.size + added > self.capacity:
            self._reallocate(np.arange(self.size), self.size + added)
        for name, values in columns.items():
            self.arrays[name][self.size : self.size + added] = values
        self.size += added

    def keep(self, index: np.ndarray) -> None:
        """Keep only rows ``index``, renumbered from 0 (compaction)."""
        self._reallocate(index, len(index))
        self.size = len(index)

    def _reallocate(self, index: np.ndarray, needed: int) -> None:
        capacity = max(1024, 2 * needed)
        for name, old in self.arrays.items():
            new = np.zeros(capacity, old.dtype)
            new[: len(index)] = old[index]
            self.arrays[name] = new  # a new array: snapshots keep reading the old one

    def views(self) -> dict[str, np.ndarray]:
        return {name: array[: self.size] for name, array in self.arrays.items()}


class _Codes:
    """Strings to small ints (sectors, organisations); assigned by the writer only."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def assign(self, value: str) -> int:
        return self.codes.setdefault(value, len(self.codes))

    def lookup(self, values: Iterable[str]) -> list[int]:
        return [self.codes[v] for v in values if v in self.codes]


class _Bits:
    """Strings to bits ``offset .. offset + size`` of a uint32 (fields, types); past ``size``
    values, bits are shared by hash (the glossary has 20 fields and 10 types)."""

    def __init__(self, offset: int, size: int) -> None:
        self.offset, self.size = offset, size
        self.bits: dict[str, int] = {}

    def assign(self, values: Iterable[str]) -> int:
        for value in values:
            if value not in self.bits:
                index = len(self.bits) if len(self.bits) < self.size else crc32(value.encode())
                self.bits[value] = self.offset + index % self.size
        return self.lookup(values)

    def lookup(self, values: Iterable[str]) -> int:
        mask = 0
        for value in values:
            if value in self.bits:
                mask |= 1 << self.bits[value]
        return mask


@dataclass(frozen=True, slots=True)
class _Rows:
    """A snapshot's view of the per-row arrays (exactly ``count`` rows)."""

    col: dict[str, np.ndarray]
    geo: geo.GeoArrays
    dead: int
    floors: dict[tuple, np.ndarray]
    """Weighted floors by weights and query shape (see _Ranking), filled by readers."""
    fields: _Bits
    types: _Bits
    sectors: _Codes
    orgs: _Codes


class _RowStore:
    """The writer's per-row arrays and the tables that encode them."""

    def __init__(self) -> None:
        self.rows = _Table(_ROW_COLUMNS)
        self.pairs = _Table(_PAIR_COLUMNS)
        self.areas = geo.AreaTable()
        self.fields, self.types = _Bits(0, 20), _Bits(20, 12)
        self.sectors, self.orgs = _Codes(), _Codes()
        self.dead = 0
        self.indexed: geo.GeoArrays | None = None  # the main rows' lists, from the last merge

    def append(self, docs: list[Doc]) -> None:
        columns: dict[str, list] = {name: [] for name in _ROW_COLUMNS}
        pairs: dict[str, list] = {name: [] for name in _PAIR_COLUMNS}
        for row, doc in enumerate(docs, self.rows.size):
            place = geo.place_of(doc.areas, doc.latitude, doc.longitude, doc.radius_km)
            area_ids = [self.areas.id_of(area) for area in place.areas]
            for name, value in self._row(doc, place, area_ids).items():
                columns[name].append(value)
            pairs["row"].extend([row] * len(area_ids[1:]))
            pairs["area"].extend(area_ids[1:])
        self.rows.extend(columns)
        if pairs["row"]:
            self.pairs.extend(pairs)

    def _row(self, doc: Doc, place: geo.Place, area_ids: list[int]) -> dict[str, object]:
        dated = doc.available_from is not None or doc.available_until is not None
        trust = float(doc.trust) if np.isfinite(doc.trust) else 0.0
        located = place.has_point or bool(area_ids)
        return {
            "alive": True,
            "tags": self.fields.assign(doc.fields) | self.types.assign(doc.types),
            "fields_floor": 0.0 if doc.fields else DOC_SILENT,
            "types_floor": 0.0 if doc.types else DOC_SILENT,
            "sector": self.sectors.assign(doc.sector),
            "org": self.orgs.assign(doc.organization_id),
            "starts": _day(doc.available_from, _OPEN_START) if dated else _OPEN_END,
            "ends": _day(doc.available_until, _OPEN_END) if dated else _OPEN_START,
            "trust": min(max(trust, 0.0), 1.0),
            "x": place.xyz[0],
            "y": place.xyz[1],
            "z": place.xyz[2],
            "reach2": place.reach2,
            "area": area_ids[0] if area_ids else geo.NO_AREA,
            "cell": place.cell,
            "no_point": 0.0 if place.has_point else geo.UNKNOWN,
            "no_area": 0.0 if area_ids else geo.UNKNOWN,
            "silent": 0.0 if located else geo.UNKNOWN,
        }

    def kill(self, rows: list[int]) -> None:
        alive = self.rows.arrays["alive"].copy()  # copy-on-write: snapshots keep theirs
        alive[rows] = False
        self.rows.arrays["alive"] = alive
        self.dead += len(rows)

    def spatial_order(self, live: np.ndarray) -> np.ndarray:
        """``live`` sorted by grid cell, then area: what a merge orders main rows by."""
        col = self.rows.views()
        return live[np.lexsort((col["area"][live], col["cell"][live]))]

    def compact(self, live: np.ndarray) -> None:
        """Keep rows ``live``, in that order, as the new main rows; index them."""
        renumber = np.full(self.rows.size, -1, dtype=np.int32)
        renumber[live] = np.arange(len(live), dtype=np.int32)
        pair_rows = self.pairs.views()["row"]
        kept = np.flatnonzero(renumber[pair_rows] >= 0)
        kept = kept[np.argsort(renumber[pair_rows[kept]], kind="stable")]  # in row order
        self.rows.keep(live)
        self.pairs.keep(kept)
        self.pairs.arrays["row"][: len(kept)] = renumber[pair_rows[kept]]
        self.dead = 0
        self.indexed = self._geo().indexed()

    def view(self) -> _Rows:
        arrays = self._geo()
        if self.indexed is not None:
            main = self.indexed
            arrays = replace(arrays, main=main.main, area_spans=main.area_spans,
                             wide=main.wide)  # fmt: skip
        col = self.rows.views()
        return _Rows(col, arrays, self.dead, {}, self.fields, self.types, self.sectors, self.orgs)

    def _geo(self) -> geo.GeoArrays:
        col, pairs, areas = self.rows.views(), self.pairs.views(), self.areas
        return geo.GeoArrays(
            col["x"], col["y"], col["z"], col["reach2"], col["area"], col["cell"],
            col["no_point"], col["no_area"], col["silent"], pairs["row"], pairs["area"],
            areas.municipality[: areas.size], areas.prefecture[: areas.size],
        )  # fmt: skip

    def nbytes(self) -> int:
        arrays = [*self.rows.arrays.values(), *self.pairs.arrays.values()]
        arrays += [self.areas.municipality, self.areas.prefecture]
        codes = (self.sectors.codes, self.orgs.codes, self.fields.bits, self.types.bits)
        return sum(a.nbytes for a in arrays) + sum(_dict_bytes(c) for c in codes)


def _day(day: date | None, default: int) -> int:
    """Days since 2000-01-01, clipped to what a uint16 holds (2000 .. 2179)."""
    return default if day is None else min(max(day.toordinal() - _DAY_ZERO, 0), 65535)


# --- factors ----------------------------------------------------------------------


def _eligible(
    rows: _Rows,
    types: frozenset[str] | None,
    sectors: frozenset[str] | None,
    areas: frozenset[str] | None,
    exclude_organizations: frozenset[str],
) -> np.ndarray | None:
    """Rows that may be returned; None: every row (no filter, no tombstone)."""
    if types is None and sectors is None and areas is None and not exclude_organizations:
        return None if rows.dead == 0 else rows.col["alive"]
    mask = rows.col["alive"].copy()
    if types is not None:
        mask &= (rows.col["tags"] & np.uint32(rows.types.lookup(types))) != 0
    if sectors is not None:
        mask &= geo.member(rows.col["sector"], rows.sectors.lookup(sectors))
    if areas is not None:
        mask &= geo.serves(rows.geo, areas)
    if exclude_organizations:
        mask &= ~geo.member(rows.col["org"], rows.orgs.lookup(exclude_organizations))
    return mask


class _Ranking:
    """One query against one snapshot's rows: coarse scores of every row, exact values of a few.

    A factor value splits into a query-independent floor (trust, and the values of docs
    that say nothing) and a query-dependent part. The floors of every factor, weighted,
    are one array per snapshot and set of weights (cached), so a ranking adds it in one
    pass; each query-dependent part is one masked add or a few passes. Factors the query
    says nothing about are the same for every doc: they change no order, so the coarse
    scores leave them out and the exact ones add them.
    """

    def __init__(self, rows: _Rows, query: Query, cosine: np.ndarray, best: float) -> None:
        self.rows, self.col, self.cosine, self.best = rows, rows.col, cosine, best
        self.place = geo.query_place(
            tuple(query.areas), query.latitude, query.longitude, query.radius_km
        )
        self.fields = (rows.fields.lookup(query.fields), len(query.fields))
        self.types = rows.types.lookup(query.types) if query.types else None
        self.dated = query.starts_on is not None or query.ends_on is not None
        self.window = (_day(query.starts_on, _OPEN_START), _day(query.ends_on, _OPEN_END))
        self.kept: dict[str, np.ndarray] = {}  # what coarse() computed, for values()
        self.located = bool(self.place.areas) or self.place.has_point

    def coarse(self, w: Mapping[str, float]) -> np.ndarray:
        """float32 scores of every row, constants left out: to select candidates.

        The capped cosines and each factor the query sets are rows of a per-thread scratch
        matrix, and one matrix-vector product weighs and sums them (fewer passes and
        calls than adding factor by factor); the rows stay for ``values``.
        """
        col, kept, n = self.col, self.kept, len(self.cosine)
        rows = _scratch(5, n)
        if not np.shares_memory(rows[0], self.cosine):  # (rank() puts the cosines there)
            rows[0] = self.cosine
        np.minimum(rows[0], np.float32(self.best), out=rows[0])  # the value is capped at 1
        weights = [w["text"] / self.best]
        if w["fields"] and self.fields[1]:
            row = kept["fields"] = rows[len(weights)]
            np.bitwise_count(col["tags"] & np.uint32(self.fields[0]), out=row)
            weights.append(w["fields"] / self.fields[1])
        if w["type"] and self.types is not None:
            row = kept["type"] = rows[len(weights)]
            np.not_equal(col["tags"] & np.uint32(self.types), 0, out=row)
            weights.append(w["type"])
        if w["availability"] and self.dated:
            row = kept["availability"] = rows[len(weights)]
            start, end = self.window
            np.logical_and(col["starts"] <= end, col["ends"] >= start, out=row)
            weights.append(w["availability"])
        if w["geography"] and self.located:
            row = kept["geography"] = rows[len(weights)]
            geo.part(self.rows.geo, self.place, 1.0, out=row)
            weights.append(w["geography"])
        score = np.asarray(weights, dtype=np.float32) @ rows[: len(weights)]
        return np.add(score, self._floors(w), out=score)

    def _floors(self, w: Mapping[str, float]) -> np.ndarray:
        """Σ weight × floor over the factors (cached per snapshot, weights and query shape)."""
        geo_floor = geo.floor(self.rows.geo, self.place) if self.located else None
        key = (
            w["trust"],
            w["fields"] if self.fields[1] else 0.0,
            w["type"] if self.types is not None else 0.0,
            w["availability"] if self.dated else 0.0,
            (w["geography"], self.place.areas != (), self.place.has_point)
            if geo_floor is not None
            else None,
        )
        cached = self.rows.floors.get(key)
        if cached is None:
            col = self.col
            cached = col["trust"] * np.float32(key[0])
            cached += col["fields_floor"] * np.float32(key[1])
            cached += col["types_floor"] * np.float32(key[2])
            cached += (col["starts"] > col["ends"]) * np.float32(key[3] * AVAILABILITY_UNKNOWN)
            if geo_floor is not None:
                cached += geo_floor * np.float32(w["geography"])
            if len(self.rows.floors) >= 16:
                self.rows.floors.clear()
            self.rows.floors[key] = cached
        return cached

    def values(self, rows: np.ndarray, w: Mapping[str, float]) -> np.ndarray:
        """Every factor's value at ``rows``: one row per factor in FACTORS order, float64,
        rounded to 6 places (what a Scored shows). Reuses what ``coarse`` computed."""
        col, kept = self.col, self.kept
        table = np.empty((len(FACTORS), len(rows)), dtype=np.float64)
        table[0] = np.minimum(self.cosine[rows] / np.float32(self.best), np.float32(1.0))
        table[1] = self._fields_at(rows)
        table[2] = self._type_at(rows)
        if "geography" in kept:
            table[3] = kept["geography"][rows] + geo.floor(self.rows.geo, self.place)[rows]
        elif self.located:  # (a zero weight: coarse() skipped it)
            table[3] = geo.geography(self.rows.geo.subset(rows), self.place)
        else:
            table[3] = geo.NEUTRAL
        table[4] = self._availability_at(rows)
        table[5] = col["trust"][rows]
        return np.round(table, 6, out=table)

    def _fields_at(self, rows: np.ndarray) -> np.ndarray | float:
        mask, wanted = self.fields
        if not wanted:
            return QUERY_SILENT
        shared = self.kept.get("fields")
        shared = shared[rows] if shared is not None else _popcount(self.col["tags"][rows], mask)
        return np.maximum(shared / wanted, self.col["fields_floor"][rows])

    def _type_at(self, rows: np.ndarray) -> np.ndarray | float:
        if self.types is None:
            return QUERY_SILENT
        meets = (self.col["tags"][rows] & np.uint32(self.types)) != 0
        return np.maximum(meets, self.col["types_floor"][rows])

    def _availability_at(self, rows: np.ndarray) -> np.ndarray | float:
        if not self.dated:
            return AVAILABILITY_UNKNOWN
        starts, ends = self.col["starts"][rows], self.col["ends"][rows]
        overlap = (starts <= self.window[1]) & (ends >= self.window[0])
        return np.where(starts > ends, AVAILABILITY_UNKNOWN, overlap)


def _popcount(tags: np.ndarray, mask: int) -> np.ndarray:
    return np.bitwise_count(tags & np.uint32(mask))


_per_thread = threading.local()


def _scratch(count: int, n: int) -> np.ndarray:
    """A ``count`` × ``n`` float32 matrix of this thread's, reused from ranking to ranking
    (a fresh one each time would cost page faults, not just a pass)."""
    held: np.ndarray | None = getattr(_per_thread, "scratch", None)
    if held is None or held.shape[0] < count or held.shape[1] < n:
        held = np.empty((count, max(n, 1024)), dtype=np.float32)
        _per_thread.scratch = held
    return held[:count, :n]


def _best_text(cosine: np.ndarray, eligible: np.ndarray | None, scale: float | None) -> float:
    """What a cosine is divided by: ``scale``, or (None) the best among eligible docs."""
    if scale is not None:
        return scale
    best = float(cosine.max() if eligible is None else (cosine * eligible).max())
    return best if best > 0 else 1.0


# --- selecting the top ------------------------------------------------------------


def _exact(values: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """Scores summed in FACTORS order (cumsum adds one after the other): bit-equal to
    ``sum(contributions.values())``."""
    column = np.array([weights[name] for name in FACTORS])[:, None]
    return np.cumsum(values * column, axis=0)[-1]


def _candidates(score: np.ndarray, eligible: np.ndarray | None, k: int) -> np.ndarray:
    """Eligible rows that may be in the top ``k``: a sample's k-th best is a lower bound for
    the k-th best of all, so one comparison pass leaves few rows to partition."""
    step = max(1, len(score) // 4096)
    sample = score[::step] if eligible is None else score[::step][eligible[::step]]
    hit = eligible
    if len(sample) > k:
        floor = np.partition(sample, len(sample) - k)[len(sample) - k]
        hit = score >= floor if eligible is None else (score >= floor) & eligible
    rows = np.arange(len(score)) if hit is None else np.flatnonzero(hit)
    if len(rows) > k:
        kth = np.partition(score[rows], len(rows) - k)[len(rows) - k]
        rows = rows[score[rows] >= kth - _MARGIN]
    return rows


def _top(
    ranking: _Ranking,
    weights: Mapping[str, float],
    eligible: np.ndarray | None,
    docs: list[Doc],
    k: int,
) -> tuple[list[int], list[float], list[list[float]]]:
    """The best ``k`` rows by exact score then id, their scores and factor values."""
    rows = _candidates(ranking.coarse(weights), eligible, k)
    values = ranking.values(rows, weights)
    exact = _exact(values, weights).tolist()
    keyed = [
        (-s, docs[row].id, i) for i, (row, s) in enumerate(zip(rows.tolist(), exact, strict=True))
    ]
    ordered = heapq.nsmallest(k, keyed) if len(keyed) > 4 * k else sorted(keyed)[:k]
    best = [i for _, _, i in ordered]
    return rows[best].tolist(), [exact[i] for i in best], values[:, best].T.tolist()


# --- the index --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """Everything a ranking reads; never changed once published."""

    text: Postings
    rows: _Rows
    docs: list[Doc]
    """Row -> Doc; append-only between merges, so only ``docs[:count]`` belongs here."""
    count: int


class MatchIndex:
    """Docs (resources or issues) to rank against queries: see the module docstring."""

    def __init__(
        self, *, word_weight: float = WORD_WEIGHT, text_scale: float | None = TEXT_SCALE
    ) -> None:
        self._lock = threading.Lock()
        self._text = TextStore(word_weight=word_weight)
        self._rows = _RowStore()
        self._docs: list[Doc] = []
        self._row_of: dict[str, int] = {}  # the writer's; readers use _by_id and snapshots
        self._by_id: dict[str, Doc] = {}
        self._changed_since_fit = 0
        if text_scale is not None and not text_scale > 0:
            raise ValueError("text_scale must be positive (or None)")
        self._text_scale = text_scale
        self._snapshot = self._publish()

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._by_id

    def get(self, doc_id: str) -> Doc | None:
        return self._by_id.get(doc_id)

    def rank(
        self,
        query: Query,
        weights: Weights,
        *,
        limit: int = 20,
        types: frozenset[str] | None = None,
        sectors: frozenset[str] | None = None,
        areas: frozenset[str] | None = None,
        exclude_organizations: frozenset[str] = frozenset(),
        offset: int = 0,
    ) -> list[Scored]:
        """The best docs for ``query``, best first (ties by id), from ``offset``, at most
        ``limit``. Filters: ``types`` / ``sectors``: the doc has one of them; ``areas``: the
        doc serves one of these municipalities (2 digits: anywhere in that prefecture)."""
        normalized = normalize_weights(weights)
        snap = self._snapshot
        start = max(offset, 0)
        if limit <= 0 or snap.count == 0:
            return []
        eligible = _eligible(snap.rows, types, sectors, areas, exclude_organizations)
        cols, vals = snap.text.query_vector(query.text)
        # The scratch matrix's first row: coarse() caps it in place, then weighs it.
        cosine = snap.text.scores(cols, vals, snap.count, out=_scratch(5, snap.count)[0])
        best = _best_text(cosine, eligible, self._text_scale)
        ranking = _Ranking(snap.rows, query, cosine, best)
        rows, scores, breakdown = _top(ranking, normalized, eligible, snap.docs, start + limit)
        terms = snap.text.matched_terms(query.text, rows[start:], MAX_MATCHED_TERMS)
        weights_list = [normalized[name] for name in FACTORS]
        return [
            _scored(snap.docs[rows[i]], scores[i], breakdown[i], weights_list, terms[i - start])
            for i in range(start, len(rows))
        ]

    def text_matrix(self) -> tuple[sp.csc_matrix, list[str]]:
        """The l2-normalised TF-IDF rows of the live docs (CSC) and their ids: the matrix
        ``rank`` scores (itself after ``compact()``, else a merged copy)."""
        snap = self._snapshot
        live = np.flatnonzero(snap.rows.col["alive"])
        if not snap.text.chunks and len(live) == snap.count:
            matrix = snap.text.main
        else:
            matrix = snap.text.stacked()[live].tocsc()
        return matrix, [snap.docs[row].id for row in live.tolist()]

    def query_vector(self, query: Query) -> sp.csr_matrix:
        """The query's l2-normalised TF-IDF vector (1 × n_features), as ``rank`` uses it."""
        cols, vals = self._snapshot.text.query_vector(query.text)
        return sp.csr_matrix((vals, cols, [0, len(cols)]), shape=(1, N_FEATURES))

    def memory_bytes(self) -> int:
        """Approximate bytes held: matrices, arrays, code tables, id maps and the docs."""
        snap = self._snapshot
        held = snap.text.nbytes() + self._rows.nbytes()
        held += _dict_bytes(self._row_of) + _dict_bytes(self._by_id)
        held += sys.getsizeof(snap.docs) + sum(_doc_bytes(doc) for doc in snap.docs)
        return held

    # --- writing ---------------------------------------------------------------------

    def upsert(self, docs: Iterable[Doc]) -> None:
        """Add docs, or replace the ones whose id is already held (the last of a batch wins)."""
        batch = list({doc.id: doc for doc in docs}.values())
        if not batch:
            return
        with self._lock:
            rows = self._text.vectorize([doc.text for doc in batch])  # before any change
            replaced = [self._row_of[doc.id] for doc in batch if doc.id in self._row_of]
            if replaced:
                self._rows.kill(replaced)
            start = len(self._docs)
            merging = self._merge_due(extra=len(batch))
            self._text.append(start, rows, indexed=not merging)
            self._rows.append(batch)
            self._docs.extend(batch)
            self._row_of.update((doc.id, row) for row, doc in enumerate(batch, start))
            self._by_id.update((doc.id, doc) for doc in batch)
            self._changed_since_fit += len(batch)
            if merging or self._merge_due():
                self._merge(refit=False)
            self._snapshot = self._publish()

    def remove(self, ids: Iterable[str]) -> None:
        """Forget docs by id (unknown ids are ignored)."""
        wanted = set(ids)
        with self._lock:
            rows = [self._row_of.pop(i) for i in wanted if i in self._row_of]
            if not rows:
                return
            for doc_id in wanted:
                self._by_id.pop(doc_id, None)
            self._rows.kill(rows)
            self._changed_since_fit += len(rows)
            if self._merge_due():
                self._merge(refit=False)
            self._snapshot = self._publish()

    def compact(self, *, refit: bool = False) -> None:
        """Merge the delta into main now and drop tombstones; refit idf if due or asked."""
        with self._lock:
            self._merge(refit=refit)
            self._snapshot = self._publish()

    def _merge_due(self, extra: int = 0) -> bool:
        """A merge is due when main is empty (the first batch fits idf), the delta outgrows
        1/16 of main or ``MERGE_ROWS``, or too many rows are tombstones."""
        count, delta = len(self._docs) + extra, self._text.delta_rows + extra
        main = count - delta
        dead = self._rows.dead
        return (
            main == 0 or delta > min(MERGE_ROWS, max(8, main // 16)) or dead > COMPACT_DEAD * count
        )

    def _merge(self, *, refit: bool) -> None:
        live = self._rows.spatial_order(np.flatnonzero(self._rows.rows.views()["alive"]))
        refit = refit or self._changed_since_fit > REFIT_CHANGE * max(len(live), 1)
        self._text.merge(live, refit=refit)
        self._rows.compact(live)
        self._docs = [self._docs[row] for row in live.tolist()]  # snapshots keep the old list
        self._row_of = {doc.id: row for row, doc in enumerate(self._docs)}
        if refit:
            self._changed_since_fit = 0

    def _publish(self) -> _Snapshot:
        return _Snapshot(self._text.postings(), self._rows.view(), self._docs, len(self._docs))


def _scored(
    doc: Doc, score: float, values: list[float], weights: list[float], matched: list[str]
) -> Scored:
    value_of = dict(zip(FACTORS, values, strict=True))
    contributions = dict(zip(FACTORS, map(operator.mul, weights, values), strict=True))
    return Scored(doc.id, doc.organization_id, score, value_of, contributions, matched)


def _doc_bytes(doc: Doc) -> int:
    strings = (doc.id, doc.organization_id, doc.text, doc.sector, *doc.areas)
    return sys.getsizeof(doc) + sum(sys.getsizeof(s) for s in strings)


def _dict_bytes(mapping: Mapping[str, int]) -> int:
    return sys.getsizeof(mapping) + sum(sys.getsizeof(key) for key in mapping)
