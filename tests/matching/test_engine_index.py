"""MatchIndex: what it ranks first, its breakdowns, filters, updates and a reference model."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from services.matching.engine import DEFAULT_WEIGHTS, FACTORS, Doc, MatchIndex, Query, Scored
from services.matching.engine.index import TEXT_SCALE

KAGOSHIMA, KANOYA, MAEBASHI = "462012", "462039", "102016"
KAGOSHIMA_POINT = (31.5966, 130.5571)
MAEBASHI_POINT = (36.3895, 139.0634)


def doc(id: str, text: str, **fields) -> Doc:
    fields.setdefault("organization_id", f"org-{id}")
    return Doc(id=id, text=text, **fields)


def kodomo_query(**fields) -> Query:
    return Query(text="子ども食堂の食材を提供してくれる団体を探しています", **fields)


def ids(found: Sequence[Scored]) -> list[str]:
    return [s.id for s in found]


def index_of(docs: Sequence[Doc]) -> MatchIndex:
    index = MatchIndex()
    index.upsert(docs)
    return index


FILLER = [
    doc("f1", "高齢者の見守り活動に学生ボランティアを派遣します"),
    doc("f2", "防災訓練の会場として公民館を貸し出します"),
    doc("f3", "商店街の活性化のために広報誌で周知します"),
    doc("f4", "外国人住民向けの日本語教室を開いています"),
    doc("f5", "里山保全と環境学習の出前講座を行います"),
]


# --- what comes first ----------------------------------------------------------------


def test_kodomo_query_finds_every_spelling() -> None:
    spellings = [
        doc("hira", "こども食堂に食材を届けます"),
        doc("kanji", "子供食堂に食材を届けます"),
        doc("halfwidth", "ｺﾄﾞﾓ食堂に食材を届けます"),
    ]
    found = index_of([*FILLER, *spellings]).rank(kodomo_query(), {"text": 1}, limit=3)
    assert set(ids(found)) == {"hira", "kanji", "halfwidth"}
    assert all({"子供", "食堂"} <= set(s.matched_terms) for s in found)


def test_far_away_look_alike_ranks_below_a_local_match() -> None:
    local = doc(
        "local",
        "こども食堂へ食材を届けます",
        areas=(KAGOSHIMA,),
        latitude=KAGOSHIMA_POINT[0],
        longitude=KAGOSHIMA_POINT[1],
    )
    far = doc(
        "far",
        "子ども食堂の食材を提供してくれる団体を探しています",
        areas=(MAEBASHI,),
        latitude=MAEBASHI_POINT[0],
        longitude=MAEBASHI_POINT[1],
    )
    query = kodomo_query(areas=(KAGOSHIMA,), latitude=31.59, longitude=130.55)
    found = index_of([*FILLER, local, far]).rank(query, DEFAULT_WEIGHTS)
    assert ids(found)[:2] == ["local", "far"]
    assert found[0].values["geography"] == 1.0 and found[1].values["geography"] < 0.01
    assert found[0].score - found[1].score > 0.05


def test_type_mismatch_ranks_below() -> None:
    goods = doc("goods", "こども食堂に食材を提供します", types=frozenset({"goods"}))
    venue = doc("venue", "こども食堂に食材を提供します。", types=frozenset({"venue"}))
    query = kodomo_query(types=frozenset({"goods", "funding"}))
    found = index_of([goods, venue, *FILLER]).rank(query, DEFAULT_WEIGHTS)
    assert ids(found)[:2] == ["goods", "venue"]
    assert (found[0].values["type"], found[1].values["type"]) == (1.0, 0.0)


def test_text_value_is_cosine_over_the_scale_capped_at_one() -> None:
    index = index_of([doc("same", "こども食堂の食材"), *FILLER])
    (best,) = index.rank(Query("こども食堂の食材"), {"text": 1}, limit=1)
    assert best.values["text"] == 1.0
    matrix, order = index.text_matrix()
    cosine = (matrix @ index.query_vector(Query("防災の会場")).T).toarray().ravel()
    found = {s.id: s for s in index.rank(Query("防災の会場"), {"text": 1}, limit=10)}
    for row, doc_id in enumerate(order):
        want = min(cosine[row] / TEXT_SCALE, 1.0)
        assert found[doc_id].values["text"] == pytest.approx(want, abs=1e-5)


# --- breakdowns -----------------------------------------------------------------------


def test_contributions_add_up_to_the_score_and_order_is_stable() -> None:
    docs = [*FILLER, doc("a", "こども食堂の食材"), doc("b", "こども食堂の食材"), doc("c", "食堂")]
    found = index_of(docs).rank(kodomo_query(), DEFAULT_WEIGHTS, limit=10)
    for scored in found:
        assert sum(scored.contributions.values()) == scored.score
        assert set(scored.values) == set(FACTORS) == set(scored.contributions)
        assert all(0.0 <= v <= 1.0 for v in scored.values.values())
    keys = [(-s.score, s.id) for s in found]
    assert keys == sorted(keys)
    assert ids(found)[:2] == ["a", "b"]  # a tie, by id


def test_weights_are_normalised_and_checked() -> None:
    index = index_of(FILLER)
    halved = index.rank(kodomo_query(), {k: v / 2 for k, v in DEFAULT_WEIGHTS.items()})
    assert [s.score for s in halved] == [
        s.score for s in index.rank(kodomo_query(), DEFAULT_WEIGHTS)
    ]
    for bad in ({"txt": 1.0}, {"text": -1.0}, {"text": 0.0}, {"text": math.nan}):
        with pytest.raises(ValueError):
            index.rank(kodomo_query(), bad)


def test_matched_terms_are_query_words_most_informative_first() -> None:
    docs = [*FILLER, *(doc(f"k{i}", f"子供の居場所づくり その{i}") for i in range(5))]
    docs.append(doc("target", "子供食堂の食材、子供の居場所"))
    found = index_of(docs).rank(Query("子ども食堂の食材、子どもの居場所"), {"text": 1}, limit=1)
    assert found[0].id == "target"
    # 子供 and 居場所 are in six docs, 食堂 and 食材 in one: rarer first. 場所 is part
    # of 居場所, matched too, so it is not shown.
    assert set(found[0].matched_terms[:2]) == {"食堂", "食材"}
    assert set(found[0].matched_terms) == {"食堂", "食材", "子供", "居場所"}


def test_neutral_values_when_query_or_doc_says_nothing() -> None:
    index = index_of([doc("bare", "こども食堂")])
    (silent,) = index.rank(Query("こども食堂"), DEFAULT_WEIGHTS)
    assert silent.values | {"text": 0, "trust": 0} == {
        "text": 0,
        "fields": 0.5,
        "type": 0.5,
        "geography": 0.5,
        "availability": 0.7,
        "trust": 0,
    }
    asked = Query(
        "こども食堂",
        types=frozenset({"goods"}),
        fields=frozenset({"environment"}),
        areas=(KAGOSHIMA,),
        starts_on=date(2026, 4, 1),
    )
    (unknown,) = index.rank(asked, DEFAULT_WEIGHTS)
    assert (unknown.values["type"], unknown.values["fields"]) == (0.3, 0.3)
    assert (unknown.values["geography"], unknown.values["availability"]) == (0.3, 0.7)


def test_fields_overlap_share_of_the_query() -> None:
    index = index_of([doc("one", "x", fields=frozenset({"environment", "tourism"}))])
    query = Query("x", fields=frozenset({"environment", "child_development"}))
    assert index.rank(query, DEFAULT_WEIGHTS)[0].values["fields"] == 0.5


@pytest.mark.parametrize(
    ("available", "wanted", "value"),
    [
        ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), None), 0.0),
        ((date(2026, 1, 1), date(2026, 4, 1)), (date(2026, 4, 1), date(2026, 5, 1)), 1.0),
        ((None, date(2026, 4, 1)), (None, date(2026, 1, 1)), 1.0),
        ((date(2027, 1, 1), None), (date(2026, 4, 1), date(2026, 12, 31)), 0.0),
        ((date(2027, 1, 1), None), (date(2026, 4, 1), None), 1.0),
        ((None, None), (date(2026, 4, 1), None), 0.7),
    ],
)
def test_availability_overlap(available, wanted, value) -> None:
    index = index_of([doc("d", "x", available_from=available[0], available_until=available[1])])
    query = Query("x", starts_on=wanted[0], ends_on=wanted[1])
    assert index.rank(query, DEFAULT_WEIGHTS)[0].values["availability"] == value


def test_geography_levels() -> None:
    docs = [
        doc("same", "x", areas=(KAGOSHIMA,)),
        doc("pref", "x", areas=(KANOYA,)),
        doc("wide", "x", areas=("460001",)),
        doc("bare-pref", "x", areas=("46",)),
        doc("other", "x", areas=(MAEBASHI,)),
        doc("second", "x", areas=(MAEBASHI, KAGOSHIMA)),
        doc("none", "x"),
        doc("near", "x", latitude=31.60, longitude=130.62),  # ~7 km away, no area
        doc("reach", "x", latitude=31.90, longitude=130.56, radius_km=40.0),  # ~34 km
        doc("tokyo", "x", latitude=35.68, longitude=139.77),
    ]
    query = Query(
        "x", areas=(KAGOSHIMA,), latitude=KAGOSHIMA_POINT[0], longitude=KAGOSHIMA_POINT[1]
    )
    value = {s.id: s.values["geography"] for s in index_of(docs).rank(query, {"geography": 1})}
    assert value["same"] == value["second"] == value["reach"] == 1.0
    assert value["wide"] == value["bare-pref"] == 0.85
    assert value["pref"] == 0.6
    assert value["other"] == 0.0 and value["tokyo"] < 0.001
    assert value["none"] == 0.3
    assert 0.6 < value["near"] < 0.9


def test_a_radius_on_the_query_side_counts_too() -> None:
    docs = [doc("d", "x", latitude=31.90, longitude=130.56)]  # ~34 km north
    near = Query("x", latitude=KAGOSHIMA_POINT[0], longitude=KAGOSHIMA_POINT[1], radius_km=40)
    far = Query("x", latitude=KAGOSHIMA_POINT[0], longitude=KAGOSHIMA_POINT[1], radius_km=20)
    index = index_of(docs)
    assert index.rank(near, {"geography": 1})[0].values["geography"] == 1.0
    assert index.rank(far, {"geography": 1})[0].values["geography"] < 0.5


def test_geography_of_main_rows_equals_the_reference() -> None:
    """Main rows are read by cell and area lists: they must score like a brute force."""
    rng = np.random.default_rng(7)
    docs = []
    for i in range(600):
        lat, lon = rng.uniform(24, 46), rng.uniform(122, 154)
        if i % 50 == 0:  # across the antimeridian and near the pole
            lat, lon = rng.uniform(60, 89), rng.choice([-179.9, 179.9])
        docs.append(
            doc(
                f"g{i:03d}",
                "x",
                areas=tuple(rng.choice(list(AREAS), size=int(rng.integers(0, 3)), replace=False)),
                latitude=None if i % 7 == 0 else float(lat),
                longitude=float(lon),
                radius_km=[None, 5.0, 60.0, 300.0][i % 4],
            )
        )
    index = index_of(docs)
    queries = [
        Query("x", areas=(KAGOSHIMA,), latitude=31.6, longitude=130.6),
        Query("x", latitude=35.7, longitude=139.7, radius_km=150),
        Query("x", areas=("10", KANOYA)),
        Query("x", latitude=75.0, longitude=179.95),
    ]
    for query in queries:
        for scored in index.rank(query, {"geography": 1}, limit=600):
            want = reference_geography(index.get(scored.id), query)
            assert scored.values["geography"] == pytest.approx(want, abs=1e-4), (scored.id, query)


# --- filters, paging ------------------------------------------------------------------

FILTERED = [
    doc(
        "a",
        "食材",
        types=frozenset({"goods"}),
        sector="civil",
        areas=(KAGOSHIMA,),
        organization_id="o1",
    ),
    doc(
        "b",
        "食材",
        types=frozenset({"venue"}),
        sector="business",
        areas=(KANOYA,),
        organization_id="o2",
    ),
    doc(
        "c",
        "食材",
        types=frozenset({"goods", "venue"}),
        sector="community",
        areas=("46",),
        organization_id="o3",
    ),
    doc(
        "d",
        "食材",
        types=frozenset({"funding"}),
        sector="civil",
        areas=(MAEBASHI,),
        organization_id="o1",
    ),
    doc("e", "食材"),
]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"types": frozenset({"goods"})}, {"a", "c"}),
        ({"types": frozenset({"venue", "funding"})}, {"b", "c", "d"}),
        ({"types": frozenset({"unheard_of"})}, set()),
        ({"sectors": frozenset({"civil"})}, {"a", "d"}),
        ({"areas": frozenset({KAGOSHIMA})}, {"a", "c"}),
        ({"areas": frozenset({"46"})}, {"a", "b", "c"}),
        ({"areas": frozenset({"10", KANOYA})}, {"b", "c", "d"}),
        ({"exclude_organizations": frozenset({"o1"})}, {"b", "c", "e"}),
        ({"types": frozenset({"goods"}), "exclude_organizations": frozenset({"o3"})}, {"a"}),
    ],
)
def test_filters_hold(options, expected) -> None:
    found = index_of(FILTERED).rank(Query("食材"), DEFAULT_WEIGHTS, limit=20, **options)
    assert set(ids(found)) == expected


def test_offset_and_limit_page_through_one_ranking() -> None:
    docs = [doc(f"d{i:02d}", f"こども食堂 {'食材 ' * (i % 4)}", trust=i / 40) for i in range(30)]
    index = index_of(docs)
    everything = ids(index.rank(kodomo_query(), DEFAULT_WEIGHTS, limit=100))
    assert len(everything) == 30
    pages = [
        ids(index.rank(kodomo_query(), DEFAULT_WEIGHTS, limit=7, offset=o)) for o in range(0, 30, 7)
    ]
    assert [doc_id for page in pages for doc_id in page] == everything
    assert index.rank(kodomo_query(), DEFAULT_WEIGHTS, limit=0) == []


# --- updates --------------------------------------------------------------------------


def test_deleted_docs_never_come_back() -> None:
    index = index_of([*FILLER, doc("gone", "こども食堂の食材"), doc("kept", "こども食堂")])
    index.remove(["gone", "never-there"])
    assert "gone" not in index and index.get("gone") is None and len(index) == 6
    for i in range(40):  # through merges and compactions
        index.upsert([doc(f"new{i}", f"防災訓練 {i}")])
        assert "gone" not in ids(index.rank(kodomo_query(), {"text": 1}, limit=100))
    index.compact(refit=True)
    assert "gone" not in ids(index.rank(kodomo_query(), {"text": 1}, limit=100))
    assert index.text_matrix()[1].count("gone") == 0


def test_upsert_replaces_by_id() -> None:
    index = index_of([*FILLER, doc("x", "こども食堂の食材", areas=(MAEBASHI,))])
    index.upsert([doc("x", "防災訓練の会場", areas=(KAGOSHIMA,))])
    assert len(index) == 6 and index.get("x").areas == (KAGOSHIMA,)
    found = index.rank(Query("防災訓練の会場", areas=(KAGOSHIMA,)), DEFAULT_WEIGHTS, limit=100)
    assert ids(found).count("x") == 1 and found[0].id == "x"
    assert found[0].values["geography"] == 1.0


def test_idf_refit_keeps_results_sensible() -> None:
    index = index_of([doc("target", "里山の竹林整備と間伐材の活用"), *FILLER])
    # Many docs about 竹林 arrive: 竹林 becomes common, 間伐材 stays rare.
    index.upsert([doc(f"t{i}", f"竹林の整備を手伝います {i}") for i in range(300)])
    found = index.rank(Query("間伐材の活用と竹林"), {"text": 1}, limit=3)
    assert found[0].id == "target"
    assert found[0].matched_terms[0] in {"間伐材", "間伐"}
    fresh = index_of([index.get(i) for i in sorted(index_ids(index))])
    assert_same_ranking(
        index.rank(Query("間伐材"), DEFAULT_WEIGHTS, limit=400),
        fresh.rank(Query("間伐材"), DEFAULT_WEIGHTS, limit=400),
    )


def index_ids(index: MatchIndex) -> list[str]:
    return index.text_matrix()[1]


def test_memory_is_reported_and_grows() -> None:
    index = index_of(FILLER)
    before = index.memory_bytes()
    index.upsert([doc(f"m{i}", "こども食堂の食材を提供します" * 3) for i in range(200)])
    assert 0 < before < index.memory_bytes()


def test_readers_rank_while_a_writer_writes() -> None:
    index = index_of(FILLER)
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                found = index.rank(kodomo_query(), DEFAULT_WEIGHTS, limit=50)
                assert len(ids(found)) == len(set(ids(found)))
                assert all(sum(s.contributions.values()) == s.score for s in found)
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    for i in range(300):
        index.upsert([doc(f"w{i}", f"こども食堂 {i}")])
        if i % 3 == 0:
            index.remove([f"w{i - 1}"])
    done.set()
    for reader in readers:
        reader.join()
    assert not errors
    assert len(index) == 5 + 300 - 99


# --- a reference model ----------------------------------------------------------------

AREAS = (KAGOSHIMA, KANOYA, MAEBASHI, "46", "10")
POINTS = {"k": KAGOSHIMA_POINT, "k2": (31.62, 130.60), "m": MAEBASHI_POINT, "t": (35.68, 139.77)}
TEXTS = (
    "こども食堂の食材",
    "子供食堂のボランティア",
    "防災訓練の会場",
    "高齢者の見守り",
    "食材の寄付",
    "ｺﾄﾞﾓ食堂 会場",
    "日本語教室",
    "防災 食材 備蓄",
)
TYPES = ("goods", "venue", "volunteers", "funding")
FIELDS = ("child_development", "environment", "disaster_relief")


def days(d: int | None) -> date | None:
    return None if d is None else date.fromordinal(date(2026, 1, 1).toordinal() + d)


@st.composite
def docs_and_query(draw):
    def place():
        point = draw(st.sampled_from([None, *POINTS]))
        return {
            "areas": tuple(draw(st.lists(st.sampled_from(AREAS), max_size=2, unique=True))),
            "latitude": POINTS[point][0] if point else None,
            "longitude": POINTS[point][1] if point else None,
            "radius_km": draw(st.sampled_from([None, 10.0, 100.0])),
        }

    def kinds(values):
        return frozenset(draw(st.lists(st.sampled_from(values), max_size=2)))

    docs = []
    for i in range(draw(st.integers(1, 14))):
        start, length = draw(st.one_of(st.none(), st.integers(0, 300))), draw(st.integers(1, 200))
        docs.append(
            Doc(
                id=f"d{i:02d}",
                organization_id=f"o{i % 4}",
                text=draw(st.sampled_from(TEXTS)),
                types=kinds(TYPES),
                fields=kinds(FIELDS),
                sector=draw(st.sampled_from(["civil", "business"])),
                available_from=days(start),
                available_until=days(None if start is None else start + length),
                trust=draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])),
                **place(),
            )
        )
    start = draw(st.one_of(st.none(), st.integers(0, 300)))
    query = Query(
        text=draw(st.sampled_from(TEXTS)),
        types=kinds(TYPES),
        fields=kinds(FIELDS),
        starts_on=days(start),
        ends_on=days(None if start is None else start + 60),
        **place(),
    )
    weights = {f: draw(st.sampled_from([0.0, 0.1, 0.3, 1.0])) for f in FACTORS}
    assume(sum(weights.values()) > 0)
    return docs, query, weights


def reference_values(d: Doc, q: Query, cosine: float) -> dict[str, float]:
    """The factor table of the engine's docstrings, written the slow, obvious way."""
    return {
        "text": min(cosine / TEXT_SCALE, 1.0),
        "fields": 0.5
        if not q.fields
        else 0.3
        if not d.fields
        else len(q.fields & d.fields) / len(q.fields),
        "type": 0.5 if not q.types else 0.3 if not d.types else float(bool(q.types & d.types)),
        "geography": reference_geography(d, q),
        "availability": reference_availability(d, q),
        "trust": d.trust,
    }


def reference_availability(d: Doc, q: Query) -> float:
    if (q.starts_on, q.ends_on) == (None, None) or (d.available_from, d.available_until) == (
        None,
        None,
    ):
        return 0.7
    starts_ok = d.available_from is None or q.ends_on is None or d.available_from <= q.ends_on
    ends_ok = d.available_until is None or q.starts_on is None or d.available_until >= q.starts_on
    return float(starts_ok and ends_ok)


def reference_geography(d: Doc, q: Query) -> float:
    q_point, d_point = q.latitude is not None, d.latitude is not None
    if not q.areas and not q_point:
        return 0.5
    comparable = (bool(q.areas) and bool(d.areas)) or (q_point and d_point)
    best = 0.0 if comparable else 0.3
    if q_point and d_point:
        arc = haversine_km((q.latitude, q.longitude), (d.latitude, d.longitude))
        chord = 2 * 6371.0088 * math.sin(arc / (2 * 6371.0088))
        best = max(best, 0.9 * max(0.0, 1 - chord / 50) ** 2)
        if arc <= max(q.radius_km or -1, d.radius_km or -1):
            best = 1.0
    for qa in q.areas:
        for da in d.areas:
            if qa == da or (len(qa) == 6 and len(da) == 6 and qa[:5] == da[:5]):
                best = max(best, 1.0)
            elif qa[:2] == da[:2]:
                whole = len(qa) == 2 or len(da) == 2 or qa[2:5] == "000" or da[2:5] == "000"
                best = max(best, 0.85 if whole else 0.6)
    return best


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def reference_ranking(
    index: MatchIndex, q: Query, weights: dict[str, float]
) -> list[tuple[str, float]]:
    matrix, order = index.text_matrix()
    cosine = (matrix @ index.query_vector(q).T).toarray().ravel()  # the naive product
    total = sum(weights.values())
    scored = []
    for row, doc_id in enumerate(order):
        values = reference_values(index.get(doc_id), q, float(cosine[row]))
        scored.append((doc_id, sum(weights[f] / total * values[f] for f in FACTORS)))
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def assert_same_ranking(
    got: Sequence[Scored], want: Sequence[Scored] | Sequence[tuple[str, float]]
) -> None:
    """The same ids with the same scores, in the same order up to near-equal scores."""
    pairs = [(w.id, w.score) if isinstance(w, Scored) else w for w in want]
    want_score = dict(pairs)
    assert sorted(ids(got)) == sorted(want_score)
    for scored, (_, score) in zip(got, pairs, strict=True):
        # float32 arrays: coordinates to under a metre, a decay to some 1e-5
        assert scored.score == pytest.approx(score, abs=1e-4)  # position by position
        assert scored.score == pytest.approx(want_score[scored.id], abs=1e-4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs_and_query())
def test_rank_agrees_with_the_reference_model(case) -> None:
    docs, query, weights = case
    for d in docs:  # keep clear of the radius boundary, where float32 may round either way
        if query.latitude is not None and d.latitude is not None:
            arc = haversine_km((query.latitude, query.longitude), (d.latitude, d.longitude))
            assume(all(abs(arc - r) > 0.01 for r in (query.radius_km, d.radius_km) if r))
    index = index_of(docs)
    found = index.rank(query, weights, limit=len(docs))
    assert_same_ranking(found, reference_ranking(index, query, weights))
    for scored in found:
        want = reference_values(index.get(scored.id), query, 0.0)
        for name in ("fields", "type", "geography", "availability", "trust"):
            assert scored.values[name] == pytest.approx(want[name], abs=1e-4), name


@st.composite
def operations(draw):
    pool = [
        Doc(
            id=f"d{i}",
            organization_id=f"o{i % 3}",
            text=text,
            areas=(AREAS[i % 3],),
            types=frozenset({TYPES[i % 4]}),
        )
        for i, text in enumerate(TEXTS * 3)
    ]
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["upsert", "remove", "rewrite"]),
                st.lists(st.sampled_from(pool), min_size=1, max_size=6),
            ),
            min_size=1,
            max_size=25,
        )
    )
    return steps


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations(), st.sampled_from(TEXTS))
def test_upserts_and_removes_match_a_fresh_index(steps, text) -> None:
    index, alive = MatchIndex(), {}
    for action, docs in steps:
        if action == "remove":
            index.remove(d.id for d in docs)
            for d in docs:
                alive.pop(d.id, None)
        else:
            if action == "rewrite":  # the same ids, other texts
                docs = [
                    Doc(d.id, d.organization_id, d.text[::-1], d.types, areas=d.areas) for d in docs
                ]
            index.upsert(docs)
            alive.update((d.id, d) for d in docs)
        query = Query(text, areas=(KAGOSHIMA,), types=frozenset({"goods"}))
        found = index.rank(query, DEFAULT_WEIGHTS, limit=100)
        assert sorted(ids(found)) == sorted(alive)
        assert_same_ranking(found, reference_ranking(index, query, DEFAULT_WEIGHTS))
    assert len(index) == len(alive) and all(index.get(i) == d for i, d in alive.items())
    if alive:
        index.compact(refit=True)
        fresh = index_of(list(alive.values()))
        query = Query(text, areas=(KAGOSHIMA,))
        assert_same_ranking(
            index.rank(query, DEFAULT_WEIGHTS, limit=100),
            fresh.rank(query, DEFAULT_WEIGHTS, limit=100),
        )


def test_scores_from_the_postings_equal_the_naive_product() -> None:
    docs = [doc(f"d{i}", f"{TEXTS[i % len(TEXTS)]} {i}") for i in range(120)]
    index = MatchIndex()
    for start in range(0, 120, 7):  # main plus delta chunks of several sizes
        index.upsert(docs[start : start + 7])
    index.remove(["d3", "d50"])
    query = Query("子ども食堂の食材と防災の会場")
    matrix, order = index.text_matrix()
    naive = matrix.tocsr() @ index.query_vector(query).toarray().ravel()
    found = {s.id: s.values["text"] for s in index.rank(query, {"text": 1}, limit=200)}
    np.testing.assert_allclose(
        [found[i] for i in order], np.minimum(naive / TEXT_SCALE, 1), atol=1e-5
    )


def test_a_large_index_agrees_with_the_reference_model() -> None:
    """Past a few thousand rows the candidates are sampled and the rows sorted by cell;
    with delta chunks and tombstones on top, the top rows must still be the reference's."""
    rng = np.random.default_rng(11)
    words = [
        "こども食堂",
        "食材",
        "防災訓練",
        "会場",
        "見守り",
        "日本語教室",
        "ボランティア",
        "助成金",
    ]

    def make(i: int) -> Doc:
        point = None if i % 5 == 0 else list(POINTS.values())[i % len(POINTS)]
        return Doc(
            id=f"L{i:05d}",
            organization_id=f"o{i % 97}",
            text="と".join(rng.choice(words, size=int(rng.integers(1, 4)))) + f" {i % 13}",
            types=frozenset(rng.choice(TYPES, size=int(rng.integers(0, 3)), replace=False)),
            fields=frozenset(rng.choice(FIELDS, size=int(rng.integers(0, 3)), replace=False)),
            areas=tuple(rng.choice(AREAS, size=int(rng.integers(0, 3)), replace=False)),
            latitude=None if point is None else point[0] + float(rng.normal(0, 0.2)),
            longitude=None if point is None else point[1] + float(rng.normal(0, 0.2)),
            radius_km=[None, 5.0, 30.0, 200.0][i % 4],
            available_from=days(int(rng.integers(0, 300))) if i % 3 else None,
            trust=float(rng.integers(0, 5)) / 4,
        )

    index = index_of([make(i) for i in range(5000)])
    index.upsert([make(i) for i in range(5000, 5300)])  # delta chunks
    index.remove([f"L{i:05d}" for i in range(0, 5000, 7)])  # tombstones
    queries = [
        Query("こども食堂の食材", areas=(KAGOSHIMA,), latitude=31.6, longitude=130.6,
              types=frozenset({"goods"}), fields=frozenset({"child_development"}),
              starts_on=days(100), ends_on=days(160)),
        Query("防災訓練の会場", areas=("10",), types=frozenset({"venue", "funding"})),
        Query("見守り", latitude=35.7, longitude=139.7, radius_km=20),
    ]  # fmt: skip
    for query in queries:
        found = index.rank(query, DEFAULT_WEIGHTS, limit=50)
        want = reference_ranking(index, query, DEFAULT_WEIGHTS)
        for scored, (_, score) in zip(found, want[:50], strict=True):
            assert scored.score == pytest.approx(score, abs=1e-4)
        filtered = index.rank(query, DEFAULT_WEIGHTS, limit=30, types=frozenset({"funding"}))
        assert filtered and all("funding" in index.get(s.id).types for s in filtered)
        assert [s.id for s in filtered] == [
            s.id
            for s in found + index.rank(query, DEFAULT_WEIGHTS, limit=5000)[50:]
            if "funding" in index.get(s.id).types
        ][:30]
