"""Candidates for an issue from 1 000 / 10 000 / 100 000 resources, as ratios.

Builds a ``MatchIndex`` of synthetic but realistic Japanese resources (titles and
descriptions mixing activity fields, resource types, organisations and
municipalities in several prefectures; a fixed seed), then measures for a few
issue-like queries:

  (r) ``MatchIndex.rank(query, weights, limit=20)``: text and every structured
      factor, top 20 with breakdowns and matched terms;
  (n) baseline: the naive ``X @ q`` on the CSR copy of the SAME TF-IDF matrix and
      the SAME query vector (every non-zero of the matrix is touched);
  (c) baseline: the same scores from only the query's columns of the CSC matrix,
      ``X[:, cols] @ q[cols]`` with scipy (an inverted index);
  (u) ``MatchIndex.upsert`` of one new resource: its text's analysis included, and
      (for the index's own share) with the text analysed beforehand;

plus the build time and the index's memory. Targets: (r) within 1.5× of (c) at
100 000; one upsert a small fraction of one ranking.

Measurements are interleaved in a shuffled order each round (see ``timed``).

    .venv/bin/python bench/matching_candidates.py [--repeat 50] [--quick] [--sizes N ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from services.matching.engine import (  # noqa: E402
    DEFAULT_WEIGHTS,
    Doc,
    MatchIndex,
    Query,
    analyze,
)

SIZES = (1_000, 10_000, 100_000)
SEED = 2027

# (municipality code, name, latitude, longitude); the first two digits are the prefecture.
MUNICIPALITIES = (
    ("462012", "鹿児島市", 31.5966, 130.5571),
    ("462039", "鹿屋市", 31.3783, 130.8521),
    ("462152", "薩摩川内市", 31.8134, 130.3040),
    ("462187", "霧島市", 31.7411, 130.7632),
    ("102016", "前橋市", 36.3895, 139.0634),
    ("102024", "高崎市", 36.3220, 139.0032),
    ("102059", "太田市", 36.2913, 139.3755),
    ("401307", "福岡市", 33.5904, 130.4017),
    ("401005", "北九州市", 33.8834, 130.8752),
    ("041009", "仙台市", 38.2682, 140.8694),
    ("011002", "札幌市", 43.0621, 141.3544),
    ("131041", "新宿区", 35.6938, 139.7034),
    ("131091", "品川区", 35.6092, 139.7302),
    ("271004", "大阪市", 34.6937, 135.5023),
    ("231002", "名古屋市", 35.1815, 136.9066),
    ("202011", "長野市", 36.6486, 138.1948),
)
# field -> topics (phrases a text about that field uses)
TOPICS = {
    "child_development": (
        "こども食堂",
        "子供の居場所づくり",
        "学習支援",
        "子育て支援",
        "放課後の見守り",
        "ひとり親家庭の支援",
        "読み聞かせ",
    ),
    "health_welfare": (
        "高齢者の見守り",
        "認知症カフェ",
        "介護予防の体操",
        "障がい者の就労支援",
        "配食サービス",
        "買い物支援",
        "健康相談",
    ),
    "community_development": (
        "空き家の活用",
        "商店街の活性化",
        "地域の居場所",
        "まちづくり協議会",
        "公園の花壇づくり",
        "防犯パトロール",
    ),
    "environment": ("海岸清掃", "ごみ拾い", "里山保全", "食品ロス削減", "リサイクル", "環境学習"),
    "disaster_relief": ("防災訓練", "避難所運営", "災害ボランティア", "備蓄品の管理", "防災教育"),
    "international_cooperation": ("日本語教室", "外国人住民の生活相談", "多文化共生", "通訳"),
    "culture_arts_sports": ("伝統芸能の継承", "地域のスポーツ大会", "美術展", "音楽会", "祭り"),
    "information_society": (
        "高齢者のスマホ教室",
        "ITサポート",
        "ホームページ制作",
        "プログラミング教室",
    ),
    "rural_development": ("農業体験", "耕作放棄地の再生", "棚田の保全", "移住促進", "地産地消"),
    "employment_support": ("若者の就労支援", "職業訓練", "ひとり親の就職相談", "引きこもりの支援"),
}
# resource type -> (offer phrases, (organisation kind, sector) pairs)
OFFERS = {
    "volunteers": (
        (
            "社員ボランティアを派遣します",
            "学生ボランティアが参加します",
            "人手が必要な活動にメンバーが駆けつけます",
        ),
        (("株式会社", "business"), ("大学", "academia"), ("NPO法人", "civil")),
    ),
    "pro_bono": (
        (
            "会計や法務の専門スキルで支援します",
            "デザインと広報の制作を無償で行います",
            "IT導入やシステムづくりを手伝います",
        ),
        (("株式会社", "business"), ("税理士法人", "business")),
    ),
    "funding": (
        ("助成金を交付します", "活動資金を寄付します", "協賛金を提供します"),
        (("財団", "civil"), ("株式会社", "business"), ("市役所", "government")),
    ),
    "goods": (
        ("食材や物資を提供します", "機材やテントを貸し出します", "自社商品を寄贈します"),
        (("フードバンク", "civil"), ("株式会社", "business"), ("生活協同組合", "civil")),
    ),
    "venue": (
        ("会議室や調理室を貸し出します", "集会所を使えます", "空き店舗を活動場所として提供します"),
        (("自治会", "community"), ("公民館", "government"), ("高等学校", "academia")),
    ),
    "knowledge": (
        ("研究成果を共有します", "出前講座を行います", "学習プログラムを提供します"),
        (("大学", "academia"), ("研究所", "academia"), ("NPO法人", "civil")),
    ),
    "publicity": (
        ("広報誌で周知します", "回覧板で案内します", "地域FMで紹介します"),
        (("自治会", "community"), ("市役所", "government"), ("新聞社", "business")),
    ),
    "network": (
        ("地域の団体をつなぎます", "関係者を紹介します", "協働のコーディネートをします"),
        (("市民活動支援センター", "civil"), ("社会福祉協議会", "civil")),
    ),
}
_NAMES = (
    "さくら",
    "みどり",
    "ひまわり",
    "あおぞら",
    "なごみ",
    "つばさ",
    "ふれあい",
    "かがやき",
    "わかば",
    "こもれび",
    "ゆうひ",
    "やまびこ",
)
_EXTRAS = (
    "平日の夜も対応できます。",
    "土日の活動が中心です。",
    "初めての団体も歓迎します。",
    "これまでに30件以上の協働実績があります。",
    "オンラインでの相談も可能です。",
    "少人数から始められます。",
    "費用は原則無料です。",
    "年度ごとに募集を行います。",
    "担当者が事前に打ち合わせに伺います。",
    "市内の小中学校とも連携しています。",
)


def synthetic_resource(i: int, rng: random.Random) -> Doc:
    """One resource: an organisation offering one type for one to three topics in its area."""
    rtype = rng.choice(tuple(OFFERS))
    phrases, kinds = OFFERS[rtype]
    fields = rng.sample(tuple(TOPICS), rng.choice((1, 1, 2, 3)))
    topics = [rng.choice(TOPICS[f]) for f in fields]
    code, city, lat, lon = rng.choice(MUNICIPALITIES)
    kind, sector = rng.choice(kinds)
    org = f"{city}{kind}" if kind in ("市役所", "公民館") else f"{rng.choice(_NAMES)}{kind}"
    offer = rng.choice(phrases)
    extras = "".join(rng.sample(_EXTRAS, 3))
    text = (
        f"{org}：{topics[0]}への協力\n"
        f"{city}を拠点に{'、'.join(topics)}に取り組む{org}です。{offer}。"
        f"{extras}お気軽にお問い合わせください（受付番号{i}）。"
    )
    start = date(2026, 1, 1) + timedelta(days=rng.randint(0, 500))
    point = rng.random() < 0.7
    return Doc(
        id=f"res-{i:06d}",
        organization_id=f"org-{i // 3:06d}",
        text=text,
        types=frozenset({rtype}),
        fields=frozenset(fields),
        areas=(code,) if rng.random() < 0.9 else (code, rng.choice(MUNICIPALITIES)[0]),
        latitude=lat + rng.uniform(-0.05, 0.05) if point else None,
        longitude=lon + rng.uniform(-0.05, 0.05) if point else None,
        radius_km=rng.choice((None, 5.0, 20.0)),
        available_from=start if rng.random() < 0.6 else None,
        available_until=start + timedelta(days=rng.randint(30, 400))
        if rng.random() < 0.4
        else None,
        sector=sector,
        trust=round(rng.random(), 2),
    )


def synthetic_resources(count: int, seed: int = SEED, start: int = 0) -> Iterator[Doc]:
    rng = random.Random(seed + start)
    return (synthetic_resource(i, rng) for i in range(start, start + count))


QUERIES = {
    "こども食堂 (鹿児島市)": Query(
        text="こども食堂の運営ボランティアと食材の提供者を募集しています。毎週土曜日に公民館で、"
        "地域の子どもたちの居場所として食事と学習支援を行っています。調理や配膳を手伝ってくれる方、"
        "お米や野菜などの食材を寄付していただける企業・団体を探しています。",
        types=frozenset({"volunteers", "goods"}),
        fields=frozenset({"child_development", "health_welfare"}),
        areas=("462012",),
        latitude=31.5966,
        longitude=130.5571,
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 3, 31),
    ),
    "防災訓練 (前橋市)": Query(
        text="自治会の防災訓練と避難所運営の研修に協力してくれる大学や企業を募集。"
        "高齢者の多い地区で、災害時の備蓄品の管理や防災教育の出前講座もお願いしたいです。",
        types=frozenset({"volunteers", "knowledge"}),
        fields=frozenset({"disaster_relief", "community_development"}),
        areas=("102016",),
        latitude=36.3895,
        longitude=139.0634,
    ),
    "スマホ教室 (no area)": Query(
        text="高齢者向けのスマホ教室を開きたいので、ITに詳しい講師と会場を探しています",
        types=frozenset({"pro_bono", "venue"}),
        fields=frozenset({"information_society"}),
    ),
}


# --- the measurements -----------------------------------------------------------------


def timed(runs: dict[str, Callable[[], Any]], repeat: int) -> dict[str, list[float]]:
    """Milliseconds of each run, interleaved in a shuffled order every round, so that the
    load of a shared machine and the state of the caches (the naive product sweeps them)
    fall on all of them alike; one warm-up round first."""
    for run in runs.values():
        run()
    order, shuffle = list(runs), random.Random(SEED).shuffle
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        shuffle(order)
        for name in order:
            began = time.perf_counter()
            runs[name]()
            times[name].append((time.perf_counter() - began) * 1000)
    return times


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 3), "p99_ms": round(p99, 3)}


def measure_size(size: int, repeat: int) -> dict[str, Any]:
    docs = list(synthetic_resources(size))
    index = MatchIndex()
    began = time.perf_counter()
    index.upsert(docs)
    index.compact()
    build_s = time.perf_counter() - began
    matrix, _ = index.text_matrix()
    csr = matrix.tocsr()
    result: dict[str, Any] = {"docs": size, "build_s": round(build_s, 2), "nnz": int(matrix.nnz)}
    result["queries"] = {name: measure_query(index, matrix, csr, q, repeat)
                         for name, q in QUERIES.items()}  # fmt: skip
    result["upsert"] = measure_upsert(index, size, repeat)
    began = time.perf_counter()
    index.compact(refit=True)  # what an upsert pays every MERGE_ROWS or 1/16 of main
    result["merge_s"] = round(time.perf_counter() - began, 3)
    memory = index.memory_bytes()
    result["memory_bytes"] = memory
    result["memory_mb"] = round(memory / 2**20, 1)
    return result


def measure_query(index: MatchIndex, matrix: Any, csr: Any, query: Query, repeat: int) -> dict:
    q = index.query_vector(query)
    cols, vals = q.indices, q.data
    dense = q.toarray().ravel()
    times = timed(
        {
            "rank": lambda: index.rank(query, DEFAULT_WEIGHTS, limit=20),
            "naive": lambda: csr @ dense,
            "columns": lambda: matrix[:, cols] @ vals,
        },
        repeat,
    )
    postings = int((np.diff(matrix.indptr)[cols]).sum())
    return {
        **{name: percentiles(ms) for name, ms in times.items()},
        "query_columns": len(cols),
        "postings": postings,
    }


def measure_upsert(index: MatchIndex, size: int, repeat: int) -> dict[str, Any]:
    """One new resource at a time, merges as they come: with its text's analysis (Sudachi,
    n-grams), and again for other resources whose texts were analysed beforehand (what
    the index itself costs)."""
    count = max(repeat, 200)
    fresh = list(synthetic_resources(2 * count, seed=SEED + 1, start=size))
    cold, warm = fresh[:count], fresh[count:]
    for doc in warm:
        analyze(doc.text)
    result = {}
    for name, docs in (("analysed", cold), ("index_only", warm)):
        times = []
        for doc in docs:
            began = time.perf_counter()
            index.upsert([doc])
            times.append((time.perf_counter() - began) * 1000)
        result[name] = {**percentiles(times), "mean_ms": round(statistics.fmean(times), 3)}
    return result


# --- the report -----------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, numpy {np.__version__}")  # fmt: skip


def report(results: list[dict[str, Any]], repeat: int) -> None:
    print(f"\nMatching candidates: MatchIndex.rank vs two bare TF-IDF baselines ({machine()})")
    print(
        f"p50 / p99 of {repeat} runs after a warm-up; limit 20; default weights; the baselines "
        "use the index's own matrix and query vector\n"
    )
    print(
        "| docs | query | postings | rank p50 / p99 ms | naive X@q p50 / p99 ms "
        "| CSC columns p50 / p99 ms | rank ÷ naive | rank ÷ columns |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        for name, q in r["queries"].items():
            rank, naive, cols = q["rank"], q["naive"], q["columns"]
            print(f"| {r['docs']:,} | {name} | {q['postings']:,} "
                  f"| {rank['p50_ms']:.2f} / {rank['p99_ms']:.2f} "
                  f"| {naive['p50_ms']:.2f} / {naive['p99_ms']:.2f} "
                  f"| {cols['p50_ms']:.2f} / {cols['p99_ms']:.2f} "
                  f"| {rank['p50_ms'] / naive['p50_ms']:.2f}× "
                  f"| {rank['p50_ms'] / cols['p50_ms']:.2f}× |")  # fmt: skip
    print(
        "\n| docs | build s | nnz | upsert p50 / p99 / mean ms | upsert ÷ rank "
        "| upsert ÷ columns | upsert, text analysed before: p50 ms (÷ rank) | memory |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        u, w = r["upsert"]["analysed"], r["upsert"]["index_only"]
        first = next(iter(r["queries"].values()))
        rank, columns = first["rank"]["p50_ms"], first["columns"]["p50_ms"]
        print(f"| {r['docs']:,} | {r['build_s']:.1f} | {r['nnz']:,} "
              f"| {u['p50_ms']:.3f} / {u['p99_ms']:.1f} / {u['mean_ms']:.3f} "
              f"| {u['p50_ms'] / rank:.2f}× | {u['p50_ms'] / columns:.2f}× "
              f"| {w['p50_ms']:.3f} ({w['p50_ms'] / rank:.2f}×) "
              f"| {r['memory_bytes']:,} B ({r['memory_mb']} MB) |")  # fmt: skip
    merges = ", ".join(f"{r['merge_s']:.2f} s at {r['docs']:,}" for r in results)
    print(f"\nMerging the delta into main with an idf refit (compact): {merges}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="1 000 and 10 000 docs only")
    parser.add_argument("--sizes", type=int, nargs="*", help="other index sizes")
    args = parser.parse_args()
    sizes = args.sizes or (SIZES[:2] if args.quick else SIZES)
    results = [measure_size(size, args.repeat) for size in sizes]
    report(results, args.repeat)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = "matching_candidates-quick.json" if args.quick else "matching_candidates.json"
    (out / name).write_text(json.dumps(
        {"machine": machine(), "repeat": args.repeat, "results": results},
        indent=2, ensure_ascii=False) + "\n")  # fmt: skip


if __name__ == "__main__":
    main()
